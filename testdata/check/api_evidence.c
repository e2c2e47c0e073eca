/* Functions that return with a lock on purpose, told from leaks by what
 * they return and by what the code around them does with the lock. */
struct ring { struct mutex m; spinlock_t s; int used; int size; void *buf; };

/* returns the buffer with the mutex held, NULL without it; the commit
 * half releases the caller's lock */
static void *ring_reserve(struct ring *r, int n)
{
	mutex_lock(&r->m);
	if (r->used + n > r->size) {
		mutex_unlock(&r->m);
		return NULL;
	}
	r->used += n;
	return r->buf + r->used;
}

static void ring_commit(struct ring *r)
	__releases(&r->m)
{
	r->used = 0;
	mutex_unlock(&r->m);
}

/* held on the status code that says so, as a fault handler does */
static int ring_fault(struct ring *r)
{
	if (mutex_lock_killable(&r->m))
		return RING_RETRY;
	return RING_LOCKED;
}

/* `return 0` keeps the lock, the error ladder's `return err` drops it */
static int ring_prep(struct ring *r, int n)
{
	int err;

	mutex_lock(&r->m);
	err = ring_check(r, n);
	if (err)
		goto fail;
	err = ring_grow(r, n);
	if (err == -EAGAIN) {
		ring_wait(r);
		err = -EINTR;
	}
	if (err)
		goto fail;
	return 0;
fail:
	mutex_unlock(&r->m);
	return err;
}

/* a bool that keeps the lock on false is an API too (btrfs's
 * tree_mod_dont_log(), fast_dput()): callers unlock after false */
static bool ring_busy(struct ring *r)
{
	spin_lock(&r->s);
	if (!r->used)
		return false;
	spin_unlock(&r->s);
	return true;
}

/* a helper named as a lock keeps its lock by design, and a trylock that
 * fails leaves it not held */
static int ring_lock(struct ring *r)
{
	if (!mutex_trylock(&r->m))
		return -EBUSY;
	if (r->size)
		return 0;
	mutex_unlock(&r->m);
	return -ENOSPC;
}

/* a leak on an error after a killable take, tested through an assignment
 * in the condition */
static int ring_use(struct ring *r)
{
	int ret;

	if ((ret = mutex_lock_interruptible(&r->m)) < 0)
		return ret;
	if (r->used > r->size)
		return -EOVERFLOW; /* want "lock-balance" */
	mutex_unlock(&r->m);
	return 0;
}

/* a callee that can only return 0 makes the error branch dead */
static int ring_power(struct ring *r)
{
	r->used = 0;
	return 0;
}

static int ring_resume(struct ring *r)
{
	int ret;

	mutex_lock(&r->m);
	ret = ring_power(r);
	if (ret)
		return ret;
	mutex_unlock(&r->m);
	return 0;
}

/* paths that meet at `return ret` knowing the same of ret, one of them
 * still holding the lock */
static int ring_find(struct ring *r, int key)
{
	int ret = 0;
	bool found = false;

	spin_lock(&r->s);
	if (r->used == key)
		found = true;
	if (!found)
		goto out;
	r->used = 0;
	spin_unlock(&r->s);
	ret = ring_flush(r);
out:
	return ret; /* want "lock-balance" */
}

/* a scoped guard over one statement is released at its end */
static void ring_append(struct ring *r, struct list_head *e, struct list_head *head)
{
	scoped_guard(mutex, &r->m)
		list_add_tail(e, head);
	r->used++;
}

/* a down_read_non_owner() is released by another context by design */
static int ring_handoff(struct ring *r, struct rw_semaphore *sem)
{
	down_read_non_owner(sem);
	if (ring_queue(r, sem))
		return 1;
	up_read_non_owner(sem);
	return 0;
}

static int ring_user(struct ring *r, int n)
{
	void *p = ring_reserve(r, n);

	if (!p)
		return -ENOMEM;
	memset(p, 0, n);
	ring_commit(r);
	return 0;
}

/* "returns true when there is nothing to log, false with the lock held":
 * the bool tells the caller whether to unlock */
static bool ring_skip_log(struct ring *r)
{
	if (!r->size)
		return true;
	spin_lock(&r->s);
	if (!r->used) {
		spin_unlock(&r->s);
		return true;
	}
	return false;
}

/* the same with the unlock forgotten: true comes back both with the lock
 * and without it, and false with it too */
static bool ring_skip_log_leaky(struct ring *r)
{
	if (!r->size)
		return true;
	spin_lock(&r->s);
	if (!r->used)
		return true; /* want "lock-balance error" */
	return false;
}

/* (a lock no other function here releases for its caller) */
struct slots { struct mutex m; int used, size; };
int slots_wait(struct slots *sl);

/* held when it returns 1, released on 0 and on an error: a caller that
 * tests the result for truth takes the error for the lock */
static int slots_claim(struct slots *sl)
{
	int ret;

	for (;;) {
		mutex_lock(&sl->m);
		if (sl->used < sl->size)
			return 1; /* want "lock-balance error" */
		mutex_unlock(&sl->m);
		ret = slots_wait(sl);
		if (ret == 0)
			break;
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* held on 1, released on 0 only: a trylock-style helper */
static int slots_claim_if_free(struct slots *sl)
{
	mutex_lock(&sl->m);
	if (sl->used < sl->size)
		return 1;
	mutex_unlock(&sl->m);
	return 0;
}
