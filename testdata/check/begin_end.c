/* A begin/end pair on a global lock: begin takes it (a nested call on
 * the CPU that holds it already does not) and never releases it; end
 * releases what its caller holds.  Begin is not a leak. */

static arch_spinlock_t die_lock = __ARCH_SPIN_LOCK_UNLOCKED;
static int die_owner = -1;
static unsigned int die_nest_count;

unsigned long die_begin(void)
{
	int cpu;
	unsigned long flags;

	raw_local_irq_save(flags);
	cpu = smp_processor_id();
	if (!arch_spin_trylock(&die_lock)) {
		if (cpu == die_owner)
			;	/* nested: this CPU holds it */
		else
			arch_spin_lock(&die_lock);
	}
	die_nest_count++;
	die_owner = cpu;
	return flags;
}

void die_end(unsigned long flags)
{
	die_owner = -1;
	die_nest_count--;
	if (!die_nest_count)
		arch_spin_unlock(&die_lock);
	raw_local_irq_restore(flags);
}

/* the same shape with no function that releases it for its caller */
static arch_spinlock_t dump_lock = __ARCH_SPIN_LOCK_UNLOCKED;
static int dump_owner = -1;

int dump_begin(void)
{
	int cpu = smp_processor_id();

	if (!arch_spin_trylock(&dump_lock)) {
		if (cpu == dump_owner)
			;
		else
			arch_spin_lock(&dump_lock);
	}
	dump_owner = cpu;
	return cpu; /* want "lock-balance warning" */
}

/* A lock kept where ret is still 0, released where ret comes from a
 * call that tested non-negative: both may return 0, so no caller can
 * tell. */
struct swapped { spinlock_t lock; int n; bool swapped; };

int swap_trace(struct swapped *b);

int swap_after_cow(struct swapped *b, bool found)
{
	int ret = 0;

	spin_lock(&b->lock);
	if (!b->swapped) {
		spin_unlock(&b->lock);
		return 0;
	}
	if (!found)
		goto out;
	b->n--;
	spin_unlock(&b->lock);
	ret = swap_trace(b);
out:
	if (ret < 0)
		b->n = 0;
	return ret; /* want "lock-balance warning" */
}

/* A lock helper with its unlock pair is still wrong to keep the lock on
 * an error return: its callers release only what it gave on success. */
struct params { struct mutex lock; atomic_t busy; };

static int lock_params(struct params *p)
{
	if (mutex_lock_interruptible(&p->lock))
		return -ERESTARTSYS;
	if (atomic_read(&p->busy))
		return -EBUSY; /* want "lock-balance error" */
	return 0;
}

static void unlock_params(struct params *p)
{
	mutex_unlock(&p->lock);
}
