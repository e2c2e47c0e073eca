package check

import (
	"testing"

	"github.com/locklint/locklint/rules"
)

// A sleeping primitive called under a spinlock is an error; a callee
// that a summary says may sleep is a warning, with the chain as the
// trace: the callee's sleeping path may be ruled out by a flag or a
// state the engine does not follow.
func TestSleepSeverityByEvidence(t *testing.T) {
	src := `struct dev { spinlock_t lock; struct mutex m; int n; };

static void settle(struct dev *d)
{
	mutex_lock(&d->m);
	d->n++;
	mutex_unlock(&d->m);
}

static void direct(struct dev *d)
{
	spin_lock(&d->lock);
	msleep(10);
	spin_unlock(&d->lock);
}

static void through(struct dev *d)
{
	spin_lock(&d->lock);
	settle(d);
	spin_unlock(&d->lock);
}
`
	got := map[string]rules.Severity{}
	for _, fd := range runSrc(t, "sev.c", src) {
		if fd.Rule == "sleep-under-spinlock" {
			got[fd.Function] = fd.Severity
			if fd.Function == "through" && len(fd.Trace) < 2 {
				t.Errorf("no call chain in the trace: %+v", fd.Trace)
			}
		}
	}
	if got["direct"] != rules.Error || got["through"] != rules.Warning || len(got) != 2 {
		t.Errorf("severities %v, want direct: error, through: warning", got)
	}
}
