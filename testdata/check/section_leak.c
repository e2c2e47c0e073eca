/*
 * Returning inside an atomic section the function opened, on a path
 * where the other paths close it: the caller runs on with RCU held,
 * interrupts off, or one preempt count too many.
 */
struct subsys { int type; int (*call)(void *); };
struct subsys *find_subsys(int type);

static int dispatch(int type, void *msg)
{
	struct subsys *ss;
	int err;

	rcu_read_lock(); /* the note: opened here */
	ss = find_subsys(type);
	if (!ss) {
		rcu_read_unlock();
		return -EINVAL;
	}
	switch (ss->type) {
	case 1:
		err = ss->call(msg);
		rcu_read_unlock();
		break;
	case 2:
		rcu_read_unlock();
		err = 0;
		break;
	default:
		err = -EINVAL;
		break;
	}
	return err; /* want "lock-balance" */
}

/* an error return that leaves interrupts off */
static long remove_bolted(unsigned long ea)
{
	unsigned long flags;
	long slot;

	local_irq_save(flags);
	slot = find_slot(ea);
	if (slot == -1)
		return -ENOENT; /* want "lock-balance" */
	invalidate_slot(slot);
	local_irq_restore(flags);
	return 0;
}

/* held exactly when the pointer returned is not NULL: an API */
static struct subsys *get_subsys_rcu(int type)
{
	struct subsys *ss;

	rcu_read_lock();
	ss = find_subsys(type);
	if (unlikely(!ss))
		rcu_read_unlock();
	return ss;
}

/* opened and closed on the same condition */
static void maybe_atomic(bool atomic)
{
	if (atomic)
		preempt_disable();
	do_work();
	if (atomic)
		preempt_enable();
}

/* a walk that opens again only while there is more to do */
static int walk_all(struct walk *w)
{
	int err;

	err = walk_start(w);
	if (!w->nbytes)
		return err;
	kernel_fpu_begin();
	while (w->nbytes > 0) {
		crunch(w);
		kernel_fpu_end();
		err = walk_done(w);
		if (w->nbytes > 0)
			kernel_fpu_begin();
	}
	return err;
}

/* a seqlock retry: the first pass drops RCU, the locked retry has none */
static int path_of(struct path *p, char *buf)
{
	int error, seq = 0;

	rcu_read_lock();
restart:
	read_seqbegin_or_lock(&rename_lock, &seq);
	error = prepend(p, buf);
	if (!(seq & 1))
		rcu_read_unlock();
	if (need_seqretry(&rename_lock, seq)) {
		seq = 1;
		goto restart;
	}
	done_seqretry(&rename_lock, seq);
	return error;
}

/* the exit-to-user loop hands back its caller's interrupts-off state */
static void work_pending(unsigned long flags)
{
	do {
		local_irq_enable();
		handle(flags);
		local_irq_disable();
		flags = pending();
		if (!flags)
			return;
	} while (flags & 1);
}

/* a handler that single-steps with preemption off; the post handler
 * turns it on again */
static int probe_handler(struct probe *p)
{
	preempt_disable();
	if (!p->armed) {
		preempt_enable_no_resched();
		return 0;
	}
	if (p->pre && p->pre(p))
		goto out;
	setup_singlestep(p);
	return 1;
out:
	preempt_enable_no_resched();
	return 1;
}

static int probe_post_handler(struct probe *p)
{
	p->post(p);
	preempt_enable_no_resched();
	return 1;
}

/* returns with preemption off when it succeeds: the caller ends it */
static int node_preload(int nr)
{
	int ret = -ENOMEM;
	struct node *n;

	local_lock(&preloads.lock);
	while (preloads.nr < nr) {
		local_unlock(&preloads.lock);
		n = node_alloc();
		if (n == NULL)
			goto out;
		local_lock(&preloads.lock);
		push_node(n);
	}
	ret = 0;
out:
	return ret;
}
