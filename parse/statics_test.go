//go:build cgo

package parse

import (
	"context"
	"slices"
	"testing"
)

// Timers, works and tasklets defined at file scope are read with their
// callbacks, once each, however tree-sitter nests the macro's text; other
// macros at file scope and malformed ones are not.
func TestStatics(t *testing.T) {
	src := []byte(`static void tick(struct timer_list *);
static DEFINE_TIMER(poll_timer, tick);
static DEFINE_SPINLOCK(poll_lock);
static DECLARE_WORK(flush_w, flusher);
DECLARE_TASKLET(rx_tl, rx_done);
static DECLARE_DELAYED_WORK(gc_w, gc_run);
static DEFINE_TIMER(broken, );
DEFINE_MUTEX(shared_mutex);
static DECLARE_RWSEM(table_sem);
static DEFINE_RAW_SPINLOCK(x, y);
static spinlock_t a_lock, b_lock;
static struct mutex *not_one;
spinlock_t global_lock;
`)
	f, err := ParseFile(context.Background(), "s.c", src)
	if err != nil {
		t.Fatal(err)
	}
	want := []Static{
		{Macro: "DEFINE_TIMER", Name: "poll_timer", Fn: "tick", Pos: Pos{Line: 2}},
		{Macro: "DECLARE_WORK", Name: "flush_w", Fn: "flusher", Pos: Pos{Line: 4}},
		{Macro: "DECLARE_TASKLET", Name: "rx_tl", Fn: "rx_done", Pos: Pos{Line: 5}},
		{Macro: "DECLARE_DELAYED_WORK", Name: "gc_w", Fn: "gc_run", Pos: Pos{Line: 6}},
	}
	if len(f.Statics) != len(want) {
		t.Fatalf("statics %+v, want %d of them", f.Statics, len(want))
	}
	for i, w := range want {
		g := f.Statics[i]
		if g.Macro != w.Macro || g.Name != w.Name || g.Fn != w.Fn || g.Pos.Line != w.Pos.Line {
			t.Errorf("static %d = %+v, want %+v", i, g, w)
		}
	}
	// the locks only this file can name: not one other files may share
	if !slices.Equal(f.StaticLocks, []string{"poll_lock", "table_sem", "a_lock", "b_lock"}) {
		t.Errorf("static locks %q, want poll_lock, table_sem, a_lock, b_lock", f.StaticLocks)
	}
}
