package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/locklint/locklint/parse"
)

// Waiting, with a lock held, for a timer callback or a work item that
// takes the same lock deadlocks: del_timer_sync() waits for a running
// callback to finish, and the callback spins (or sleeps) on the lock its
// waiter holds. The callbacks are found where the input registers them
// (timer_setup(&x->timer, cb, 0), INIT_WORK(&x->work, cb)), by the field
// they are registered on; a workqueue flushed is waited for through the
// works the input queues on it (queue_work(x->wq, &x->work)).

// waitCalls wait for what their first argument names: a timer or a work
// (by its field), or a workqueue.
var waitCalls = map[string]string{
	"del_timer_sync": "timer", "timer_delete_sync": "timer", "del_singleshot_timer_sync": "timer",
	"cancel_work_sync": "work", "flush_work": "work", "cancel_delayed_work_sync": "work",
	"flush_delayed_work": "work", "tasklet_kill": "work",
	"flush_workqueue": "wq", "destroy_workqueue": "wq", "drain_workqueue": "wq",
	"hrtimer_cancel": "timer",
}

// callbackSetups register a callback (argument cb) for the timer or work
// at their first argument.
var callbackSetups = map[string]int{
	"timer_setup": 1, "setup_timer": 1, "timer_setup_on_stack": 1, "setup_deferrable_timer": 1,
	"INIT_WORK": 1, "INIT_DELAYED_WORK": 1, "INIT_DEFERRABLE_WORK": 1, "INIT_WORK_ONSTACK": 1,
	"INIT_DELAYED_WORK_ONSTACK": 1, "tasklet_setup": 1, "tasklet_init": 1,
}

// queueCalls put the work at argument work on the workqueue at argument 0.
var queueCalls = map[string]int{"queue_work": 1, "queue_delayed_work": 1, "mod_delayed_work": 1, "queue_work_on": 2,
	"queue_delayed_work_on": 2}

type waitData struct {
	// callbacks by the typed field they are registered on
	// ("sa1100_port.timer", "nci_dev.rx_work")
	byField map[string][]*fnInfo
	// works queued on a workqueue, by the workqueue's typed field
	queued map[string][]string
	// takes: the lock classes a function takes, itself or in callees
	takes map[*fnInfo]map[string]bool
}

// typedField is the struct type and field an argument names
// (`&sport->timer` -> "sa1100_port.timer"), "" when the type is not known.
func typedField(arg string, typeOf func(string) string) string {
	i := strings.LastIndexAny(arg, ">.")
	if i < 0 {
		return ""
	}
	base := arg[:i]
	base = strings.TrimSuffix(base, "-")
	t := typeOf(base)
	if t == "" || t == "?" || t == lastName(base) {
		return "" // a guess from the field's own name says nothing
	}
	return t + "." + arg[i+1:]
}

// staticKey names a timer, work or tasklet a file defines at top level
// (parse.Static) as waitData keys it.
func staticKey(file, name string) string { return "static " + file + ":" + name }

func lastName(path string) string {
	if i := strings.LastIndexAny(path, ">."); i >= 0 {
		return path[i+1:]
	}
	return path
}

// ownerField is "type.field" for a callback that recovers its object from
// the timer or work it is given: `struct sa1100_port *sport =
// from_timer(sport, t, timer)`.
func ownerField(cb *fnInfo, field string) string {
	if len(cb.fn.Blocks) == 0 {
		return ""
	}
	for _, e := range cb.fn.Blocks[0].Events {
		if e.Kind != parse.EvAssign {
			continue
		}
		v := e.Value.Norm
		if !strings.HasPrefix(v, "from_timer(") && !strings.HasPrefix(v, "container_of(") && !strings.HasPrefix(v, "from_work(") {
			continue
		}
		if !strings.HasSuffix(v, ","+field+")") {
			continue
		}
		if t, ok := cb.fn.VarType(e.Var); ok && t.Type != "" {
			return t.Type + "." + field
		}
	}
	return ""
}

func (c *Checker) waitInfo() *waitData {
	if c.waits != nil {
		return c.waits
	}
	w := &waitData{byField: map[string][]*fnInfo{}, queued: map[string][]string{}, takes: map[*fnInfo]map[string]bool{}}
	c.waits = w
	for _, f := range c.files {
		for _, st := range f.Statics {
			if cb := c.lookup(st.Fn, f); cb != nil {
				k := staticKey(f.Name, st.Name)
				w.byField[k] = append(w.byField[k], cb)
			}
		}
	}
	for _, fi := range c.funcs {
		ty := &typer{fn: fi.fn, structs: c.structs}
		for _, b := range fi.fn.Blocks {
			for i := range b.Events {
				e := &b.Events[i]
				if e.Kind == parse.EvWrite && e.Op == "=" && e.Field() == "function" && parse.IsIdentifier(e.Value.Norm) {
					// `ci->otg_fsm_hrtimer.function = cb`: an hrtimer's
					// callback, set by assignment after hrtimer_init()
					timer := strings.TrimSuffix(e.LHS.Norm, ".function")
					if f, cb := typedField(timer, ty.typeOf), c.lookup(e.Value.Norm, fi.file); f != "" && cb != nil && timer != e.LHS.Norm {
						w.byField[f] = append(w.byField[f], cb)
					}
					continue
				}
				if e.Kind != parse.EvCall || len(e.Args) == 0 {
					continue
				}
				if arg, ok := callbackSetups[e.Callee]; ok && arg < len(e.Args) {
					f := typedField(e.Args[0].Norm, ty.typeOf)
					cb := c.lookup(e.Args[arg].Norm, fi.file)
					if cb != nil && f == "" {
						// `timer_setup(&ports[i].timer, cb, 0)`: the callback
						// says whose field it is (from_timer(), container_of())
						f = ownerField(cb, lastName(e.Args[0].Norm))
					}
					if cb != nil && f != "" {
						w.byField[f] = append(w.byField[f], cb)
					}
				}
				if arg, ok := queueCalls[e.Callee]; ok && arg < len(e.Args) {
					wq, work := typedField(e.Args[arg-1].Norm, ty.typeOf), typedField(e.Args[arg].Norm, ty.typeOf)
					if e.Callee == "queue_work_on" || e.Callee == "queue_delayed_work_on" {
						wq = typedField(e.Args[1].Norm, ty.typeOf)
					}
					if wq != "" && work != "" && !contains(w.queued[wq], work) {
						w.queued[wq] = append(w.queued[wq], work)
					}
				}
			}
		}
	}
	return w
}

// takenBy are the lock classes fi takes, itself or through the callees
// in scope, depth bounded.
func (c *Checker) takenBy(fi *fnInfo, depth int) map[string]bool {
	w := c.waitInfo()
	if t, ok := w.takes[fi]; ok {
		return t
	}
	t := map[string]bool{}
	w.takes[fi] = t // a cycle sees what is known so far
	ty := &typer{fn: fi.fn, structs: c.structs}
	for _, b := range fi.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvCall {
				continue
			}
			for _, op := range c.rec.ops(e, ty.typeOf) {
				if op.kind == opAcquire || op.kind == opTryZero { // a trylock cannot deadlock
					t[op.class] = true
				}
			}
			if depth > 0 {
				if callee := c.lookup(e.Callee, fi.file); callee != nil && callee != fi {
					for k := range c.takenBy(callee, depth-1) {
						t[k] = true
					}
				}
			}
		}
	}
	return t
}

// checkWait reports a wait, under a lock held on every path, for a
// callback that takes that lock.
func (a *analysis) checkWait(s state, e *parse.Event) {
	what, ok := waitCalls[e.Callee]
	if !ok || len(e.Args) == 0 || len(s) == 0 {
		return
	}
	w := a.c.waitInfo()
	f := typedField(e.Args[0].Norm, a.typeOf)
	if g := strings.TrimPrefix(e.Args[0].Norm, "&"); f == "" && parse.IsIdentifier(g) {
		if k, _, ok := paramOf(a.fn, g); ok && k == -2 {
			f = staticKey(a.fn.File, g) // `del_timer_sync(&serial_timer)`: one the file defines
		}
	}
	var fields []string
	if what == "wq" {
		fields = w.queued[f]
	} else if f != "" {
		fields = []string{f}
	}
	if len(fields) == 0 {
		return
	}
	held := map[string]lockVal{}
	for k, v := range s[0].locks.all() {
		if v.b == bH && !unstable(k.inst) {
			held[k.class] = v
		}
	}
	for _, p := range s[1:] {
		for class := range held {
			ok := false
			for k, v := range p.locks.all() {
				if k.class == class && v.b == bH {
					ok = true
				}
			}
			if !ok {
				delete(held, class)
			}
		}
	}
	classes := make([]string, 0, len(held))
	for class := range held {
		classes = append(classes, class)
	}
	sort.Strings(classes)
	for _, fld := range fields {
		for _, cb := range w.byField[fld] {
			if cb == a.fi {
				continue
			}
			taken := a.c.takenBy(cb, 6)
			for _, class := range classes {
				if !taken[class] {
					continue
				}
				v := held[class]
				a.finding("wait-deadlock", a.c.sev["wait-deadlock"], e,
					fmt.Sprintf("%s() waits for %s(), which takes %s: held here, it deadlocks", e.Callee, cb.fn.Name, class),
					a.note(v.site, "%s taken here", v.site.full()),
					Note{File: cb.fn.File, Line: cb.fn.Pos.Line, Note: fmt.Sprintf("%s() takes %s", cb.fn.Name, class)})
				return
			}
		}
	}
}
