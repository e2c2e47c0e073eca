package check

import (
	"strings"
	"testing"
)

// A lock on an object a call returned is named in lock-balance messages
// as the code spells it, never by the engine's internal name.
func TestBalanceNamesTheLockAsWritten(t *testing.T) {
	src := `struct data { struct mutex update_lock; int v; };
static int w(struct device *dev, int v)
{
	struct data *data = dev_get_drvdata(dev);
	int ret;

	mutex_lock(&data->update_lock);
	ret = reg_read(data, v);
	if (ret)
		return ret;
	data->v = v;
	mutex_unlock(&data->update_lock);
	return 0;
}
`
	var msgs []string
	for _, fd := range runSrc(t, "w.c", src) {
		if fd.Rule == "lock-balance" {
			msgs = append(msgs, fd.Message)
		}
	}
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0], "data->update_lock ") || strings.Contains(msgs[0], "@") {
		t.Errorf("messages: %q", msgs)
	}
}

// Only a name that says lock, word by word, makes an unseen callee one
// that may take or drop the locks of what it is given.
func TestLockishName(t *testing.T) {
	for name, want := range map[string]bool{
		"foo_unlock": true, "ops->lock": true, "bar_release_mutex": true, "down_read_sem": true,
		"cond_resched_rcu": true, "get_user_pages_locked": false, "snd_ctl_find_numid_locked": false, "lockdep_is_held": false, "local_irq_restore": true,
		"i2c_smbus_read_i2c_block_data": false, "clk_get_clock": false, "assemble_frame": false,
		"blk_mq_freeze_queue": false, "regmap_read": false, "dev_err": false, "semantics_check": false,
		"mtd_block_isbad": false, "unlock2": true,
	} {
		if got := lockishName(name); got != want {
			t.Errorf("lockishName(%q) = %v, want %v", name, got, want)
		}
	}
}
