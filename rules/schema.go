// Package rules holds locklint's rules file: lock classes with the call
// patterns that acquire and release them, and rules of a few kinds that
// say what must hold where. The default rules are embedded; more can be
// loaded from YAML, TOML or JSON files.
package rules

import (
	"fmt"
	"sort"
	"strings"
)

// Severity of a finding.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Rank orders severities: info < warning < error.
func (s Severity) Rank() int {
	switch s {
	case Error:
		return 3
	case Warning:
		return 2
	case Info:
		return 1
	}
	return 0
}

// Rule kinds.
const (
	KindGuarded     = "guarded"
	KindRequires    = "requires"
	KindOrder       = "order"
	KindForbidUnder = "forbid-under"
	KindForbidCall  = "forbid-call"
	KindCallOrder   = "call-order"
	KindBuiltin     = "builtin"
)

// LockClass is a kind of lock: the calls that take it (Acquire, or Try,
// which succeeds only when the call returns non-zero), release it, and
// assert that it is held (evidence that the caller took it). The first
// metavariable a pattern binds is the lock instance.
type LockClass struct {
	Name    string
	Doc     string
	Acquire []Pattern
	Try     []Pattern
	// TryZero are acquisitions that succeed when the call returns zero
	// (mmap_write_lock_killable, mutex_lock_interruptible).
	TryZero []Pattern
	// AcquireNonNull take the lock and return a pointer that is NULL
	// when they did not take it (`pte_offset_map_lock` since 6.5, and
	// `pte_alloc_map_lock` when the table cannot be allocated): held
	// from the call on, and not held where the result tests NULL.
	AcquireNonNull []Pattern
	Release        []Pattern
	Held           []Pattern
	// Sleeps marks a sleeping lock (mutex, semaphore, rwsem): taking it
	// may sleep. Spin marks a lock under which sleeping is a bug.
	Sleeps bool
	Spin   bool
	// Single marks a class of which code holds one instance at a time
	// (an mm's vmlist or mmap lock): releasing another instance than the
	// one held is then a mismatch (lock-mismatch), not a second lock.
	Single bool
	// Line is where the class is declared in its file (0 when embedded).
	File string
	Line int
}

// Rule is one locking requirement. Which fields apply depends on Kind.
type Rule struct {
	ID       string
	Kind     string
	Severity Severity
	Message  string
	// Source names the document and the rule in it.
	Source string
	// When lists identifiers of which at least one must appear in the
	// input for the rule to apply (era gating).
	When []string
	// Explain, Bad and Good are what `locklint explain` prints.
	Explain, Bad, Good string

	// guarded: writes to Fields ("struct.field") need one of Locks.
	// Objects from Fresh calls are private until passed to a Publish call.
	Fields  []string
	Locks   []string
	Fresh   []Pattern
	Publish []Pattern
	// Reads: reads of Fields need the lock too. The lock is the
	// subsystem's own: a function that no function in view calls (an
	// ops method, a sysfs show routine) runs without it.
	Reads bool

	// requires: Calls need one of Locks held; only inside In (if set);
	// only for lock instances whose object came from InstanceFrom calls
	// (if set). When the call pattern binds a metavariable, the lock must
	// be held on that very instance.
	Calls        []Pattern
	In           []string
	InstanceFrom []Pattern
	// TakenHere says the lock must be taken (or asserted) in the function
	// that makes the call, as the documented sequence goes: a caller's
	// lock does not count, so the requirement is not passed up.
	TakenHere bool

	// order: the classes in Order must be taken in that order.
	Order []string

	// forbid-under: Calls must not happen while one of Locks is held.
	// forbid-call: Calls must not appear (in In, if set).
	// call-order: on every path, one of First comes before each of Calls.
	First []Pattern

	File string
	Line int
}

// AppliesIn tells whether a rule restricted by In applies in function fn.
func (r *Rule) AppliesIn(fn string) bool {
	if len(r.In) == 0 {
		return true
	}
	for _, in := range r.In {
		if in == fn {
			return true
		}
	}
	return false
}

// Set is the rules in effect.
type Set struct {
	Locks map[string]*LockClass
	Rules []*Rule
	// Sources are the files the set was read from, in order ("<embedded>"
	// for the defaults).
	Sources []string
}

// Rule returns the rule with the given id.
func (s *Set) Rule(id string) *Rule {
	for _, r := range s.Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// LockNames lists the lock classes, sorted.
func (s *Set) LockNames() []string {
	var out []string
	for n := range s.Locks {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Builtins are the checks the engine always runs; their severities can be
// overridden like any rule's.
var Builtins = []*Rule{
	{ID: "lock-balance", Kind: KindBuiltin, Severity: Error, Source: "locklint built-in",
		Message: "{lock} acquired here is still held when the function returns",
		Explain: "A lock taken in a function must be released on every path out of it, unless the function says it returns with the lock held (`__acquires(x)`), or every caller expects it to. The same holds for the atomic sections a function opens itself (rcu_read_lock(), local_irq_save(), preempt_disable(), local_bh_disable(), kmap_atomic()): returning inside one on a path where other paths to that return close it, or on an error return, leaves the caller in it (a warning).",
		Bad:     "spin_lock(&mm->page_table_lock);\nif (!pmd_present(*pmd))\n\treturn -EAGAIN;\t/* still held */\nset_pmd_at(mm, addr, pmd, entry);\nspin_unlock(&mm->page_table_lock);\nreturn 0;",
		Good:    "spin_lock(&mm->page_table_lock);\nif (!pmd_present(*pmd)) {\n\terr = -EAGAIN;\n\tgoto out_unlock;\n}\nset_pmd_at(mm, addr, pmd, entry);\nout_unlock:\nspin_unlock(&mm->page_table_lock);\nreturn err;"},
	{ID: "double-acquire", Kind: KindBuiltin, Severity: Error, Source: "locklint built-in",
		Message: "{lock} acquired while already held",
		Explain: "Taking a non-recursive lock that the same path already holds deadlocks, in this function or in a callee it reaches. The read side of a sleeping rw_semaphore counts too (a writer queued between the two readers blocks the second); an rwlock's readers nest. Kernel APIs that take a lock inside count where they are called: the static key API and stop_machine() take the CPU hotplug lock, register_netdev() the RTNL.",
		Bad:     "spin_lock(&l);\n...\nspin_lock(&l);",
		Good:    "spin_lock(&l);\n...\nspin_unlock(&l);\nspin_lock(&l);"},
	{ID: "wait-deadlock", Kind: KindBuiltin, Severity: Error, Source: "locklint built-in; Documentation/core-api/workqueue",
		Message: "{call} waits for {callback}, which takes {lock}: held here, it deadlocks",
		Explain: "del_timer_sync(), cancel_work_sync(), cancel_delayed_work_sync(), flush_work() and flush_workqueue() wait for a running timer callback or work item to finish. If that callback takes a lock the waiter holds, each waits for the other. The callbacks are found where the code registers them (timer_setup(), INIT_WORK(), INIT_DELAYED_WORK()), by the struct field they are registered on; a workqueue is waited for through the works queued on it. A callback that only trylocks the lock cannot deadlock.",
		Bad:     "static void port_poll(struct timer_list *t)\n{\n\tstruct port *p = from_timer(p, t, timer);\n\n\tspin_lock(&p->lock);\n\tp->polls++;\n\tspin_unlock(&p->lock);\n}\n\nstatic void port_start(struct port *p)\n{\n\ttimer_setup(&p->timer, port_poll, 0);\n}\n\nstatic void port_stop(struct port *p)\n{\n\tspin_lock_bh(&p->lock);\n\tdel_timer_sync(&p->timer);\t/* port_poll() may be spinning on p->lock */\n\tspin_unlock_bh(&p->lock);\n}",
		Good:    "static void port_poll(struct timer_list *t)\n{\n\tstruct port *p = from_timer(p, t, timer);\n\n\tspin_lock(&p->lock);\n\tp->polls++;\n\tspin_unlock(&p->lock);\n}\n\nstatic void port_start(struct port *p)\n{\n\ttimer_setup(&p->timer, port_poll, 0);\n}\n\nstatic void port_stop(struct port *p)\n{\n\tdel_timer_sync(&p->timer);\n\tspin_lock_bh(&p->lock);\n\tp->polls = 0;\n\tspin_unlock_bh(&p->lock);\n}"},
	{ID: "asserted-held", Kind: KindBuiltin, Severity: Error, Source: "locklint built-in; lockdep_assert_held() in the callee",
		Message: "{call} needs {lock} held (it asserts it), and it is not held here",
		Explain: "A function that asserts a lock held on its way in (lockdep_assert_held(), assert_spin_locked()) without taking it says its callers must hold it; lockdep complains at run time when one does not. The callee is read from the input when it is defined there, and otherwise from a table of the exported functions of Linux 6.1 that assert a lock on entry. Reported where the caller's own code has released the lock (or, taking it elsewhere, does not hold it on this path); a caller that never touches the lock is assumed to have it from its own caller.",
		Bad:     "spin_lock_irq(&hugetlb_lock);\n...\nspin_unlock_irq(&hugetlb_lock);\nhugetlb_cgroup_uncharge_folio_rsvd(idx, pages, folio);	/* asserts hugetlb_lock */",
		Good:    "spin_lock_irq(&hugetlb_lock);\n...\nhugetlb_cgroup_uncharge_folio_rsvd(idx, pages, folio);\nspin_unlock_irq(&hugetlb_lock);"},
	{ID: "release-unheld", Kind: KindBuiltin, Severity: Error, Source: "locklint built-in",
		Message: "{lock} released but not held",
		Explain: "Releasing a lock this path has already released (or never took, where it provably did not) corrupts the lock.",
		Bad:     "spin_unlock(&l);\nspin_unlock(&l);",
		Good:    "spin_unlock(&l);"},
	{ID: "lock-mismatch", Kind: KindBuiltin, Severity: Warning, Source: "locklint built-in",
		Message: "releases {lock} but the {class} lock held here is {held}",
		Explain: "A lock should be released through the same expression that took it. `vmlist_modify_lock(current->mm)` paired with `vmlist_modify_unlock(vma->vm_mm)` is only right if both name the same mm; the reader (and the next patch) cannot tell.",
		Bad:     "vmlist_modify_lock(current->mm);\n...\nvmlist_modify_unlock(vma->vm_mm);",
		Good:    "vmlist_modify_lock(current->mm);\n...\nvmlist_modify_unlock(current->mm);"},
	{ID: "order-inversion", Kind: KindBuiltin, Severity: Warning, Source: "locklint built-in",
		Message: "{lock} taken while holding {held}, but elsewhere they are taken the other way round",
		Explain: "Two locks taken in one order on one path and in the other order on another can deadlock (ABBA). The example is two functions: each order alone is fine.",
		Bad:     "static void link_dev(struct bus *bus, struct dev *dev)\n{\n\tspin_lock(&bus->lock);\n\tspin_lock(&dev->lock);\n\t...\n\tspin_unlock(&dev->lock);\n\tspin_unlock(&bus->lock);\n}\n\nstatic void unlink_dev(struct bus *bus, struct dev *dev)\n{\n\tspin_lock(&dev->lock);\n\tspin_lock(&bus->lock);\t/* the other way round */\n\t...\n\tspin_unlock(&bus->lock);\n\tspin_unlock(&dev->lock);\n}",
		Good:    "static void link_dev(struct bus *bus, struct dev *dev)\n{\n\tspin_lock(&bus->lock);\n\tspin_lock(&dev->lock);\n\t...\n\tspin_unlock(&dev->lock);\n\tspin_unlock(&bus->lock);\n}\n\nstatic void unlink_dev(struct bus *bus, struct dev *dev)\n{\n\tspin_lock(&bus->lock);\n\tspin_lock(&dev->lock);\n\t...\n\tspin_unlock(&dev->lock);\n\tspin_unlock(&bus->lock);\n}"},
	{ID: "sleep-under-spinlock", Kind: KindBuiltin, Severity: Error, Source: "locklint built-in; Documentation/locking/spinlocks",
		Message: "{call} may sleep, called while holding spinlock {held}",
		Explain: "A spinlock holder must not sleep: mutex_lock, down, a GFP_KERNEL allocation, copy_from_user and the like may schedule.",
		Bad:     "spin_lock(&l);\np = kmalloc(n, GFP_KERNEL);",
		Good:    "p = kmalloc(n, GFP_KERNEL);\nspin_lock(&l);"},
}

// validate checks a loaded set: every kind's required fields, known lock
// classes, unique ids. Errors name the file, line and field.
func (s *Set) validate() error {
	var errs []string
	seen := map[string]*Rule{}
	for _, r := range s.Rules {
		at := func(field, msg string, a ...any) {
			errs = append(errs, fmt.Sprintf("%s:%d: rule %s: %s: %s", r.File, r.Line, r.ID, field, fmt.Sprintf(msg, a...)))
		}
		if r.ID == "" {
			at("id", "missing")
		}
		if prev, ok := seen[r.ID]; ok && prev != r && (len(prev.When) == 0 || len(r.When) == 0 || prev.Kind != r.Kind) {
			at("id", "duplicate of the rule at %s:%d (entries sharing an id are eras of one rule: each needs `when`, and one kind)", prev.File, prev.Line)
		}
		seen[r.ID] = r
		switch r.Severity {
		case Error, Warning, Info:
		default:
			at("severity", "%q is not error, warning or info", r.Severity)
		}
		if r.Message == "" {
			at("message", "missing")
		}
		need := func(field string, n int) {
			if n == 0 {
				at(field, "required for kind %s", r.Kind)
			}
		}
		switch r.Kind {
		case KindGuarded:
			need("fields", len(r.Fields))
			need("locks", len(r.Locks))
			for _, f := range r.Fields {
				if strings.Count(f, ".") != 1 {
					at("fields", "%q is not struct.field", f)
				}
			}
		case KindRequires:
			need("calls", len(r.Calls))
			need("locks", len(r.Locks))
			if r.TakenHere && len(r.InstanceFrom) > 0 {
				at("taken-here", "cannot be combined with instance-from")
			}
		case KindOrder:
			if len(r.Order) < 2 {
				at("order", "needs at least two lock classes")
			}
		case KindForbidUnder:
			need("calls", len(r.Calls))
			need("locks", len(r.Locks))
		case KindForbidCall:
			need("calls", len(r.Calls))
		case KindCallOrder:
			need("calls", len(r.Calls))
			need("first", len(r.First))
		case KindBuiltin:
		default:
			if k := suggestWord(r.Kind, append([]string{KindBuiltin}, fileKinds...)); k != "" {
				at("kind", "unknown kind %q; did you mean %q?", r.Kind, k)
			} else {
				at("kind", "unknown kind %q (%s)", r.Kind, strings.Join(fileKinds, ", "))
			}
		}
		if r.TakenHere && r.Kind != KindRequires {
			at("taken-here", "applies to kind requires only")
		}
		if r.Reads && r.Kind != KindGuarded {
			at("reads", "applies to kind guarded only")
		}
		for _, l := range append(append([]string{}, r.Locks...), r.Order...) {
			if _, ok := s.Locks[l]; !ok && !isGenericClass(l) {
				at("locks", "unknown lock class %q (declared: %s)", l, strings.Join(s.LockNames(), ", "))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

// isGenericClass tells whether a name refers to the built-in families'
// classes, which are named by the type path of the lock
// (`mm_struct.page_table_lock`) or by family (`spinlock`, `mutex`).
func isGenericClass(name string) bool {
	return strings.Contains(name, ".") || name == "spinlock" || name == "mutex" || name == "rwsem" || name == "semaphore" || name == "rwlock" || name == "any-spinlock"
}
