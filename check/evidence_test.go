package check

import (
	"context"
	"strings"
	"testing"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
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
	set, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	f, err := parse.ParseFile(context.Background(), "w.c", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, fd := range Run(set, []*parse.File{f}) {
		if fd.Rule == "lock-balance" {
			msgs = append(msgs, fd.Message)
		}
	}
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0], "data->update_lock ") || strings.Contains(msgs[0], "@") {
		t.Errorf("messages: %q", msgs)
	}
}
