package check

import (
	"strings"

	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

// Lock helpers that kernel headers and macros define around the lock
// primitives (task_lock(), rtnl_lock(), pcp_spin_trylock() ...). A file or
// a patch fragment checked alone does not contain their definitions, so
// without this table their callers look like they take nothing. Each is
// described as the primitive it stands for, on the lock object it reaches
// from its arguments, so that `task_lock(p)` and `spin_unlock(&p->alloc_lock)`
// name the same lock. A helper the input defines itself is read from its
// body instead (its summary says more, such as a condition).

// wrapper is one helper: what it does, to which object.
type wrapper struct {
	kind opKind
	// inst is the lock object: "$0->field" is reached from the first
	// argument, a plain name is a global; "" is the object the call
	// returns
	inst string
	// class names the lock class when the object alone does not (a
	// returned object); declared names a class of the rules to use when
	// the rule set has it
	class, declared   string
	spin, sleep, read bool
	// always: the table wins over a definition in the input, whose body
	// keeps the lock in a form the engine does not follow (the socket
	// lock's owner flag)
	always bool
}

var wrappers = map[string]wrapper{}

// def adds helpers of one kind on one object.
func def(kind opKind, inst string, w wrapper, names ...string) {
	w.kind, w.inst = kind, inst
	for _, n := range names {
		wrappers[n] = w
	}
}

func init() {
	spin := wrapper{spin: true}
	sleep := wrapper{sleep: true}
	read := wrapper{sleep: true, read: true}

	// sched.h: the task's alloc_lock
	def(opAcquire, "$0->alloc_lock", spin, "task_lock")
	def(opRelease, "$0->alloc_lock", spin, "task_unlock")
	// signal.h: lock_task_sighand() returns the sighand, or NULL without the lock
	def(opTry, "$0->sighand->siglock", spin, "lock_task_sighand")
	def(opRelease, "$0->sighand->siglock", spin, "unlock_task_sighand")

	// netdevice.h
	def(opAcquire, "$0->tx_global_lock", spin, "netif_tx_lock", "netif_tx_lock_bh")
	def(opRelease, "$0->tx_global_lock", spin, "netif_tx_unlock", "netif_tx_unlock_bh")
	def(opAcquire, "$0->_xmit_lock", spin, "__netif_tx_lock", "__netif_tx_lock_bh")
	def(opTry, "$0->_xmit_lock", spin, "__netif_tx_trylock")
	def(opRelease, "$0->_xmit_lock", spin, "__netif_tx_unlock", "__netif_tx_unlock_bh")
	def(opAcquire, "$0->addr_list_lock", spin, "netif_addr_lock", "netif_addr_lock_bh", "netif_addr_lock_nested")
	def(opRelease, "$0->addr_list_lock", spin, "netif_addr_unlock", "netif_addr_unlock_bh")
	def(opAcquire, "rtnl_mutex", sleep, "rtnl_lock")
	def(opTry, "rtnl_mutex", sleep, "rtnl_trylock")
	def(opTryZero, "rtnl_mutex", sleep, "rtnl_lock_killable")
	def(opRelease, "rtnl_mutex", sleep, "rtnl_unlock", "__rtnl_unlock")

	// sock.h: the socket's owner lock sleeps; its spinlock does not
	owner := wrapper{sleep: true, always: true}
	def(opAcquire, "$0->sk_lock", owner, "lock_sock", "lock_sock_nested", "lock_sock_fast")
	def(opRelease, "$0->sk_lock", owner, "release_sock", "unlock_sock_fast")
	def(opAcquire, "$0->sk_lock.slock", spin, "bh_lock_sock", "bh_lock_sock_nested")
	def(opRelease, "$0->sk_lock.slock", spin, "bh_unlock_sock")

	// suspend.h
	def(opAcquire, "system_transition_mutex", sleep, "lock_system_sleep")
	def(opRelease, "system_transition_mutex", sleep, "unlock_system_sleep")
	// cpu.h, console.h
	def(opAcquire, "cpu_hotplug_lock", read, "cpus_read_lock", "get_online_cpus")
	def(opTry, "cpu_hotplug_lock", read, "cpus_read_trylock")
	def(opRelease, "cpu_hotplug_lock", read, "cpus_read_unlock", "put_online_cpus")
	def(opAcquire, "cpu_hotplug_lock", sleep, "cpus_write_lock")
	def(opRelease, "cpu_hotplug_lock", sleep, "cpus_write_unlock")
	def(opAcquire, "console_sem", sleep, "console_lock")
	def(opTry, "console_sem", sleep, "console_trylock")
	def(opRelease, "console_sem", sleep, "console_unlock")

	// fs.h: inode and mapping locks
	def(opAcquire, "$0->i_rwsem", sleep, "inode_lock", "inode_lock_nested")
	def(opAcquire, "$0->i_rwsem", read, "inode_lock_shared", "inode_lock_shared_nested")
	def(opTry, "$0->i_rwsem", sleep, "inode_trylock")
	def(opTry, "$0->i_rwsem", read, "inode_trylock_shared")
	def(opTryZero, "$0->i_rwsem", sleep, "inode_lock_killable")
	def(opTryZero, "$0->i_rwsem", read, "inode_lock_shared_killable")
	def(opRelease, "$0->i_rwsem", sleep, "inode_unlock", "inode_unlock_shared")
	def(opAcquire, "$0->invalidate_lock", sleep, "filemap_invalidate_lock")
	def(opAcquire, "$0->invalidate_lock", read, "filemap_invalidate_lock_shared")
	def(opRelease, "$0->invalidate_lock", sleep, "filemap_invalidate_unlock", "filemap_invalidate_unlock_shared")
	def(opAcquire, "mount_lock", spin, "lock_mount_hash")
	def(opRelease, "mount_lock", spin, "unlock_mount_hash")

	// serio.h: pausing a port's input takes its lock, continuing drops it
	def(opAcquire, "$0->lock", spin, "serio_pause_rx")
	def(opRelease, "$0->lock", spin, "serio_continue_rx")

	// device.h
	def(opAcquire, "$0->mutex", sleep, "device_lock")
	def(opTry, "$0->mutex", sleep, "device_trylock")
	def(opTryZero, "$0->mutex", sleep, "device_lock_interruptible")
	def(opRelease, "$0->mutex", sleep, "device_unlock")

	// cgroup.h: the cgroup mutex and the threadgroup rwsem
	def(opAcquire, "cgroup_mutex", sleep, "cgroup_lock")
	def(opRelease, "cgroup_mutex", sleep, "cgroup_unlock")
	def(opAcquire, "cgroup_threadgroup_rwsem", read, "cgroup_threadgroup_change_begin")
	def(opRelease, "cgroup_threadgroup_rwsem", read, "cgroup_threadgroup_change_end")

	// iio.h: direct mode is claimed (0) or refused (-EBUSY), under the
	// device's mlock
	def(opTryZero, "$0->mlock", sleep, "iio_device_claim_direct_mode")
	def(opRelease, "$0->mlock", sleep, "iio_device_release_direct_mode")
	// devlink.h: the instance lock
	def(opAcquire, "$0->lock", sleep, "devl_lock")
	def(opTry, "$0->lock", sleep, "devl_trylock")
	def(opRelease, "$0->lock", sleep, "devl_unlock")
	// phy.h: phy_select_page() takes the MDIO bus lock whatever it returns,
	// and phy_restore_page() drops it
	mdio := wrapper{sleep: true, class: "mii_bus.mdio_lock"}
	def(opAcquire, "$0->mdio.bus->mdio_lock", mdio, "phy_select_page", "phy_save_page", "phy_lock_mdio_bus")
	def(opRelease, "$0->mdio.bus->mdio_lock", mdio, "phy_restore_page", "phy_unlock_mdio_bus")
	// net/bluetooth, net/wireless: the device and wiphy mutexes
	def(opAcquire, "$0->lock", sleep, "hci_dev_lock")
	def(opRelease, "$0->lock", sleep, "hci_dev_unlock")
	def(opAcquire, "$0->mtx", sleep, "wiphy_lock", "wdev_lock")
	def(opRelease, "$0->mtx", sleep, "wiphy_unlock", "wdev_unlock")
	// tty.h: the tty's legacy mutex
	def(opAcquire, "$0->legacy_mutex", sleep, "tty_lock")
	def(opTryZero, "$0->legacy_mutex", sleep, "tty_lock_interruptible")
	def(opRelease, "$0->legacy_mutex", sleep, "tty_unlock")

	// xarray.h
	def(opAcquire, "$0->xa_lock", spin, "xa_lock", "xa_lock_irq", "xa_lock_bh", "xa_lock_irqsave")
	def(opRelease, "$0->xa_lock", spin, "xa_unlock", "xa_unlock_irq", "xa_unlock_bh", "xa_unlock_irqrestore")
	// not xas_lock(): its xa_state is the first argument of xas_for_each(),
	// which the front end reads as assigned by the loop, so that the
	// unlock inside the loop would name another lock

	// seqlock.h: the writer side and the exclusive reader take its spinlock
	def(opAcquire, "$0->lock", spin, "write_seqlock", "write_seqlock_irq", "write_seqlock_bh", "write_seqlock_irqsave",
		"read_seqlock_excl", "read_seqlock_excl_irq", "read_seqlock_excl_bh", "read_seqlock_excl_irqsave")
	def(opRelease, "$0->lock", spin, "write_sequnlock", "write_sequnlock_irq", "write_sequnlock_bh",
		"write_sequnlock_irqrestore", "read_sequnlock_excl", "read_sequnlock_excl_irq", "read_sequnlock_excl_bh",
		"read_sequnlock_excl_irqrestore")

	// sched: the run-queue lock
	def(opAcquire, "$0->__lock", spin, "raw_spin_rq_lock", "raw_spin_rq_lock_irq", "rq_lock", "rq_lock_irq", "rq_lock_irqsave")
	def(opRelease, "$0->__lock", spin, "raw_spin_rq_unlock", "raw_spin_rq_unlock_irq", "rq_unlock", "rq_unlock_irq", "rq_unlock_irqrestore")
	rq := wrapper{spin: true, class: "rq.__lock"}
	def(opAcquire, "", rq, "task_rq_lock", "__task_rq_lock")
	def(opRelease, "$0", rq, "task_rq_unlock", "__task_rq_unlock")

	// mm/page_alloc.c: the per-cpu pages lock, through the returned pointer
	pcp := wrapper{spin: true, class: "per_cpu_pages.lock"}
	def(opAcquire, "", pcp, "pcp_spin_lock")
	def(opTry, "", pcp, "pcp_spin_trylock")
	def(opRelease, "$0", pcp, "pcp_spin_unlock")
	def(opAcquire, "$0->lock", spin, "pcp_spin_lock_maybe_irqsave")
	def(opRelease, "$0->lock", spin, "pcp_spin_unlock_maybe_irqrestore")
	// memcontrol.h: the lruvec lock, through the returned lruvec
	lru := wrapper{spin: true, class: "lruvec.lru_lock"}
	def(opAcquire, "", lru, "folio_lruvec_lock", "folio_lruvec_lock_irq", "folio_lruvec_lock_irqsave")
	def(opRelease, "$0", lru, "unlock_page_lruvec", "unlock_page_lruvec_irq", "unlock_page_lruvec_irqrestore",
		"lruvec_unlock", "lruvec_unlock_irq", "lruvec_unlock_irqrestore")

	// pagemap.h: killable page and folio locks, in the rules' page class
	page := wrapper{sleep: true, declared: "page"}
	def(opTryZero, "$0", page, "folio_lock_killable", "__folio_lock_killable", "lock_page_killable")
	def(opAcquire, "$0", page, "__folio_lock")
	// page-writeback.c: the page is locked by the caller and unlocked
	def(opRelease, "$0", page, "write_one_page", "folio_write_one")

	// mm: a fault handled with the mmap lock held for read may return with
	// it dropped (VM_FAULT_RETRY, VM_FAULT_COMPLETED), as may a failed
	// stack expansion
	mmap := wrapper{sleep: true, read: true, class: "mmap_read", declared: "mmap_read", always: true}
	def(opMayRelease, "*", mmap, "handle_mm_fault", "expand_stack")

	// primitives the generic families leave out
	def(opAcquire, "$0", spin, "raw_spin_lock_irqsave_nested", "spin_lock_bh_nested")
	def(opTry, "$0", spin, "raw_spin_trylock_irq", "spin_trylock_irqsave_nested")
	def(opAcquire, "$0", sleep, "mutex_lock_io_nested")
	def(opTryZero, "$0", sleep, "down_write_killable_nested", "down_read_killable_nested")
	def(opAcquire, "$0", read, "percpu_down_read")
	def(opTry, "$0", read, "percpu_down_read_trylock")
	def(opRelease, "$0", read, "percpu_up_read")
	def(opAcquire, "$0", sleep, "percpu_down_write")
	def(opRelease, "$0", sleep, "percpu_up_write")
	def(opTryZero, "$0", sleep, "ww_mutex_lock", "ww_mutex_lock_interruptible")
	def(opTry, "$0", sleep, "ww_mutex_trylock")
	def(opRelease, "$0", sleep, "ww_mutex_unlock")
}

// tableWins tells whether a helper's table entry, not its definition in
// the input, says what it does: a wrapper marked always, or a flag
// helper (flaglocks.go).
func tableWins(name string) bool {
	w, ok := wrappers[name]
	return ok && w.always || isFlagAPI(name)
}

// wrapperOps is what a call to a helper of the table does, unless the
// input defines the helper itself.
func (r *recognizer) wrapperOps(e *parse.Event, typeOf rules.TypeOf) []lockOp {
	w, ok := wrappers[e.Callee]
	if !ok || e.Kind != parse.EvCall || len(r.defined[e.Callee]) > 0 && !w.always {
		return nil
	}
	op := lockOp{kind: w.kind, spin: w.spin, sleep: w.sleep, read: w.read}
	switch {
	case w.inst == "":
		op.result = true
	case strings.HasPrefix(w.inst, "$0"):
		if len(e.Args) == 0 || e.Args[0].Norm == "" {
			return nil
		}
		op.inst = reach(e.Args[0], w.inst[2:])
	case w.inst == "*":
		// every lock of the class: the object is not an argument
	default:
		op.inst = w.inst
	}
	op.class = w.class
	if w.declared != "" {
		if _, ok := r.set.Locks[w.declared]; ok {
			op.class = w.declared
		}
	}
	if op.class == "" {
		op.class = genericClass(op.inst, typeOf)
	}
	return []lockOp{op}
}

// reach is the object path from argument a through path ("->field..."),
// as the normalized form of the expression that names it: an argument
// written `&x` is the object x itself, so its fields follow a '.'.
func reach(a parse.Expr, path string) string {
	if path == "" {
		return a.Norm
	}
	if strings.HasPrefix(a.Text, "&") && strings.HasPrefix(path, "->") {
		return a.Norm + "." + path[2:]
	}
	return a.Norm + path
}

// unstableInst tells whether a lock expression may name a different lock
// each time it is evaluated: it calls a function (`EXT4_SB(sb)->s_fc_lock`)
// or indexes an array with more than a variable or a constant. An element
// chosen by a variable (`&hugetlb_fault_mutex_table[hash]`) is one lock for
// as long as the variable keeps its value, which is how kernel code uses
// such tables: lock, work, unlock with the same index.
func unstableInst(inst string) bool {
	if strings.ContainsRune(inst, '(') && !accessorInst(inst) {
		return true
	}
	for rest := inst; ; {
		i := strings.IndexByte(rest, '[')
		if i < 0 {
			return false
		}
		j := strings.IndexByte(rest[i:], ']')
		if j < 0 {
			return true
		}
		if idx := rest[i+1 : i+j]; !simpleIndex(idx) {
			return true
		}
		rest = rest[i+j+1:]
	}
}

// accessors are functions and macros that give the same object for the
// same argument, the kernel's container_of wrappers: `EXT4_SB(sb)`,
// `BTRFS_I(inode)`, `to_foo(dev)`, `netdev_priv(dev)`. A lock reached
// through one is one lock, however many times the code evaluates it.
func accessor(callee string, nargs int) bool {
	if nargs != 1 || !parse.IsIdentifier(callee) {
		return false
	}
	switch callee {
	case "netdev_priv", "file_inode", "dev_get_drvdata", "i2c_get_clientdata", "platform_get_drvdata",
		"spi_get_drvdata", "pci_get_drvdata", "usb_get_intfdata", "page_folio", "folio_page", "d_inode",
		"raw_cpu_ptr", "this_cpu_ptr":
		return true
	}
	if strings.HasPrefix(callee, "to_") {
		return true
	}
	return macroName(callee)
}

// accessorInst tells whether every call in a lock expression is an
// accessor of one plain argument (`EXT4_SB(inode->i_sb)->s_fc_lock`).
// madeObject tells whether arg names an object a call or an assignment
// of the function made (`@41593`, `netdev = alloc_etherdev(...)`): one
// object, as stable as a path to it (`netdev_priv(@41593)->mtx`).
func madeObject(arg string) bool {
	if len(arg) < 2 || arg[0] != '@' {
		return false
	}
	for i := 1; i < len(arg); i++ {
		if arg[i] < '0' || arg[i] > '9' {
			return false
		}
	}
	return true
}

func accessorInst(inst string) bool {
	for rest := inst; ; {
		i := strings.IndexByte(rest, '(')
		if i < 0 {
			return true
		}
		j := i
		for j > 0 && isIdentByte(rest[j-1]) {
			j--
		}
		k := strings.IndexByte(rest[i:], ')')
		if k < 0 {
			return false
		}
		arg := rest[i+1 : i+k]
		if !accessor(rest[j:i], 1) || strings.ContainsAny(arg, ",(") || !isPath(strings.TrimPrefix(arg, "&")) && !madeObject(arg) {
			return false
		}
		rest = rest[i+k+1:]
	}
}

// simpleIndex: a number, or a variable or field path (no arithmetic,
// nothing that changes between two evaluations by itself).
func simpleIndex(idx string) bool {
	if idx == "" {
		return false
	}
	if idx[0] >= '0' && idx[0] <= '9' {
		for k := 0; k < len(idx); k++ {
			if c := idx[k]; !(c >= '0' && c <= '9' || c == 'x' || c >= 'a' && c <= 'f' || c == 'u' || c == 'U' || c == 'l' || c == 'L') {
				return false
			}
		}
		return true
	}
	return isPath(idx)
}
