package check

import (
	"strings"

	"github.com/locklint/locklint/parse"
)

// Atomic sections other than spinlocks: interrupts, preemption and
// softirqs disabled, RCU read-side sections. The lock dataflow does not
// track them (they are not locks: they nest, and have no instance), so
// they get a small dataflow of their own, run only over functions that
// open one.

// section is one kind of atomic section.
type section struct {
	ctx          string          // how a message names it
	opened       string          // how a trace names where it began
	enter, leave map[string]bool // calls that open and close one level
	reset        map[string]bool // calls that close every level
}

var sections = []section{
	{ctx: "with interrupts disabled", opened: "interrupts disabled here",
		enter: set("local_irq_disable", "local_irq_save", "raw_local_irq_save", "raw_local_irq_disable", "local_lock_irqsave", "local_lock_irq"),
		leave: set("local_irq_restore", "raw_local_irq_restore", "local_unlock_irqrestore", "local_unlock_irq"),
		reset: set("local_irq_enable", "raw_local_irq_enable")},
	{ctx: "with preemption disabled", opened: "preemption disabled here",
		enter: set("preempt_disable", "preempt_disable_notrace", "get_cpu", "get_cpu_var", "get_cpu_ptr", "kmap_atomic",
			"rcu_read_lock_sched", "rcu_read_lock_sched_notrace", "local_lock", "kernel_fpu_begin",
			"kernel_fpu_begin_mask", "kernel_neon_begin", "DC_FP_START", "dc_fpu_begin"),
		leave: set("preempt_enable", "preempt_enable_no_resched", "preempt_enable_notrace", "sched_preempt_enable_no_resched",
			"preempt_enable_no_resched_notrace", "put_cpu", "put_cpu_var",
			"put_cpu_ptr", "kunmap_atomic", "rcu_read_unlock_sched", "rcu_read_unlock_sched_notrace", "local_unlock", "kernel_fpu_end",
			"kernel_neon_end", "DC_FP_END", "dc_fpu_end")},
	{ctx: "with softirqs disabled", opened: "softirqs disabled here",
		enter: set("local_bh_disable", "rcu_read_lock_bh"),
		leave: set("local_bh_enable", "rcu_read_unlock_bh")},
	{ctx: "in an RCU read-side section", opened: "RCU read-side section begins here",
		enter: set("rcu_read_lock"),
		leave: set("rcu_read_unlock")},
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// maxDepth caps the nesting counted, so that the dataflow is finite.
const maxDepth = 3

// secState is, per section kind, the least and the most levels open over
// the paths to a point, and where the outermost one opened.
type secState struct {
	min, max [4]int8
	where    [4]parse.Pos
	// dropped: on some path, the function closed a section it did not
	// open (its caller's: `rcu_read_unlock(); folio_lock(); rcu_read_lock()`)
	dropped [4]bool
}

func (s *secState) join(t *secState) {
	for i := range s.min {
		if t.min[i] < s.min[i] {
			s.min[i] = t.min[i]
		}
		if t.max[i] > s.max[i] {
			s.max[i] = t.max[i]
		}
		if s.where[i] == (parse.Pos{}) {
			s.where[i] = t.where[i]
		}
		s.dropped[i] = s.dropped[i] || t.dropped[i]
	}
}

func (s *secState) apply(e *parse.Event) {
	if e.Kind != parse.EvCall {
		return
	}
	for i := range sections {
		sec := &sections[i]
		switch {
		case sec.enter[e.Callee]:
			if s.max[i] == 0 {
				s.where[i] = e.Pos
			}
			if s.min[i] < maxDepth {
				s.min[i]++
			}
			if s.max[i] < maxDepth {
				s.max[i]++
			}
		case sec.leave[e.Callee]:
			if s.max[i] == 0 {
				s.dropped[i] = true
			}
			if s.min[i] > 0 {
				s.min[i]--
			}
			if s.max[i] > 0 {
				s.max[i]--
			}
		case sec.reset[e.Callee]:
			if s.max[i] == 0 {
				s.dropped[i] = true // the caller's: `local_irq_enable(); schedule();`
			}
			s.min[i], s.max[i] = 0, 0
		}
		if s.max[i] == 0 {
			s.where[i] = parse.Pos{}
		}
	}
}

// secFlow is the section state before each call of a function.
type secFlow struct {
	at map[*parse.Event]secState
}

// sleepCache holds what the sleep checker computes once per Checker.
type sleepCache struct {
	callbacks map[*fnInfo]callbackReg
	// timers: where timers are set up and started, by field name, in each
	// function's event order (filled by atomicCallbacks)
	timers map[string][]timerEvent
}

func (c *Checker) sleepData() *sleepCache {
	if c.sleep == nil {
		c.sleep = &sleepCache{}
	}
	return c.sleep
}

// opensSection tells whether a function calls something that opens or
// closes an atomic section.
func opensSection(fn *parse.Function) bool {
	for _, b := range fn.Blocks {
		for i := range b.Events {
			if e := &b.Events[i]; e.Kind == parse.EvCall && sectionCalls[e.Callee] {
				return true
			}
		}
	}
	return false
}

// opensSection is opensSection(fi.fn), asked once.
func (fi *fnInfo) opensSection() bool {
	if fi.opens == 0 {
		fi.opens = 2
		if opensSection(fi.fn) {
			fi.opens = 1
		}
	}
	return fi.opens == 1
}

// sectionCalls are all the calls that open or close a section, for a
// quick look at every function.
var sectionCalls = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range sections {
		for _, ns := range []map[string]bool{s.enter, s.leave, s.reset} {
			for n := range ns {
				m[n] = true
			}
		}
	}
	return m
}()

// flowOf computes (once) the sections open before each call of fi; nil
// when fi opens none, or when its flow does not settle.
func (c *Checker) flowOf(fi *fnInfo) *secFlow {
	if fi.flowKnown {
		return fi.flow
	}
	var fl *secFlow
	if fi.opensSection() {
		fl = computeFlow(fi.fn)
	}
	fi.flow, fi.flowKnown = fl, true
	return fl
}

func computeFlow(fn *parse.Function) *secFlow {
	nb := len(fn.Blocks)
	in := make([]*secState, nb)
	in[0] = &secState{}
	preds := make([][]int, nb)
	for _, b := range fn.Blocks {
		for _, e := range b.Succs {
			preds[e.To] = append(preds[e.To], b.ID)
		}
	}
	out := make([]*secState, nb)
	// blocks in order, again until nothing changes: the values are bounded
	// (0..maxDepth), and the passes too, for control flow that never
	// settles
	for pass := 0; ; pass++ {
		if pass > 50 {
			return nil
		}
		changed := false
		for id := 0; id < nb; id++ {
			var st *secState
			if id == 0 {
				st = &secState{}
			}
			for _, p := range preds[id] {
				if out[p] == nil {
					continue
				}
				if st == nil {
					c := *out[p]
					st = &c
				} else {
					st.join(out[p])
				}
			}
			if st == nil {
				continue
			}
			in[id] = st
			o := *st
			for i := range fn.Blocks[id].Events {
				o.apply(&fn.Blocks[id].Events[i])
			}
			if out[id] == nil || out[id].min != o.min || out[id].max != o.max || out[id].dropped != o.dropped {
				out[id] = &o
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	fl := &secFlow{at: map[*parse.Event]secState{}}
	for id, b := range fn.Blocks {
		if in[id] == nil {
			continue
		}
		st := *in[id]
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind == parse.EvCall {
				fl.at[e] = st
			}
			st.apply(e)
		}
	}
	return fl
}

// callbackReg is where a function is registered to run in atomic context.
type callbackReg struct {
	kind, fn, file string
	pos            parse.Pos
	text           string
}

// registrations name the calls that register a callback which the kernel
// runs in atomic context, and which argument is the callback.
var registrations = map[string]struct {
	arg  int
	kind string
}{
	"timer_setup": {1, "timer callback"}, "setup_timer": {1, "timer callback"},
	"timer_setup_on_stack": {1, "timer callback"}, "setup_deferrable_timer": {1, "timer callback"},
	"tasklet_init": {1, "tasklet"}, "tasklet_setup": {1, "tasklet"},
	"request_irq": {1, "hard-irq handler"}, "devm_request_irq": {2, "hard-irq handler"},
	"request_threaded_irq": {1, "hard-irq handler"}, "devm_request_threaded_irq": {2, "hard-irq handler"},
	"request_percpu_irq": {1, "hard-irq handler"},
}

// staticKinds are the file-scope definitions whose callback runs in
// atomic context (parse.Static).
var staticKinds = map[string]string{"DEFINE_TIMER": "timer callback", "DECLARE_TASKLET": "tasklet",
	"DECLARE_TASKLET_OLD": "tasklet", "DECLARE_TASKLET_DISABLED": "tasklet"}

// atomicCallbacks finds (once) the functions in scope registered to run
// in atomic context.
func (c *Checker) atomicCallbacks() map[*fnInfo]callbackReg {
	sc := c.sleepData()
	if sc.callbacks != nil {
		return sc.callbacks
	}
	sc.callbacks = map[*fnInfo]callbackReg{}
	for _, f := range c.files {
		for _, st := range f.Statics {
			kind := staticKinds[st.Macro]
			if kind == "" {
				continue
			}
			if cb := c.lookup(st.Fn, f); cb != nil {
				if _, dup := sc.callbacks[cb]; !dup {
					sc.callbacks[cb] = callbackReg{kind: kind, fn: st.Name + " (file scope)", file: f.Name, pos: st.Pos,
						text: st.Macro + "(" + st.Name + ", " + st.Fn + ")"}
				}
			}
		}
	}
	// one pass: the registrations, and where timers are set up and
	// started (sleepCache.timers), which decide the timer ones
	type reg struct {
		fi *fnInfo
		e  *parse.Event
		cb *fnInfo
	}
	var regs []reg
	sc.timers = map[string][]timerEvent{}
	for _, fi := range c.funcs {
		for _, b := range fi.fn.Blocks {
			for i := range b.Events {
				e := &b.Events[i]
				if e.Kind != parse.EvCall || len(e.Args) == 0 {
					continue
				}
				r, ok := registrations[e.Callee]
				if timerArming[e.Callee] || ok && r.kind == "timer callback" && r.arg < len(e.Args) {
					if field := timerField(e.Args[0].Norm); field != "" {
						ev := timerEvent{fi: fi, off: e.Off}
						if ok {
							ev.cb = e.Args[r.arg].Norm
						}
						sc.timers[field] = append(sc.timers[field], ev)
					}
				}
				if !ok || r.arg >= len(e.Args) {
					continue
				}
				name := e.Args[r.arg].Norm
				if !parse.IsIdentifier(name) || name == "NULL" {
					continue
				}
				if cb := c.lookup(name, fi.file); cb != nil {
					regs = append(regs, reg{fi, e, cb})
				}
			}
		}
	}
	for _, g := range regs {
		r := registrations[g.e.Callee]
		if r.kind == "timer callback" && c.neverArmed(g.e.Args[0].Norm, g.e.Args[r.arg].Norm) {
			continue
		}
		if _, dup := sc.callbacks[g.cb]; !dup {
			sc.callbacks[g.cb] = callbackReg{kind: r.kind, fn: g.fi.fn.Name, file: g.fi.fn.File, pos: g.e.Pos,
				text: clipNote(g.e.Callee + "(" + argText(g.e) + ")")}
		}
	}
	return sc.callbacks
}

// timerArming are the calls that start a timer.
var timerArming = map[string]bool{"add_timer": true, "mod_timer": true, "add_timer_on": true, "timer_reduce": true,
	"mod_timer_pending": true}

// timerEvent is a timer set up (with callback cb) or started, on a
// field of that name, at byte off of function fi.
type timerEvent struct {
	fi  *fnInfo
	off uint32
	cb  string // "" for a start
}

// neverArmed tells whether timer (`&slot->task_event`) set up with
// callback cb is started, where the input starts it at all, only after
// being set up again with another callback in the same function: cpqphp
// sets up a slot's timer with its pushbutton thread, then before each
// add_timer() with a helper that only wakes the thread up, so the thread
// never runs as the timer's callback. A timer the input never starts is
// started elsewhere, with the callback it has.
func (c *Checker) neverArmed(timer, cb string) bool {
	field := timerField(timer)
	if field == "" {
		return false
	}
	armed := false
	var fi *fnInfo
	other := -1 // where the function set the timer up last with another callback
	for _, ev := range c.sleepData().timers[field] {
		if ev.fi != fi {
			fi, other = ev.fi, -1
		}
		switch {
		case ev.cb == cb:
			other = -1
		case ev.cb != "":
			other = int(ev.off)
		default:
			armed = true
			if other < 0 || other > int(ev.off) {
				return false // started with cb, as far as this function says
			}
		}
	}
	return armed
}

// timerField is the field a timer argument names (`task_event` of
// `&p_slot->task_event`), or "" for a plain variable.
func timerField(arg string) string {
	path := strings.TrimPrefix(arg, "&")
	if f := lastName(path); f != path && isPath(path) {
		return f
	}
	return ""
}

// sleepRelevant tells whether a function with no lock operation still
// needs the dataflow: it may sleep inside an atomic section of its own,
// or it runs in atomic context and may sleep.
func (c *Checker) sleepRelevant(fi *fnInfo) bool {
	if _, ok := c.atomicCallbacks()[fi]; !ok && c.flowOf(fi) == nil {
		return false
	}
	ty := &typer{fn: fi.fn, structs: c.structs}
	for _, b := range fi.fn.Blocks {
		for i := range b.Events {
			if e := &b.Events[i]; e.Kind == parse.EvCall {
				if _, _, _, ok := c.sleeps(fi, e, c.rec.ops(e, ty.typeOf)); ok {
					return true
				}
			}
		}
	}
	fi.sleepless = true // (quickSleeps need not look again)
	return false
}

// quickSleeps is the "may sleep" part of the summary of a function the
// dataflow skips: it holds no lock and opens no atomic section, so any
// call in it that may sleep does so in its caller's context.
func (c *Checker) quickSleeps(fi *fnInfo) []sleepFact {
	if fi.sleepless {
		return nil
	}
	var fs []sleepFact
	ty := &typer{fn: fi.fn, structs: c.structs}
	for _, b := range fi.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvCall {
				continue
			}
			if _, chain, param, inh, ok := c.sleepReasonG(fi, e, c.rec.ops(e, ty.typeOf)); ok && !resched(e.Callee) {
				if param < 0 {
					param = maskParam(fi.fn)
				}
				fs = addSleep(fs, param, fi.fn.File, e, e.Callee+"("+argText(e)+")", chain, c, fi, b.ID, inh)
			}
		}
	}
	return fs
}

// faultsOff tells whether fn runs with page faults disabled, so that its
// user accesses fail with -EFAULT instead of sleeping: by its own
// pagefault_disable(), or by its contract (`*_inatomic()`,
// `futex_atomic_op_inuser_local()`).
func faultsOff(fn *parse.Function) bool {
	for _, b := range fn.Blocks {
		for i := range b.Events {
			if n := b.Events[i].Callee; b.Events[i].Kind == parse.EvCall && (n == "pagefault_disable" || n == "pagefault_enable") {
				return true
			}
		}
	}
	return strings.Contains(fn.Name, "atomic")
}
