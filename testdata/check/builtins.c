/* The built-in checks: lock-balance, double-acquire, release-unheld,
 * sleep-under-spinlock, order-inversion; and the idioms that must stay
 * silent. */

struct counter {
	spinlock_t lock;
	struct mutex mutex;
	int value;
};

static DEFINE_SPINLOCK(table_lock);
static DEFINE_MUTEX(table_mutex);

/* An early return that forgets the unlock. */
static int bump_racy(struct counter *c, int v)
{
	spin_lock(&c->lock);
	if (v < 0)
		return -EINVAL; /* want "lock-balance" */
	c->value += v;
	spin_unlock(&c->lock);
	return 0;
}

/* The goto out_unlock error path. */
static int bump_goto(struct counter *c, int v)
{
	int err = 0;

	spin_lock(&c->lock);
	if (v < 0) {
		err = -EINVAL;
		goto out_unlock;
	}
	c->value += v;
out_unlock:
	spin_unlock(&c->lock);
	return err;
}

/* Locked and unlocked on the same condition. */
static void maybe_locked(struct counter *c, bool locked)
{
	if (locked)
		spin_lock(&c->lock);
	c->value++;
	if (locked)
		spin_unlock(&c->lock);
}

/* Trylock that returns on failure. */
static int try_bump(struct counter *c)
{
	if (!spin_trylock(&c->lock))
		return -EBUSY;
	c->value++;
	spin_unlock(&c->lock);
	return 0;
}

/* Trylock through a variable. */
static int try_bump_var(struct counter *c)
{
	int got = mutex_trylock(&c->mutex);

	if (!got)
		return -EBUSY;
	c->value++;
	mutex_unlock(&c->mutex);
	return 0;
}

/* Killable lock: 0 means taken. */
static int killable(struct counter *c)
{
	if (mutex_lock_killable(&c->mutex))
		return -EINTR;
	c->value++;
	mutex_unlock(&c->mutex);
	return 0;
}

/* Lock wrappers: taken in one function, released in another. */
static void counter_lock(struct counter *c)
{
	spin_lock(&c->lock);
}

static void counter_unlock(struct counter *c)
{
	spin_unlock(&c->lock);
}

static void use_wrappers(struct counter *c)
{
	counter_lock(c);
	c->value++;
	counter_unlock(c);
}

/* A trylock-style API: returns 1 with the lock held, 0 without. */
static int counter_trylock(struct counter *c)
{
	if (c->value > 100)
		return 0;
	spin_lock(&c->lock);
	return 1;
}

/* Evidence from an assertion. */
static void under_caller_lock(struct counter *c)
{
	lockdep_assert_held(&c->lock);
	c->value = 0;
	spin_unlock(&c->lock);
	spin_lock(&c->lock);
}

/* Scoped locks release themselves. */
static int guarded(struct counter *c, int v)
{
	guard(spinlock)(&c->lock);
	if (v < 0)
		return -EINVAL;
	c->value = v;
	return 0;
}

static void double_take(struct counter *c)
{
	spin_lock(&c->lock);
	c->value++;
	spin_lock(&c->lock); /* want "double-acquire" */
	spin_unlock(&c->lock);
}

static void double_release(struct counter *c)
{
	spin_lock(&c->lock);
	spin_unlock(&c->lock);
	spin_unlock(&c->lock); /* want "release-unheld" */
}

static void *alloc_under_lock(struct counter *c, size_t n)
{
	void *p, *q;

	spin_lock(&c->lock);
	p = kmalloc(n, GFP_KERNEL); /* want "sleep-under-spinlock" */
	q = kmalloc(n, GFP_ATOMIC);
	mutex_lock(&table_mutex); /* want "sleep-under-spinlock" */
	mutex_unlock(&table_mutex);
	spin_unlock(&c->lock);
	kfree(q);
	return kmalloc(n, GFP_KERNEL);
}

/* ABBA: one function nests table_lock inside the counter lock, the other
 * the counter lock inside table_lock. */
static void ab(struct counter *c)
{
	spin_lock(&c->lock);
	spin_lock(&table_lock); /* want "order-inversion" */
	spin_unlock(&table_lock);
	spin_unlock(&c->lock);
}

static void ba(struct counter *c)
{
	spin_lock(&table_lock);
	spin_lock(&c->lock); /* want "order-inversion" */
	spin_unlock(&c->lock);
	spin_unlock(&table_lock);
}

/* Two objects of one kind, locked parent before child under a lockdep
 * subclass, each way round in one function (a rename between
 * directories): the subclass is the order, not the class names (quiet). */
struct dir;
struct node { spinlock_t lock; struct dir *dir; };

static void move_node(struct node *n, struct dir *to, int up)
{
	if (up) {
		spin_lock(&n->dir->lock);
		spin_lock_nested(&n->lock, SINGLE_DEPTH_NESTING);
	} else {
		spin_lock(&n->lock);
		spin_lock_nested(&n->dir->lock, SINGLE_DEPTH_NESTING);
	}
	n->dir = to;
	spin_unlock(&n->lock);
	spin_unlock(&n->dir->lock);
}

/* Callers of conditional APIs: the lock is held only when they succeed. */
static int use_trylock_api(struct counter *c)
{
	if (!counter_trylock(c))
		return -EBUSY;
	c->value++;
	spin_unlock(&c->lock);
	return 0;
}

/* Drops the caller's lock to allocate; comes back without it on failure. */
static int refill(struct counter *c)
	__must_hold(&c->lock)
{
	void *p;

	spin_unlock(&c->lock);
	p = kmalloc(64, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	spin_lock(&c->lock);
	c->value = 1;
	return 0;
}

static long add_entries(struct counter *c)
{
	spin_lock(&c->lock);
	if (refill(c))
		return -ENOMEM;
	c->value++;
	spin_unlock(&c->lock);
	return 0;
}
