/* A helper that takes a lock, called with that lock held: it waits for
 * itself. Reported at the helper's acquisition, the line a fix changes. */
struct chan { spinlock_t lock; struct mutex mu; int busy, n; struct list_head node; };
void chan_log(int n);

static void chan_reset(struct chan *c)
{
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags); /* want "double-acquire error" */
	c->busy = 0;
	spin_unlock_irqrestore(&c->lock, flags);
}

static void chan_stop(struct chan *c)
{
	spin_lock(&c->lock);
	c->n = 0;
	chan_reset(c);
	spin_unlock(&c->lock);
}

/* two calls down, after an argument check that returns an error */
static int chan_set(struct chan *c, int n)
{
	if (n < 0)
		return -EINVAL;
	mutex_lock(&c->mu); /* want "double-acquire error" */
	c->n = n;
	mutex_unlock(&c->mu);
	return 0;
}

static int chan_apply(struct chan *c, int n)
{
	chan_log(n);
	return chan_set(c, n);
}

static int chan_configure(struct chan *c)
{
	int err;

	mutex_lock(&c->mu);
	err = chan_apply(c, 4);
	mutex_unlock(&c->mu);
	return err;
}

/* the caller drops it first: quiet */
static void chan_stop_fixed(struct chan *c)
{
	spin_lock(&c->lock);
	c->n = 0;
	spin_unlock(&c->lock);
	chan_reset(c);
}

/* the helper takes it only under a test of the object's state, which the
 * caller's own state may rule out (quiet) */
static void chan_unlink(struct chan *c)
{
	if (!list_empty(&c->node)) {
		spin_lock(&c->lock);
		list_del_init(&c->node);
		spin_unlock(&c->lock);
	}
}

/* and only past a return that is not an error: the last reference goes
 * through the lock, the others do not (quiet) */
static void chan_put(struct chan *c)
{
	if (--c->n > 0)
		return;
	spin_lock(&c->lock);
	c->busy = 0;
	spin_unlock(&c->lock);
}

static void chan_drop(struct chan *c)
{
	spin_lock(&c->lock);
	chan_unlink(c);
	chan_put(c);
	spin_unlock(&c->lock);
}

/* In a loop over another object's slots, behind tests of that object's
 * data only: no state of the caller's can keep it from the lock, which
 * it takes (and drops) on the first slot that is in use. */
struct slot { int used, kind; };
struct port { struct slot slots[4]; int nslots; };
int chan_fits(struct chan *c, int kind);

static bool port_check(struct chan *c, struct port *p)
{
	int i, kind;
	bool ok;

	for (i = 0; i < p->nslots; i++) {
		if (!p->slots[i].used)
			continue;
		kind = p->slots[i].kind;
		switch (kind) {
		case 1:
		case 2:
			mutex_lock(&c->mu); /* want "double-acquire error" */
			ok = chan_fits(c, kind);
			mutex_unlock(&c->mu);
			if (!ok)
				return false;
			break;
		default:
			break;
		}
	}
	return true;
}

static void chan_revalidate(struct chan *c, struct port *p)
{
	mutex_lock(&c->mu);
	if (!port_check(c, p))
		c->busy = 1;
	mutex_unlock(&c->mu);
}

/* the same loop, but the test reads the channel itself (through a value
 * taken from it): a caller holding the lock may know it fails (quiet) */
static bool port_check_own(struct chan *c, struct port *p)
{
	int i, n = c->n;
	bool ok = true;

	for (i = 0; i < p->nslots; i++) {
		if (n > i)
			continue;
		mutex_lock(&c->mu);
		ok = chan_fits(c, i);
		mutex_unlock(&c->mu);
	}
	return ok;
}

/* or a flag the caller passes (quiet) */
static bool port_check_flag(struct chan *c, struct port *p, int held)
{
	int i;
	bool ok = true;

	for (i = 0; i < p->nslots; i++) {
		if (held || !p->slots[i].used)
			continue;
		mutex_lock(&c->mu);
		ok = chan_fits(c, i);
		mutex_unlock(&c->mu);
	}
	return ok;
}

static void chan_revalidate_own(struct chan *c, struct port *p)
{
	mutex_lock(&c->mu);
	if (!port_check_own(c, p) || !port_check_flag(c, p, 1))
		c->busy = 1;
	mutex_unlock(&c->mu);
}

/*
 * A read side taken again: a sleeping rwsem blocks the second reader when
 * a writer queued in between, so the reader waits for itself; an rwlock's
 * readers nest.
 */
struct table { struct rw_semaphore sem; rwlock_t rw; int n; };

static int table_find(struct table *t, int key)
{
	int found;

	down_read(&t->sem); /* want "double-acquire error" */
	found = t->n == key;
	up_read(&t->sem);
	return found;
}

static void table_copy(struct table *t, int key)
{
	down_read(&t->sem);
	if (!table_find(t, key))
		t->n = key;
	up_read(&t->sem);
}

static int table_peek(struct table *t)
{
	int n;

	read_lock(&t->rw);
	n = t->n;
	read_unlock(&t->rw);
	return n;
}

static int table_peek_twice(struct table *t)
{
	int n;

	read_lock(&t->rw);
	n = table_peek(t) + t->n;
	read_unlock(&t->rw);
	return n;
}

/*
 * A global lock taken on the path where a call made here failed, or
 * where a global option says so: no caller holding it rules that path out.
 */
static void workers_stop(void)
{
	cpus_read_lock(); /* want "double-acquire error" */
	workers_stop_all();
	cpus_read_unlock();
}

static int worker_start(unsigned int cpu)
{
	struct task_struct *k;

	if (!test_bit(WORKLOAD, &worker_options))
		return 0;
	k = kthread_run_on_cpu(worker_main, NULL, cpu, "worker/%u");
	if (IS_ERR(k)) {
		workers_stop();
		return -ENOMEM;
	}
	return 0;
}

static void workers_start(void)
{
	unsigned int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		if (worker_start(cpu))
			break;
	cpus_read_unlock();
}

/*
 * Taken only for the values of the caller's argument that need it
 * (an address outside the direct window): the caller that holds the lock
 * passes one that does not.
 */
struct hw { rwlock_t hw_lock; void *base; };

static int hw_window(struct hw *h, unsigned long off)
{
	return off >= 0x1000;
}

static void hw_write(struct hw *h, unsigned long off, u32 v)
{
	unsigned long flags = 0;
	int rv = hw_window(h, off);

	if (rv == 1)
		write_lock_irqsave(&h->hw_lock, flags);
	writel(v, h->base + off);
	if (rv == 1)
		write_unlock_irqrestore(&h->hw_lock, flags);
}

static void hw_fail(struct hw *h)
{
	read_lock(&h->hw_lock);
	hw_write(h, 0x10, 1);
	read_unlock(&h->hw_lock);
}

/*
 * Kernel APIs that take a lock inside: the static key API takes the CPU
 * hotplug lock (its _cpuslocked form is for callers that hold it),
 * register_netdev() the RTNL.
 */
static DEFINE_STATIC_KEY_FALSE(odd_config);

static void note_odd_config(void)
{
	static_branch_enable(&odd_config); /* want "double-acquire error" */
}

static void mask_write(void)
{
	cpus_read_lock();
	note_odd_config();
	cpus_read_unlock();
}

static void mask_write_locked(void)
{
	cpus_read_lock();
	static_branch_enable_cpuslocked(&odd_config);
	cpus_read_unlock();
}

static int port_add(struct net_device *dev)
{
	int err;

	rtnl_lock();
	err = register_netdev(dev); /* want "double-acquire error" */
	rtnl_unlock();
	return err;
}
