package check

import (
	"fmt"
	"strings"

	"github.com/locklint/locklint/parse"
)

// This file is the sleep-under-spinlock checker: which calls may sleep
// (directly, or one or more calls down through the summaries), which
// points of a function run in atomic context (a spinlock held on every
// path, interrupts or preemption disabled, an RCU read-side section, a
// callback registered to run in atomic context), and the "may sleep" part
// of a function's summary.

// sleepers may sleep whatever their arguments.
var sleepers = map[string]bool{
	"schedule": true, "schedule_timeout": true, "schedule_timeout_interruptible": true,
	"schedule_timeout_killable": true, "schedule_timeout_uninterruptible": true, "schedule_timeout_idle": true,
	"schedule_hrtimeout": true, "schedule_hrtimeout_range": true, "io_schedule": true, "io_schedule_timeout": true,
	"msleep": true, "msleep_interruptible": true, "ssleep": true, "usleep_range": true, "usleep_range_state": true,
	"fsleep": true, "cond_resched": true, "cond_resched_lock": false, "might_sleep": true,
	"wait_for_completion": true, "wait_for_completion_timeout": true, "wait_for_completion_interruptible": true,
	"wait_for_completion_interruptible_timeout": true, "wait_for_completion_killable": true,
	"wait_for_completion_killable_timeout": true, "wait_for_completion_io": true, "wait_for_completion_io_timeout": true,
	"synchronize_rcu": true, "synchronize_srcu": true, "synchronize_net": true, "rcu_barrier": true,
	"flush_work": true, "flush_delayed_work": true, "flush_workqueue": true, "drain_workqueue": true,
	"cancel_work_sync": true, "cancel_delayed_work_sync": true, "del_timer_sync": false,
	"kthread_stop": true, "destroy_workqueue": true,
	"copy_from_user": true, "copy_to_user": true, "get_user": true, "put_user": true, "clear_user": true,
	"strncpy_from_user": true, "memdup_user": true, "memdup_user_nul": true,
	"wait_on_page_locked": true, "wait_on_page_writeback": true, "folio_wait_locked": true,
	"folio_wait_writeback": true, "wait_on_buffer": true, "wait_on_bit": true, "wait_on_bit_io": true,
	"vfree": true, "kvfree": true, "vmalloc": true, "vzalloc": true, "get_user_pages": true,
	"get_user_pages_fast": true, "pin_user_pages": true, "pin_user_pages_fast": true,
	"request_firmware": true, "release_firmware": false, "firmware_request_nowarn": true,
	"device_initialize": false, "filp_open": true, "vm_mmap": true, "vm_munmap": true,
}

// gfpAllocators take a GFP mask: they sleep when it allows blocking.
var gfpAllocators = map[string]bool{
	"kmalloc": true, "kzalloc": true, "kcalloc": true, "kmalloc_array": true, "kmem_cache_alloc": true,
	"kmem_cache_zalloc": true, "kmem_cache_alloc_node": true, "alloc_pages": true, "alloc_page": true,
	"__get_free_pages": true, "__get_free_page": true, "get_zeroed_page": true, "kmalloc_node": true,
	"kzalloc_node": true, "kcalloc_node": true, "kmalloc_array_node": true, "alloc_pages_node": true,
	"folio_alloc": true, "kstrdup": true, "kstrndup": true, "kmemdup": true, "krealloc": true,
	"kvmalloc": true, "kvzalloc": true, "kvcalloc": true, "kvmalloc_array": true, "kvmalloc_node": true,
	"alloc_skb": true, "__alloc_skb": true, "skb_clone": true, "skb_copy": true, "dev_alloc_skb": false,
	"mempool_alloc": true, "dma_alloc_coherent": true, "dma_pool_alloc": true, "idr_alloc": true,
	"idr_alloc_cyclic": true, "ida_alloc": true, "ida_alloc_range": true, "ida_alloc_min": true, "ida_alloc_max": true,
	"radix_tree_preload": true, "alloc_workqueue": false, "kasprintf": true, "kvasprintf": true,
	"bitmap_zalloc": true, "bitmap_alloc": true, "kmem_cache_alloc_lru": true, "__kmalloc": true,
}

// sleepingGFP tells whether a GFP mask expression allows the allocator to
// block. Only masks written out count: a variable says nothing by itself.
func sleepingGFP(n string) bool {
	if strings.Contains(n, "GFP_ATOMIC") || strings.Contains(n, "GFP_NOWAIT") || strings.Contains(n, "__GFP_HIGH)") {
		return false
	}
	for _, m := range []string{"GFP_KERNEL", "GFP_USER", "GFP_HIGHUSER", "GFP_NOFS", "GFP_NOIO", "__GFP_DIRECT_RECLAIM", "__GFP_RECLAIM"} {
		if strings.Contains(n, m) {
			return true
		}
	}
	return n == "SLAB_KERNEL"
}

// dropsLockAPI are calls that take a GFP mask and may sleep with it, but
// are made to be called under their lock: they drop it around the
// allocation (`__xa_store` and friends release and retake xa_lock).
func dropsLockAPI(callee string) bool {
	return strings.HasPrefix(callee, "__xa_") || strings.HasPrefix(callee, "xas_")
}

// sleepFact says that a function may sleep: always (param < 0), or when
// its caller passes a blocking GFP mask as argument param. chain leads from
// the call in the function down to the sleeping primitive.
type sleepFact struct {
	param int
	chain []Note
}

// maxSleepChain bounds a chain's length: a trace down a deep call graph
// must not grow with it.
const maxSleepChain = 8

// sleepReason tells whether call e, made in fi, may sleep: the primitive
// or callee, the notes that lead to the sleep, and, when it sleeps only if
// the GFP mask fi itself was given does, which parameter of fi that is.
func (c *Checker) sleepReason(fi *fnInfo, e *parse.Event, ops []lockOp) (string, []Note, int, bool) {
	call := e.Callee + "()"
	for _, op := range ops {
		switch {
		case op.kind == opAcquire && op.sleep:
			return call, nil, -1, true
		case op.kind == opAcquire || op.kind == opRelease || op.kind == opHeld || op.kind == opTry:
			// a spinning primitive, or a trylock (which never waits)
			return "", nil, -1, false
		}
	}
	if len(ops) > 0 {
		// killable and interruptible acquisitions of sleeping locks
		for _, op := range ops {
			if op.kind == opTryZero && op.sleep {
				return call, nil, -1, true
			}
		}
		return "", nil, -1, false
	}
	if primitiveSleeps(e) {
		return call, nil, -1, true
	}
	if strings.HasPrefix(e.Callee, "might_sleep_if") || e.Callee == "might_alloc" {
		// might_sleep_if(gfpflags_allow_blocking(gfp)), might_alloc(gfp)
		if len(e.Args) > 0 {
			if p := gfpParam(fi.fn, e.Args[0].Norm); p >= 0 {
				return call, nil, p, true
			}
			if sleepingGFP(e.Args[0].Norm) {
				return call, nil, -1, true
			}
		}
		return "", nil, -1, false
	}
	callee := c.lookup(e.Callee, fi.file)
	if gfpAllocators[e.Callee] && callee == nil {
		for _, arg := range e.Args {
			if p := gfpParam(fi.fn, arg.Norm); p >= 0 {
				return call, nil, p, true
			}
		}
		return "", nil, -1, false
	}
	if callee != nil && callee.sum != nil {
		var cond *sleepFact
		for i := range callee.sum.sleeps {
			f := &callee.sum.sleeps[i]
			if f.param < 0 {
				return call, f.chain, -1, true
			}
			if f.param < len(e.Args) {
				arg := e.Args[f.param].Norm
				if sleepingGFP(arg) {
					return call, f.chain, -1, true
				}
				if p := gfpParam(fi.fn, arg); p >= 0 && cond == nil {
					cond = &sleepFact{param: p, chain: f.chain}
				}
			}
		}
		if cond != nil {
			return call, cond.chain, cond.param, true
		}
		return "", nil, -1, false
	}
	if callee == nil && !dropsLockAPI(e.Callee) {
		// a function not in view, or called through a pointer, that is
		// handed a blocking mask allocates with it
		for _, arg := range e.Args {
			if sleepingGFP(arg.Norm) && isGFPConst(arg.Norm) {
				return call, []Note{{File: fi.fn.File, Line: e.Pos.Line, Note: fmt.Sprintf("%s is passed %s", call, arg.Text)}}, -1, true
			}
		}
	}
	return "", nil, -1, false
}

// isGFPConst tells whether an argument is a GFP mask written out (and not,
// say, a flag word that merely mentions one).
func isGFPConst(n string) bool {
	return strings.HasPrefix(n, "GFP_") || strings.HasPrefix(n, "__GFP_") || strings.HasPrefix(n, "(GFP_")
}

// primitiveSleeps tells whether a call to something the engine does not
// analyze is known to sleep.
func primitiveSleeps(e *parse.Event) bool {
	if strings.HasPrefix(e.Callee, "wait_event_cmd") {
		// wait_event_cmd(wq, cond, unlock, lock) drops the lock around
		// its sleep through its command arguments
		for _, a := range e.Args {
			if strings.Contains(a.Norm, "unlock") {
				return false
			}
		}
	}
	// wait_event_*_locked and wait_event_lock_irq* drop the lock while
	// they sleep
	if sleepers[e.Callee] || strings.HasPrefix(e.Callee, "wait_event") && !strings.Contains(e.Callee, "_lock") {
		return true
	}
	if gfpAllocators[e.Callee] {
		for _, arg := range e.Args {
			if sleepingGFP(arg.Norm) {
				return true
			}
		}
	}
	return false
}

// gfpParam is the index of the parameter of fn that arg is (a gfp_t), or -1.
func gfpParam(fn *parse.Function, arg string) int {
	if !parse.IsIdentifier(arg) {
		return -1
	}
	for i, p := range fn.Params {
		if p.Name == arg && p.Pointer == 0 && strings.Contains(p.Type, "gfp") {
			return i
		}
	}
	return -1
}

// userAccess are the calls that fault in user memory, and so may sleep,
// unless page faults are disabled (pagefault_disable(), as futex code does).
var userAccess = map[string]bool{"copy_from_user": true, "copy_to_user": true, "get_user": true, "put_user": true, "clear_user": true}

// rcuMaySleep are sleeps that an RCU read-side section alone does not make
// a bug in every configuration (cond_resched() is a no-op for RCU under
// PREEMPT_RCU, and a quiescent state otherwise).
var rcuMaySleep = map[string]bool{"cond_resched": true, "might_sleep": true}

// checkSleep is the sleep-under-spinlock check at a call in the reporting
// pass, and notes in the summary where the function may sleep outside an
// atomic section of its own.
func (a *analysis) checkSleep(s state, e *parse.Event, ops []lockOp) {
	if userAccess[e.Callee] && faultsOff(a.fn) {
		return // page faults are off here: user access fails instead of sleeping
	}
	what, chain, param, ok := a.c.sleepReason(a.fi, e, ops)
	if !ok {
		return
	}
	msg := what + " may sleep"
	if len(chain) > 0 {
		msg = what + " may sleep (" + chainEnd(chain) + ")"
	}
	ctx, ctxNote, certain, maybe := a.atomicAt(s, e)
	if rcuMaySleep[e.Callee] && ctx == "in an RCU read-side section" {
		certain = false
	}
	if certain {
		if param < 0 {
			tr := []Note{ctxNote}
			if len(chain) > 0 {
				tr = append(tr, Note{File: a.fn.File, Line: e.Pos.Line, Note: "calls " + a.callText(e)})
				tr = append(tr, chain...)
			}
			a.finding("sleep-under-spinlock", a.c.sev["sleep-under-spinlock"], e, msg+", called "+ctx, tr...)
		}
		return
	}
	if maybe || a.droppedCallerLock(s) {
		// the sleep may be inside this function's own atomic section, or
		// after it let go of a lock its caller holds: callers learn nothing
		return
	}
	a.sum.sleeps = addSleep(a.sum.sleeps, param, a.fn.File, e, a.callText(e), chain)
}

// chainEnd names the primitive at the bottom of a chain.
func chainEnd(chain []Note) string {
	return strings.TrimSuffix(chain[len(chain)-1].Note, " may sleep")
}

// addSleep adds a fact (the first for each param) to a summary.
func addSleep(fs []sleepFact, param int, file string, e *parse.Event, text string, chain []Note) []sleepFact {
	for _, f := range fs {
		if f.param == param {
			return fs
		}
	}
	n := Note{File: file, Line: e.Pos.Line, Note: clipNote(text) + " may sleep"}
	if len(chain) > 0 {
		n.Note = "calls " + clipNote(text)
	}
	ch := append([]Note{n}, chain...)
	if len(ch) > maxSleepChain {
		ch = append(ch[:maxSleepChain-1:maxSleepChain-1], ch[len(ch)-1])
	}
	return append(fs, sleepFact{param: param, chain: ch})
}

// droppedCallerLock tells whether, on some path, a lock the caller holds
// was released before this point (`spin_unlock(&l); msleep(); spin_lock(&l)`
// in a helper called under l).
func (a *analysis) droppedCallerLock(s state) bool {
	for _, p := range s {
		for k, v := range p.locks.all() {
			if v.b&bN != 0 && a.callerHeld[k] {
				return true
			}
		}
	}
	return false
}

// atomicAt tells whether e runs in atomic context: certain when on every
// path (a spinlock held on all of them, an irq/preempt/RCU section open on
// all, or a callback that runs in atomic context), maybe when on some. ctx
// says which, for the message; note says where it began.
func (a *analysis) atomicAt(s state, e *parse.Event) (ctx string, note Note, certain, maybe bool) {
	if k, v, ok := a.heldSpin(s); ok {
		return "while holding spinlock " + k.inst, a.note(v.site, "%s taken here", v.site.full()), true, true
	}
	for _, p := range s {
		for k, v := range p.locks.all() {
			if v.b&bH != 0 && a.isSpin(k, v) {
				maybe = true
			}
		}
	}
	if reg, ok := a.c.atomicCallbacks()[a.fi]; ok {
		return "in " + reg.kind + " " + a.fn.Name, Note{File: reg.file, Line: reg.pos.Line,
			Note: fmt.Sprintf("%s registers %s as a %s (atomic context): %s", reg.fn, a.fn.Name, reg.kind, reg.text)}, true, true
	}
	if fl := a.c.flowOf(a.fi); fl != nil {
		st := fl.at[e]
		for i := range sections {
			if st.min[i] > 0 {
				return sections[i].ctx, Note{File: a.fn.File, Line: st.where[i].Line, Note: sections[i].opened}, true, true
			}
			if st.max[i] > 0 {
				maybe = true
			}
		}
	}
	return "", Note{}, false, maybe
}
