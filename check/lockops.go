package check

import (
	"sort"
	"strings"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

type opKind uint8

const (
	opAcquire opKind = iota
	opTry            // succeeds when the call returns non-zero
	opTryZero        // succeeds when the call returns zero
	opRelease
	opHeld // an assertion: evidence that the lock is held here
	// opUnknownAPI marks a function that returns with a lock on some
	// returns, in a way its callers cannot test
	opUnknownAPI
	// opMayRelease: the call may drop any held lock of the class, on
	// conditions its result tells (handle_mm_fault() and VM_FAULT_RETRY)
	opMayRelease
)

// lockOp is what one call does to one lock.
type lockOp struct {
	kind  opKind
	class string
	inst  string // the instance expression, normalized (before resolution)
	read  bool   // a shared (read) acquisition: may nest, no double-acquire
	// result: the instance is the object the call returns
	result bool
	// nonNull: taken unless the call returns NULL (acquire-nonnull)
	nonNull bool
	spin    bool // sleeping is forbidden while it is held
	sleep   bool // taking it may sleep
}

// family is a generic kernel lock primitive family.
type family struct {
	acquire, try, tryZero, release, held []string
	read                                 []string // acquisitions that are shared
	spin, sleep                          bool
}

var families = []family{
	{ // spinlocks and rwlocks
		acquire: []string{"spin_lock", "spin_lock_irq", "spin_lock_irqsave", "spin_lock_bh", "spin_lock_nested",
			"spin_lock_irqsave_nested", "spin_lock_nest_lock", "raw_spin_lock", "raw_spin_lock_irq",
			"raw_spin_lock_irqsave", "raw_spin_lock_bh", "raw_spin_lock_nested", "read_lock", "read_lock_irq",
			"read_lock_irqsave", "read_lock_bh", "write_lock", "write_lock_irq", "write_lock_irqsave", "write_lock_bh",
			"arch_spin_lock", "bit_spin_lock"},
		try: []string{"spin_trylock", "spin_trylock_irq", "spin_trylock_irqsave", "spin_trylock_bh", "raw_spin_trylock",
			"raw_spin_trylock_irqsave", "read_trylock", "write_trylock", "arch_spin_trylock", "bit_spin_trylock"},
		release: []string{"spin_unlock", "spin_unlock_irq", "spin_unlock_irqrestore", "spin_unlock_bh", "raw_spin_unlock",
			"raw_spin_unlock_irq", "raw_spin_unlock_irqrestore", "raw_spin_unlock_bh", "read_unlock", "read_unlock_irq",
			"read_unlock_irqrestore", "read_unlock_bh", "write_unlock", "write_unlock_irq", "write_unlock_irqrestore",
			"write_unlock_bh", "arch_spin_unlock", "bit_spin_unlock", "__bit_spin_unlock"},
		held: []string{"assert_spin_locked", "lockdep_assert_held", "lockdep_assert_held_once", "assert_raw_spin_locked"},
		read: []string{"read_lock", "read_lock_irq", "read_lock_irqsave", "read_lock_bh", "read_trylock"},
		spin: true,
	},
	{ // mutexes
		acquire: []string{"mutex_lock", "mutex_lock_nested", "mutex_lock_io", "mutex_lock_nest_lock"},
		try:     []string{"mutex_trylock"},
		tryZero: []string{"mutex_lock_interruptible", "mutex_lock_killable", "mutex_lock_interruptible_nested", "mutex_lock_killable_nested"},
		release: []string{"mutex_unlock"},
		held:    []string{"lockdep_assert_held", "lockdep_assert_held_once"},
		sleep:   true,
	},
	{ // rw semaphores
		acquire: []string{"down_read", "down_write", "down_read_nested", "down_write_nested", "down_read_non_owner", "down_write_nest_lock"},
		try:     []string{"down_read_trylock", "down_write_trylock"},
		tryZero: []string{"down_read_killable", "down_write_killable", "down_read_interruptible"},
		release: []string{"up_read", "up_write", "up_read_non_owner"},
		held:    []string{"lockdep_assert_held", "lockdep_assert_held_write", "lockdep_assert_held_read"},
		read:    []string{"down_read", "down_read_nested", "down_read_non_owner", "down_read_trylock", "down_read_killable", "down_read_interruptible"},
		sleep:   true,
	},
	{ // counting semaphores
		acquire: []string{"down"},
		tryZero: []string{"down_interruptible", "down_killable", "down_trylock", "down_timeout"},
		release: []string{"up"},
		sleep:   true,
	},
}

// genericOps maps a callee to the generic operation it performs.
var genericOps = func() map[string]lockOp {
	m := map[string]lockOp{}
	for _, f := range families {
		reads := map[string]bool{}
		for _, r := range f.read {
			reads[r] = true
		}
		add := func(names []string, k opKind) {
			for _, n := range names {
				if _, dup := m[n]; dup && k == opHeld {
					continue // lockdep_assert_held is in several families
				}
				m[n] = lockOp{kind: k, read: reads[n], spin: f.spin, sleep: f.sleep}
			}
		}
		add(f.acquire, opAcquire)
		add(f.try, opTry)
		add(f.tryZero, opTryZero)
		add(f.release, opRelease)
		add(f.held, opHeld)
	}
	return m
}()

// guardFamilies maps guard()/scoped_guard() class names to their
// behaviour.
func guardFamily(name string) (lockOp, bool) {
	switch {
	case strings.HasPrefix(name, "raw_spinlock"), strings.HasPrefix(name, "spinlock"):
		return lockOp{spin: true}, true
	case strings.HasPrefix(name, "read_lock"), strings.HasPrefix(name, "write_lock"):
		return lockOp{spin: true, read: strings.HasPrefix(name, "read")}, true
	case name == "mutex", strings.HasPrefix(name, "mutex"):
		return lockOp{sleep: true}, true
	case strings.HasPrefix(name, "rwsem_read"):
		return lockOp{sleep: true, read: true}, true
	case strings.HasPrefix(name, "rwsem_write"), strings.HasPrefix(name, "rwsem"):
		return lockOp{sleep: true}, true
	}
	return lockOp{}, false
}

// recognizer finds the lock operations of calls.
type recognizer struct {
	set *rules.Set
	// byCallee indexes the declared classes' patterns by callee name;
	// wild holds those whose callee has a `*`. Both keep the order of
	// the classes (sorted by name) and of the patterns in them.
	byCallee map[string][]classPattern
	wild     []classPattern
	cache    map[*parse.Event][]lockOp
	// defined are the functions the input defines: a helper of the
	// wrapper table that is among them is read from its body
	defined map[string][]*fnInfo
}

type classPattern struct {
	class   *rules.LockClass
	kind    opKind
	pat     *rules.Pattern
	nonNull bool
}

func newRecognizer(set *rules.Set) *recognizer {
	r := &recognizer{set: set, byCallee: map[string][]classPattern{}, cache: map[*parse.Event][]lockOp{}}
	for _, n := range set.LockNames() {
		c := set.Locks[n]
		for _, l := range []struct {
			pats    []rules.Pattern
			kind    opKind
			nonNull bool
		}{{c.Acquire, opAcquire, false}, {c.Try, opTry, false}, {c.TryZero, opTryZero, false}, {c.AcquireNonNull, opAcquire, true},
			{c.Release, opRelease, false}, {c.Held, opHeld, false}} {
			for i := range l.pats {
				cp := classPattern{c, l.kind, &l.pats[i], l.nonNull}
				if strings.Contains(l.pats[i].Callee, "*") {
					r.wild = append(r.wild, cp)
				} else {
					r.byCallee[l.pats[i].Callee] = append(r.byCallee[l.pats[i].Callee], cp)
				}
			}
		}
	}
	return r
}

// ops returns what call event e does to locks (computed once per event).
// Declared classes come first; a call that matches one is not also read
// as a generic primitive.
func (r *recognizer) ops(e *parse.Event, typeOf rules.TypeOf) []lockOp {
	if r.noOps(e) {
		return nil // most calls: decided by name, with no cache entry
	}
	if ops, ok := r.cache[e]; ok {
		return ops
	}
	ops := r.compute(e, typeOf)
	r.cache[e] = ops
	return ops
}

// noOps tells, by the callee's name alone, that compute finds nothing.
func (r *recognizer) noOps(e *parse.Event) bool {
	if e.Kind != parse.EvCall || len(r.wild) > 0 || r.byCallee[e.Callee] != nil {
		return false
	}
	if guardCall(e.Callee) {
		return false
	}
	if _, ok := wrappers[e.Callee]; ok || isFlagAPI(e.Callee) {
		return false
	}
	_, ok := genericOps[e.Callee]
	return !ok
}

// guardCall names the cleanup.h scope guards, which guardOps reads.
func guardCall(callee string) bool {
	return callee == "guard" || callee == "scoped_guard" || callee == "scoped_cond_guard"
}

func (r *recognizer) compute(e *parse.Event, typeOf rules.TypeOf) []lockOp {
	var out []lockOp
	// one operation per class and kind: the first pattern that matches
	done := map[[2]string]bool{}
	try := func(cps []classPattern) {
		for _, cp := range cps {
			k := [2]string{cp.class.Name, string(rune('0' + cp.kind))}
			if done[k] {
				continue
			}
			if b, ok := cp.pat.MatchEvent(e, typeOf); ok {
				done[k] = true
				out = append(out, lockOp{kind: cp.kind, class: cp.class.Name, inst: cp.pat.First(b), spin: cp.class.Spin,
					sleep: cp.class.Sleeps, result: cp.pat.Result != "", nonNull: cp.nonNull})
			}
		}
	}
	try(r.byCallee[e.Callee])
	if len(r.wild) > 0 {
		try(r.wild)
	}
	if len(out) > 0 {
		sort.SliceStable(out, func(i, j int) bool { return out[i].class < out[j].class })
		return out
	}
	if e.Kind == parse.EvScopeEnd || guardCall(e.Callee) {
		return r.guardOps(e, typeOf)
	}
	if isFlagAPI(e.Callee) {
		return flagOps(e, flagText(e), typeOf)
	}
	if ops := r.wrapperOps(e, typeOf); ops != nil {
		return ops
	}
	op, ok := genericOps[e.Callee]
	if !ok || len(e.Args) == 0 {
		return nil
	}
	if op.kind == opHeld {
		op.spin = false // an assertion does not say what kind of lock it is
	}
	op.inst = e.Args[0].Norm
	op.class = genericClass(op.inst, typeOf)
	return []lockOp{op}
}

func (r *recognizer) guardOps(e *parse.Event, typeOf rules.TypeOf) []lockOp {
	if len(e.Args) < 2 {
		return nil
	}
	if e.Callee == "scoped_cond_guard" {
		return nil // conditional: taken only when its condition holds
	}
	op, ok := guardFamily(e.Args[0].Norm)
	if !ok {
		return nil
	}
	op.kind = opAcquire
	if e.Kind == parse.EvScopeEnd {
		op.kind = opRelease
	}
	op.inst = e.Args[1].Norm
	op.class = genericClass(op.inst, typeOf)
	return []lockOp{op}
}

// genericClass names the class of a generic lock by the type path of its
// expression: `mm->page_table_lock` with mm a `struct mm_struct *` is
// `mm_struct.page_table_lock`; a plain global lock is its own name.
func genericClass(inst string, typeOf rules.TypeOf) string {
	i := strings.LastIndex(inst, "->")
	j := strings.LastIndex(inst, ".")
	sep := 2
	if j > i {
		i, sep = j, 1
	}
	if i < 0 {
		return inst
	}
	base, field := inst[:i], inst[i+sep:]
	t := typeOf(base)
	if t == "" {
		t = "?"
	}
	return t + "." + field
}
