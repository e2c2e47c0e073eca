package check

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
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
	// setting up an interrupt allocates with GFP_KERNEL and takes the
	// descriptor's request mutex
	"request_irq": true, "request_threaded_irq": true, "devm_request_irq": true, "devm_request_threaded_irq": true,
	"free_irq": true,
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
	"radix_tree_preload": true, "kasprintf": true, "kvasprintf": true,
	"bitmap_zalloc": true, "bitmap_alloc": true, "kmem_cache_alloc_lru": true, "__kmalloc": true,
	// the page allocator's own entry points: in scope with mm/, they are
	// still judged by their mask, not by every path of their bodies
	"__alloc_pages": true, "__folio_alloc": true, "alloc_pages_vma": true, "vma_alloc_folio": true,
	"alloc_page_vma": true, "alloc_pages_exact": true, "alloc_pages_exact_nid": true, "__alloc_pages_node": true,
	"__kmalloc_node": true, "kmalloc_trace": true, "kmalloc_node_trace": true, "__kmalloc_node_track_caller": true,
	"kmalloc_node_track_caller": true, "kmem_cache_alloc_trace": true, "kmalloc_large": true,
}

// sleepingGFP tells whether a GFP mask expression allows the allocator to
// block. Only masks written out count: a variable says nothing by itself.
func sleepingGFP(n string) bool {
	if strings.Contains(n, "GFP_ATOMIC") || strings.Contains(n, "GFP_NOWAIT") || strings.Contains(n, "__GFP_HIGH)") ||
		strings.Contains(n, "~__GFP_DIRECT_RECLAIM") || strings.Contains(n, "~__GFP_RECLAIM") || strings.Contains(n, "~(__GFP_DIRECT_RECLAIM") {
		return false // `gfp & ~__GFP_DIRECT_RECLAIM`: the caller took blocking out
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
	// guard >= 0: the sleep is reached only when argument guard is
	// non-zero (nonZero) or zero (!nonZero): `__es_alloc_extent(false)`
	// takes the GFP_ATOMIC branch
	guard   int
	nonZero bool
	// bit, when set, narrows guard to one flag of it: the sleep needs
	// `flags & bit` non-zero (or zero): il_send_add_sta(..., CMD_ASYNC)
	bit string
	// path, when set, moves guard to a field of that (pointer) argument:
	// the sleep needs `arg->waiting` non-zero (or zero)
	path string
}

// maxSleepDepth is how many calls below a function a sleep may be for its
// callers to see it. Each level down is one more branch the call may not
// take in its caller's context (ICMP replies never reach the zerocopy
// allocation seven calls below them): deeper chains in Linux 6.1 were
// nearly all paths such a caller never takes.
const maxSleepDepth = 3

// maxSleepChain bounds a chain's length: a trace down a deep call graph
// must not grow with it.
const maxSleepChain = 8

// inherited is a guard a sleep found through a callee keeps: the callee
// sleeps only when its argument is non-zero (or zero), and this call
// passes one of the caller's own parameters there (`sleep_ok` handed down).
type inherited struct {
	guard   int
	nonZero bool
	bit     string
	path    string
}

// sleepReasonG tells whether call e, made in fi, may sleep: the primitive
// or callee, the notes that lead to the sleep, when it sleeps only if the
// GFP mask fi itself was given does, which parameter of fi that is, and
// the guard the caller inherits, if any (guard -1 when none).
func (c *Checker) sleepReasonG(fi *fnInfo, e *parse.Event, ops []lockOp) (string, []Note, int, inherited, bool) {
	chain, param, inh, ok := c.sleeps(fi, e, ops)
	if !ok {
		return "", nil, -1, inh, false
	}
	return e.Callee + "()", chain, param, inh, true
}

// sleeps is sleepReasonG without the call's text, which most calls (that
// do not sleep) never need.
func (c *Checker) sleeps(fi *fnInfo, e *parse.Event, ops []lockOp) ([]Note, int, inherited, bool) {
	none := inherited{guard: -1}
	if len(ops) == 0 && !sleepers[e.Callee] && !gfpAllocators[e.Callee] && len(e.Args) == 0 {
		// most calls: nothing that sleeps by name, and no mask to pass
		if callee := c.lookup(e.Callee, fi.file); callee == nil || callee.sum == nil || len(callee.sum.sleeps) == 0 {
			return nil, -1, none, false
		}
	}
	for _, op := range ops {
		switch {
		case op.kind == opAcquire && op.sleep:
			if strings.HasPrefix(e.Callee, "__Set") || strings.HasPrefix(e.Callee, "__set") || strings.HasPrefix(e.Callee, "__folio_set") {
				// __SetPageLocked() marks a page nobody else sees yet
				return nil, -1, none, false
			}
			return nil, -1, none, true
		case op.kind == opAcquire || op.kind == opRelease || op.kind == opHeld || op.kind == opTry:
			// a spinning primitive, or a trylock (which never waits)
			return nil, -1, none, false
		}
	}
	if len(ops) > 0 {
		// killable and interruptible acquisitions of sleeping locks
		for _, op := range ops {
			if op.kind == opTryZero && op.sleep && !strings.Contains(e.Callee, "trylock") {
				// mutex_lock_killable() waits; down_trylock() does not
				return nil, -1, none, true
			}
		}
		return nil, -1, none, false
	}
	if primitiveSleeps(e) && !(strings.Contains(e.Callee, "_user") && faultsOff(fi.fn)) {
		return nil, -1, none, true
	}
	if strings.HasPrefix(e.Callee, "might_sleep_if") || e.Callee == "might_alloc" {
		// might_sleep_if(gfpflags_allow_blocking(gfp)), might_alloc(gfp)
		if len(e.Args) > 0 {
			if p := gfpParam(fi.fn, e.Args[0].Norm); p >= 0 {
				return nil, p, none, true
			}
			if sleepingGFP(e.Args[0].Norm) {
				return nil, -1, none, true
			}
		}
		return nil, -1, none, false
	}
	callee := c.lookup(e.Callee, fi.file)
	if gfpAllocators[e.Callee] {
		// by its mask, whether or not its body is in view: the paths
		// inside that sleep test the mask first
		for _, arg := range e.Args {
			if p := gfpParam(fi.fn, arg.Norm); p >= 0 {
				return nil, p, none, true
			}
		}
		return nil, -1, none, false
	}
	if callee != nil && callee.sum != nil && !putStyle(e.Callee) {
		var cond *sleepFact
		for i := range callee.sum.sleeps {
			f := &callee.sum.sleeps[i]
			if len(f.chain) > maxSleepDepth {
				continue
			}
			if f.guard >= 0 && f.guard < len(e.Args) && f.path == "" && contradictsBit(e.Args[f.guard].Norm, f.nonZero, f.bit) {
				continue // this call's constant argument takes the other branch
			}
			inh := none
			if f.guard >= 0 && f.guard < len(e.Args) && f.path != "" {
				// the flag is a field of the object passed: what this
				// function put there, or what its own caller did
				arg := e.Args[f.guard].Norm
				if konst, ok := ownStore(fi.fn, arg+f.path, e); ok {
					if contradicts(konst, f.nonZero) {
						continue // this function set it to take the other branch
					}
				} else if k := paramIndex(fi.fn, arg); k >= 0 && fi.fn.Params[k].Pointer > 0 && !assignedOften(fi.fn, arg) {
					inh = inherited{guard: k, nonZero: f.nonZero, path: f.path}
				} else if k, konst := c.fieldValue(fi, arg+f.path); k >= 0 {
					inh = inherited{guard: k, nonZero: f.nonZero}
				} else if konst != "" && contradicts(konst, f.nonZero) {
					continue // set to the value that takes the other branch
				}
				// otherwise the object's state, which may be either
			} else if f.guard >= 0 && f.guard < len(e.Args) {
				arg := e.Args[f.guard].Norm
				for k, p := range fi.fn.Params {
					if p.Name == arg {
						inh = inherited{guard: k, nonZero: f.nonZero, bit: f.bit}
					}
				}
				if inh.guard < 0 && !contradictsBit(arg, !f.nonZero, f.bit) && !strings.HasPrefix(f.bit, "==") {
					// neither a constant that takes the sleeping branch nor
					// the caller's own flag: `CAN_NOT_SLEEP`, an enum, an
					// expression; what it is decides, and is not known here
					// (a value compared for equality is any value but the
					// constants: it may sleep)
					continue
				}
			}
			if f.param < 0 {
				return f.chain, -1, inh, true
			}
			if f.param < len(e.Args) {
				arg := e.Args[f.param].Norm
				if sleepingGFP(arg) {
					return f.chain, -1, inh, true
				}
				if p := gfpParam(fi.fn, arg); p >= 0 && cond == nil {
					cond = &sleepFact{param: p, chain: f.chain}
				}
			}
		}
		if cond != nil {
			return cond.chain, cond.param, none, true
		}
		return nil, -1, none, false
	}
	if callee == nil && !dropsLockAPI(e.Callee) && (strings.ContainsAny(e.Callee, ".>") || strings.Contains(e.Callee, "alloc")) {
		// a method called through a pointer, or an allocator not in
		// view, that is handed a blocking mask allocates with it (other
		// functions take a mask only to look at it: gfp_zone(),
		// node_zonelist())
		for _, arg := range e.Args {
			if sleepingGFP(arg.Norm) && isGFPConst(arg.Norm) {
				return []Note{{File: fi.fn.File, Line: e.Pos.Line, Note: fmt.Sprintf("%s() is passed %s", e.Callee, arg.Text)}}, -1, none, true
			}
		}
	}
	return nil, -1, none, false
}

// putStyle names functions that drop a reference (bpf_prog_put(),
// kcov_put(), put_event()): they free, and may sleep, only on the last
// one, which a caller inside a lock usually does not hold.
func putStyle(name string) bool {
	return strings.Contains(name, "_put") || strings.HasPrefix(name, "put_") || strings.HasSuffix(name, "_unref")
}

// resched are calls that give up the CPU only if it is wanted: in a chain
// below a lock they are nearly always behind a flag that says whether the
// caller may sleep (console_flush_all(do_cond_resched, ...)), so they
// count only where they are called directly.
func resched(name string) bool { return strings.HasPrefix(name, "cond_resched") }

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
	if sleepers[e.Callee] || kernelWaitEvent(e.Callee) {
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

// kernelWaitEvent tells whether a name is one of wait.h's sleeping
// wait_event variants (wait_event_interruptible_timeout ...), not one that
// drops a lock around its sleep (wait_event_lock_irq, _locked) nor a
// driver's own macro on top of wait_event_cmd (raid10's
// wait_event_barrier(), which drops resync_lock).
func kernelWaitEvent(name string) bool {
	rest, ok := strings.CutPrefix(name, "wait_event")
	if !ok || rest != "" && rest[0] != '_' {
		return false
	}
	for _, w := range strings.Split(strings.TrimPrefix(rest, "_"), "_") {
		switch w {
		case "", "interruptible", "timeout", "killable", "freezable", "idle", "exclusive", "hrtimeout", "state", "var", "io", "uninterruptible":
		default:
			return false
		}
	}
	return true
}

// gfpParam is the index of the gfp_t parameter of fn that the mask arg
// is made from (`gfp`, `gfp_mask & ~__GFP_HIGHMEM`), or -1.
func gfpParam(fn *parse.Function, arg string) int {
	for i, p := range fn.Params {
		if p.Pointer == 0 && strings.Contains(p.Type, "gfp") && mentions(arg, p.Name) {
			return i
		}
	}
	return -1
}

// ownGFP is the first gfp_t parameter of fn, or -1. A function that is
// handed a mask sleeps only as far as the mask lets it: its callers pass
// GFP_ATOMIC when they cannot sleep, and the paths inside that would sleep
// test the mask first (node_reclaim(), the allocator's slow path). So a
// sleep found in it is one its callers see only with a blocking mask.
func ownGFP(fn *parse.Function) int {
	for i, p := range fn.Params {
		if p.Pointer == 0 && strings.Contains(p.Type, "gfp") {
			return i
		}
	}
	return -1
}

// maskParam is the gfp_t parameter a sleep of fn depends on when no
// argument of the sleeping call says so (ownGFP), if fn looks at its mask
// at all: tests it in a branch (`if (!gfpflags_allow_blocking(gfp))`) or
// asserts with it (might_sleep_if(), might_alloc()). A function that only
// passes its mask on, and sleeps elsewhere with GFP_KERNEL of its own
// (sctp_cmd_interpreter(..., gfp) down to sctp_sched_set_sched()), sleeps
// whatever its caller gave it: -1 then.
func maskParam(fn *parse.Function) int {
	p := ownGFP(fn)
	if p < 0 {
		return -1
	}
	name := fn.Params[p].Name
	for _, b := range fn.Blocks {
		for _, ed := range b.Succs {
			if ed.Cond != "" && mentions(ed.Cond, name) && mentions(maskTest(ed.Cond), name) {
				return p
			}
		}
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind != parse.EvCall || !(strings.HasPrefix(e.Callee, "might_") || strings.Contains(e.Callee, "blocking")) {
				continue
			}
			for _, a := range e.Args {
				if mentions(a.Norm, name) {
					return p
				}
			}
		}
	}
	return -1
}

// maskTest is a branch test without the arguments of the calls in it
// that do not look at a mask: `0 != (error = sctp_cmd_interpreter(...,
// gfp))` passes the mask on and tests the result, while
// `!gfpflags_allow_blocking(gfp)` and `gfp & __GFP_DIRECT_RECLAIM` test it.
func maskTest(cond string) string {
	var out strings.Builder
	for i := 0; i < len(cond); i++ {
		c := cond[i]
		if c != '(' {
			out.WriteByte(c)
			continue
		}
		j := i
		for j > 0 && isIdentByte(cond[j-1]) {
			j--
		}
		callee := cond[j:i]
		if callee == "" || strings.Contains(callee, "gfp") || strings.Contains(callee, "blocking") || strings.Contains(callee, "reclaim") {
			out.WriteByte(c)
			continue
		}
		depth := 0
		for ; i < len(cond); i++ {
			if cond[i] == '(' {
				depth++
			} else if cond[i] == ')' {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		out.WriteString("()")
	}
	return out.String()
}

// rcuMaySleep are sleeps that an RCU read-side section alone does not make
// a bug in every configuration (cond_resched() is a no-op for RCU under
// PREEMPT_RCU, and a quiescent state otherwise).
var rcuMaySleep = map[string]bool{"cond_resched": true, "might_sleep": true}

// checkSleep is the sleep-under-spinlock check at a call in the reporting
// pass, and notes in the summary where the function may sleep outside an
// atomic section of its own.
func (a *analysis) checkSleep(s state, e *parse.Event, ops []lockOp) {
	what, chain, param, inh, ok := a.c.sleepReasonG(a.fi, e, ops)
	if !ok {
		return
	}
	msg := what + " may sleep"
	if len(chain) > 0 {
		msg = what + " may sleep (" + chainEnd(chain) + ")"
	}
	ctx, ctxNote, certain, maybe := a.atomicAt(s, e)
	atomicSure := certain
	if rcuMaySleep[e.Callee] && ctx == "in an RCU read-side section" {
		certain = false
	}
	_, callback := a.c.atomicCallbacks()[a.fi]
	if certain && (callback || interruptContext(ctx, ctxNote.Note)) && freesOnly(e, chain) {
		certain = false
	}
	if certain {
		if param < 0 {
			sev := a.c.sev["sleep-under-spinlock"]
			tr := []Note{ctxNote}
			if len(chain) > 0 {
				tr = append(tr, Note{File: a.fn.File, Line: e.Pos.Line, Note: "calls " + a.callText(e)})
				tr = append(tr, chain...)
				// a summary says the callee may sleep on some path of
				// its own, which a flag or a state it keeps may rule
				// out: a warning, like a lock held on some paths only
				if sev == rules.Error {
					sev = rules.Warning
				}
			}
			a.finding("sleep-under-spinlock", sev, e, msg+", called "+ctx, tr...)
		}
		return
	}
	if !atomicSure && param < 0 && len(chain) == 0 && !resched(e.Callee) {
		if k, v, ok := a.heldSpin(s); ok && v.site.note != "" && !a.releasedElsewhere(s, k) {
			// a spinlock a callee took (pdc_cpu_rendezvous_lock()) and
			// its summary says it left held on every path
			a.finding("sleep-under-spinlock", rules.Warning, e,
				fmt.Sprintf("%s, called while holding %s, taken by %s", msg, a.spinName(k, v), v.site.text),
				a.note(v.site, "%s taken here", v.site.full()))
			return
		}
	}
	if maybe && !atomicSure && param < 0 && !resched(e.Callee) {
		// a sleeping call where some path holds a spinlock this function
		// took (`if (!swapcache) spin_lock(&l); ... msleep(1);`); a
		// helper's sleep only when the lock is taken on a flag the caller
		// passes (`if (!locked) spin_lock_bh(&map->lock)`): on the other
		// paths the caller holds it
		if k, v, ok := a.someSpin(s); ok && (len(chain) == 0 || a.takenOnFlag(v.site.pos)) {
			tr := []Note{a.note(v.site, "%s taken here", v.site.full())}
			how := "on some paths"
			if len(chain) > 0 {
				how = "(taken here on a flag its caller passes, held by the caller otherwise)"
				tr = append(tr, Note{File: a.fn.File, Line: e.Pos.Line, Note: "calls " + a.callText(e)})
				tr = append(tr, chain...)
			}
			a.finding("sleep-under-spinlock", rules.Warning, e,
				fmt.Sprintf("%s, called while holding %s %s", msg, a.spinName(k, v), how), tr...)
		}
	}
	if maybe || resched(e.Callee) || len(a.callerHeld) > 0 || a.droppedCallerLock(s) {
		// the sleep may be inside this function's own atomic section, or
		// after it let go of a lock its caller holds: callers learn nothing
		return
	}
	if param < 0 {
		param = maskParam(a.fn)
	}
	b, _ := a.locate(e)
	a.sum.sleeps = addSleep(a.sum.sleeps, param, a.fn.File, e, a.callText(e), chain, a.c, a.fi, b, inh)
}

// spinName names a held spinlock for a message: as the code spells it,
// or by the call that took it when its object was made here.
func (a *analysis) spinName(k key, v lockVal) string {
	if !stable(k.inst) || strings.ContainsRune(k.inst, '(') {
		return "the spinlock from " + v.site.text
	}
	return "spinlock " + a.asWritten(k.inst)
}

// someSpin finds a spinlock this function took itself, held exactly on
// some path here.
// takenOnFlag tells whether the acquisition at pos is made only under a
// test of a scalar parameter the function never assigns (`if (!locked)`,
// `if (do_idr_lock)`): the caller says by it that it holds the lock.
func (a *analysis) takenOnFlag(pos parse.Pos) bool {
	b := a.blockAt(pos)
	if b < 0 || !a.onlyPred(b) {
		return false
	}
	p := a.predecessors()[b][0]
	flag := false
	for _, s := range a.fn.Blocks[p].Succs {
		// (a.assigns: every variable the function assigns, from prescan)
		if c := strings.TrimPrefix(s.Cond, "!"); s.To == b && s.Case == "" && len(a.assigns[c]) == 0 && a.flagParam(c, nil) {
			flag = true
		}
	}
	if !flag {
		return false
	}
	// (not a flag that picks which lock: `if (atomic) read_lock(l);
	// else down_read(sem);`)
	for _, s := range a.fn.Blocks[p].Succs {
		if s.To == b || s.To < 0 || s.To >= len(a.fn.Blocks) {
			continue
		}
		for i := range a.fn.Blocks[s.To].Events {
			for _, op := range a.ops(&a.fn.Blocks[s.To].Events[i]) {
				if op.kind == opAcquire || op.kind == opTry || op.kind == opTryZero {
					return false
				}
			}
		}
	}
	return true
}

func (a *analysis) someSpin(s state) (key, lockVal, bool) {
	for _, p := range s {
		for _, k := range sortedLocks(p) {
			v, _ := p.locks.lookup(k)
			if v.b == bH && a.direct[k] && a.isSpin(k, v) && v.site.note == "" && !unstable(k.inst) {
				return k, v, true
			}
		}
	}
	return key{}, lockVal{}, false
}

// sortedLocks lists a path's locks in key order.
func sortedLocks(p *partition) []key {
	var ks []key
	for k := range p.locks.all() {
		ks = append(ks, k)
	}
	sortKeys(ks)
	return ks
}

// interruptContext tells whether a context counts as interrupt context
// for in_interrupt(): softirqs disabled (spin_lock_bh too), a softirq or
// hard-irq callback.
func interruptContext(ctx, where string) bool {
	return ctx == "with softirqs disabled" || strings.Contains(where, "_bh(") || strings.HasPrefix(ctx, "in timer") ||
		strings.HasPrefix(ctx, "in tasklet") || strings.HasPrefix(ctx, "in hard-irq")
}

// freesOnly tells whether the sleep is vfree()'s: in interrupt context it
// defers the free instead of sleeping.
func freesOnly(e *parse.Event, chain []Note) bool {
	bottom := e.Callee + "("
	if len(chain) > 0 {
		bottom = chain[len(chain)-1].Note
	}
	return strings.HasPrefix(bottom, "vfree(") || strings.HasPrefix(bottom, "kvfree(")
}

// chainEnd names the primitive at the bottom of a chain.
func chainEnd(chain []Note) string {
	return strings.TrimSuffix(chain[len(chain)-1].Note, " may sleep")
}

// contradicts tells whether a constant argument is zero where nonZero is
// needed, or the reverse.
func contradicts(arg string, nonZero bool) bool {
	switch arg {
	case "0", "false", "NULL":
		return nonZero
	case "1", "true":
		return !nonZero
	}
	return false
}

// contradictsBit is contradicts for one flag of a flag word: an argument
// made of named constants has the flag when it names it.
func contradictsBit(arg string, nonZero bool, bit string) bool {
	if bit == "" {
		return contradicts(arg, nonZero)
	}
	if x, eq := strings.CutPrefix(bit, "=="); eq {
		// `if (state == TASK_RUNNING) return`: a constant argument is
		// that value or another
		// (`if (code == A || code == B) msleep()`: "==A|B", one of them)
		if arg != "0" && !isConstName(arg) {
			return false
		}
		return slices.Contains(strings.Split(x, "|"), arg) != nonZero
	}
	if arg == "0" {
		return nonZero
	}
	for i := 0; i < len(arg); i++ {
		if c := arg[i]; !(c == '_' || c == '|' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false // not only constants: not known
		}
	}
	return mentions(arg, bit) != nonZero
}

// fallbackOnly tells whether block b of fn runs only where an object has
// no method of its own for the job: reached only past `if (op)` false
// for a method pointer op that fn calls where it is set
// (`if (hdev->ll_driver->request) return hdev->ll_driver->request(...);`
// then a generic fallback that sleeps). The drivers that call it under a
// spinlock are the ones whose method does not sleep; the sleep is the
// fallback's, not its callers'.
func fallbackOnly(fn *parse.Function, b int) bool {
	called := map[string]bool{}
	for _, blk := range fn.Blocks {
		for i := range blk.Events {
			if x := &blk.Events[i]; x.Kind == parse.EvCall && strings.Contains(x.Callee, "->") {
				called[x.Callee] = true
			}
		}
	}
	if len(called) == 0 {
		return false
	}
	for op := range called {
		unset := func(e parse.Edge) bool { return e.Cond == op && e.Neg || e.Cond == "!"+op && !e.Neg }
		tested := false
		for _, blk := range fn.Blocks {
			for _, e := range blk.Succs {
				tested = tested || unset(e)
			}
		}
		if tested && !reachableWithout(fn, b, unset) {
			return true
		}
	}
	return false
}

// contextTests are the calls by which code asks whether it may sleep.
var contextTests = []string{"in_atomic(", "irqs_disabled(", "in_interrupt(", "in_irq(", "in_softirq(",
	"in_serving_softirq(", "in_hardirq(", "in_task(", "preemptible(", "in_atomic_preempt_off("}

// contextChecked tells whether block b of fn is reached only past a test
// of the context it runs in, or of a variable set from one
// (`not_atomic = !in_atomic() && !irqs_disabled(); ... if (not_atomic)
// msleep(...); else cpu_relax();`): the function decides at run time
// whether it may sleep, and its callers under a spinlock take the other
// branch.
func contextChecked(fn *parse.Function, b int) bool {
	isTest := func(x string) bool {
		for _, t := range contextTests {
			if strings.Contains(x, t) {
				return true
			}
		}
		return false
	}
	var vars []string
	tested := false
	for _, blk := range fn.Blocks {
		for i := range blk.Events {
			if x := &blk.Events[i]; x.Kind == parse.EvAssign && isTest(x.Value.Norm) {
				vars = append(vars, x.Var)
			}
		}
	}
	skip := func(e parse.Edge) bool {
		if e.Cond == "" {
			return false
		}
		if isTest(e.Cond) {
			return true
		}
		for _, v := range vars {
			if mentions(e.Cond, v) {
				return true
			}
		}
		return false
	}
	for _, blk := range fn.Blocks {
		for _, e := range blk.Succs {
			tested = tested || skip(e)
		}
	}
	return tested && !reachableWithout(fn, b, skip)
}

// reachableWithout tells whether block b is reached from the entry
// without taking an edge skip says to leave out.
func reachableWithout(fn *parse.Function, b int, skip func(parse.Edge) bool) bool {
	return b == 0 || reachesSkipping(fn, 0, b, skip)
}

// constGuard finds a scalar parameter whose value decides whether block b
// of fn is reached: b cannot be reached from the entry when the parameter
// is zero (nonZero), or when it is not. Failing that, a field of a
// pointer parameter that decides it (fieldFlags).
func constGuard(c *Checker, fi *fnInfo, b int) (inherited, bool) {
	fn := fi.fn
	// a flag first (`can_sleep`), then a bit of one or a value compared
	// (`direction == PLAYBACK`), which other callers' values may take
	// the scalar parameters some branch tests, each with the names it
	// is tested under: its own, and where it was stored first
	// (`ctrl->state = new_state`, then `if (ctrl->state ==
	// NVME_CTRL_LIVE)`)
	type flag struct {
		i     int
		names []string
	}
	var flags []flag
	for i, p := range fn.Params {
		if p.Pointer != 0 || strings.Contains(p.Type, "gfp") || i > 8 {
			continue
		}
		names := append([]string{p.Name}, storedCopies(fn, p.Name)...)
		for _, x := range c.calleeCopies(fi, p.Name) {
			if !contains(names, x) {
				names = append(names, x)
			}
		}
		if slices.ContainsFunc(names, func(x string) bool { return branchesOn(fn, x) }) {
			flags = append(flags, flag{i, names})
		}
	}
	for _, f := range flags {
		for _, zero := range []bool{true, false} {
			if !reachableAs(fn, b, f.names, "", zero) {
				return inherited{guard: f.i, nonZero: zero}, true
			}
		}
	}
	for _, f := range flags {
		i, names := f.i, f.names
		var bits []string
		for _, n := range names {
			for _, bit := range flagBits(fn, n) {
				if !contains(bits, bit) {
					bits = append(bits, bit)
				}
			}
		}
		for _, bit := range bits {
			for _, zero := range []bool{true, false} {
				if !reachableAs(fn, b, names, bit, zero) {
					return inherited{guard: i, nonZero: zero, bit: bit}, true
				}
			}
		}
		// reached only when the value is one of several compared
		// (`if (code == A || code == B)`): not when it is none of them
		var vals []string
		for _, bit := range bits {
			if x, ok := strings.CutPrefix(bit, "=="); ok {
				vals = append(vals, x)
			}
		}
		if len(vals) > 1 {
			set := "==" + strings.Join(vals, "|")
			if !reachableAs(fn, b, names, set, true) {
				return inherited{guard: i, nonZero: true, bit: set}, true
			}
		}
	}
	// last, a flag kept in the object given (what the caller set up): one
	// that lets the sleep happen first (`if (req->waiting)`), before one
	// that turns back on some state (`if (rf->reset) return -EBUSY`)
	ff := c.fieldFlagsOf(fi)
	for _, zero := range []bool{true, false} {
		for _, f := range ff {
			if !reachable(fn, b, fn.Params[f.i].Name+f.path, "", zero) {
				return inherited{guard: f.i, nonZero: zero, path: f.path}, true
			}
		}
	}
	return inherited{guard: -1}, false
}

// branchesOn tells whether some branch of fn tests a condition that
// mentions v (else v decides no block's reach).
func branchesOn(fn *parse.Function, v string) bool {
	for _, blk := range fn.Blocks {
		for _, e := range blk.Succs {
			if e.Cond != "" && mentions(e.Cond, v) {
				return true
			}
		}
	}
	return false
}

// flagBits are the constants X that branches of fn test as `v&X`, and
// as `v==X` (given as "==X").
func flagBits(fn *parse.Function, v string) []string {
	var bits []string
	for _, blk := range fn.Blocks {
		for _, e := range blk.Succs {
			c := strings.TrimLeft(e.Cond, "!")
			if x, ok := strings.CutPrefix(c, v+"&"); ok && parse.IsIdentifier(x) && !contains(bits, x) && len(bits) < 4 {
				bits = append(bits, x)
			}
			if x, ok := strings.CutPrefix(c, v+"=="); ok && isConstName(x) && !contains(bits, "=="+x) && len(bits) < 4 {
				bits = append(bits, "=="+x)
			}
		}
	}
	return bits
}

// isConstName tells whether x is named like a constant (TASK_RUNNING).
func isConstName(x string) bool {
	return parse.IsIdentifier(x) && strings.ToUpper(x) == x && strings.IndexFunc(x, func(r rune) bool { return r >= 'A' && r <= 'Z' }) >= 0
}

// reachable tells whether block b can be reached from the entry when
// variable v starts zero (or non-zero). Assignments of a constant on the
// way change what it is (`sleep_ok = false` under a condition); any other
// assignment makes it unknown, and then b counts as reachable.
func reachable(fn *parse.Function, b int, v, bit string, zero bool) bool {
	return reachableAs(fn, b, []string{v}, bit, zero)
}

// reachableAs is reachable for variable names[0], which names[1:] hold
// copies of wherever they are tested (storedCopies).
func reachableAs(fn *parse.Function, b int, names []string, bit string, zero bool) bool {
	v := names[0]
	var tested []string
	for _, n := range names {
		if x, ok := strings.CutPrefix(bit, "=="); ok {
			// one value, or several: with zero, the value is none of them
			for _, y := range strings.Split(x, "|") {
				tested = append(tested, n+"=="+y)
			}
		} else if bit != "" {
			tested = append(tested, n+"&"+bit)
		} else {
			tested = append(tested, n)
		}
	}
	type at struct {
		id   int
		zero bool
	}
	// seen: bit 1 for a visit with v zero, bit 2 with v non-zero
	seen := make([]uint8, len(fn.Blocks))
	bitOf := func(z bool) uint8 {
		if z {
			return 1
		}
		return 2
	}
	seen[0] = bitOf(zero)
	stack := []at{{0, zero}}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if cur.id == b {
			return true
		}
		blk := fn.Blocks[cur.id]
		z := cur.zero
		for i := range blk.Events {
			if ev := &blk.Events[i]; ev.Kind == parse.EvAssign && ev.Var == v {
				switch ev.Value.Norm {
				case "0", "false", "NULL":
					z = true
				case "1", "true":
					if bit != "" {
						return true
					}
					z = false
				default:
					return true // its value at the entry decides nothing
				}
			}
		}
	edges:
		for _, e := range blk.Succs {
			for _, t := range tested {
				if needs, ok := condOn(e, t); ok && needs == z {
					continue edges // the edge needs v non-zero (or zero): not taken
				}
			}
			if seen[e.To]&bitOf(z) == 0 {
				seen[e.To] |= bitOf(z)
				stack = append(stack, at{e.To, z})
			}
		}
	}
	return false
}

// storedCopies are the paths fn stores v to, once and from nothing
// else, ahead of every branch that tests them (each test reached from
// the store and not the other way round): where tested, they hold v's
// value, on the paths that stored it.
func storedCopies(fn *parse.Function, v string) []string {
	writes := map[string]int{} // path -> block of its one store of v
	other := map[string]bool{} // paths stored to otherwise, or twice
	for _, blk := range fn.Blocks {
		for i := range blk.Events {
			e := &blk.Events[i]
			if e.Kind != parse.EvWrite || !isPath(e.LHS.Norm) {
				continue
			}
			x := e.LHS.Norm
			if _, twice := writes[x]; twice || e.Op != "=" || e.Value.Norm != v {
				other[x] = true
				continue
			}
			writes[x] = blk.ID
		}
	}
	var out []string
	for x, w := range writes {
		if other[x] {
			continue
		}
		after := true // every test of x comes after the store, never before it
		for _, blk := range fn.Blocks {
			for _, e := range blk.Succs {
				if after && e.Cond != "" && mentions(e.Cond, x) && blk.ID != w &&
					(!reaches(fn, w, blk.ID) || reaches(fn, blk.ID, w)) {
					after = false
				}
			}
		}
		if after && len(out) < 4 {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// reaches tells whether block to can be reached from block from by one
// edge or more (from itself: round a loop).
func reaches(fn *parse.Function, from, to int) bool {
	return reachesSkipping(fn, from, to, nil)
}

// reachesSkipping is reaches leaving out the edges skip says (nil: none).
func reachesSkipping(fn *parse.Function, from, to int, skip func(parse.Edge) bool) bool {
	seen := make([]bool, len(fn.Blocks))
	seen[from] = true
	stack := []int{from}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range fn.Blocks[id].Succs {
			if skip != nil && skip(e) {
				continue
			}
			if e.To == to {
				return true
			}
			if !seen[e.To] {
				seen[e.To] = true
				stack = append(stack, e.To)
			}
		}
	}
	return false
}

// condOn tells whether taking edge e needs v non-zero (true) or zero.
func condOn(e parse.Edge, v string) (bool, bool) {
	if e.Cond == "" || e.Case != "" {
		return false, false
	}
	want := !e.Neg
	c := e.Cond
	for strings.HasPrefix(c, "!") {
		c, want = c[1:], !want
	}
	if c != v {
		return false, false
	}
	return want, true
}

// addSleep adds a fact (the first for each param) to a summary.
func addSleep(fs []sleepFact, param int, file string, e *parse.Event, text string, chain []Note, c *Checker, fi *fnInfo, block int, inh inherited) []sleepFact {
	fn := fi.fn
	if block >= 0 && (fallbackOnly(fn, block) || contextChecked(fn, block)) {
		return fs
	}
	for _, f := range fs {
		if f.param == param && f.guard < 0 && len(f.chain) <= len(chain)+1 {
			return fs // says all a new one could
		}
	}
	g, ok := inherited{guard: -1}, false
	if block >= 0 {
		g, ok = constGuard(c, fi, block)
	}
	if !ok {
		g = inh
	}
	guard := g.guard
	n := Note{File: file, Line: e.Pos.Line, Note: clipNote(text) + " may sleep"}
	if len(chain) > 0 {
		n.Note = "calls " + clipNote(text)
	}
	ch := append([]Note{n}, chain...)
	if len(ch) > maxSleepChain {
		ch = append(ch[:maxSleepChain-1:maxSleepChain-1], ch[len(ch)-1])
	}
	f := sleepFact{param: param, chain: ch, guard: guard, nonZero: g.nonZero, bit: g.bit, path: g.path}
	for i := range fs {
		if fs[i].param == param {
			if guard < 0 && (fs[i].guard >= 0 || len(ch) < len(fs[i].chain)) {
				// unguarded says more than guarded, and a shorter chain
				// more than a longer one, which callers may not follow
				fs[i] = f
			}
			return fs
		}
	}
	return append(fs, f)
}

// releasedElsewhere tells whether the lock object of k was released, on
// some path, under another class: `spin_lock(lock)` in a helper given
// `&free_vmap_area_lock` and `spin_unlock(&free_vmap_area_lock)` in its
// caller name one lock two ways, and the lock dataflow keeps them apart.
func (a *analysis) releasedElsewhere(s state, k key) bool {
	for _, p := range s {
		for o, v := range p.locks.all() {
			if o.inst == k.inst && o.class != k.class && v.b&bN != 0 {
				return true
			}
		}
	}
	return false
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
// path (a spinlock held on all of them, taken here by a primitive or a
// helper of the table: a lock a callee's summary says it left held is
// weaker evidence, as the summary may have missed its release, an irq/preempt/RCU section open on
// all, or a callback that runs in atomic context), maybe when on some. ctx
// says which, for the message; note says where it began.
func (a *analysis) atomicAt(s state, e *parse.Event) (ctx string, note Note, certain, maybe bool) {
	if k, v, ok := a.heldSpin(s); ok && (v.site.note == "" || v.site.note == assertsNote) && !a.releasedElsewhere(s, k) {
		if v.site.note != "" {
			return "while holding " + a.spinName(k, v) + ", which it asserts held", a.note(v.site, "%s", v.site.full()), true, true
		}
		return "while holding " + a.spinName(k, v), a.note(v.site, "%s taken here", v.site.full()), true, true
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
			if st.max[i] > 0 || st.dropped[i] {
				maybe = true
			}
		}
	}
	return "", Note{}, false, maybe
}
