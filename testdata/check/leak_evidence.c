/* Leak or conditional-acquire API, decided from what the paths return. */
struct foo { struct mutex lock; spinlock_t slock; int n; };
struct obj { spinlock_t lock; int refs; };

/* void: no caller can tell the paths apart */
static void early_void(struct foo *f)
{
	spin_lock(&f->slock);
	if (f->n < 0)
		return; /* want "lock-balance" */
	f->n++;
	spin_unlock(&f->slock);
}

/* a call in the condition is no trylock; held only on the error return */
static int call_in_cond(struct foo *f)
{
	spin_lock(&f->slock);
	if (!check_it(f))
		return -EINVAL; /* want "lock-balance" */
	f->n++;
	spin_unlock(&f->slock);
	return 0;
}

/* the object went to a function not seen, whose name says nothing of
 * locks: it is assumed to leave the lock alone; `ret` after `if (ret)` is
 * an error */
static int ret_after_test(struct foo *f, int v)
{
	int ret;

	mutex_lock(&f->lock);
	ret = foo_check(f, v);
	if (ret)
		return ret; /* want "lock-balance" */
	f->n = v;
	mutex_unlock(&f->lock);
	return 0;
}

/* the error travels down a goto ladder */
static int ladder(struct foo *f, int v)
{
	int ret;

	mutex_lock(&f->lock);
	ret = foo_check(f, v);
	if (ret < 0)
		goto err;
	f->n = v;
	mutex_unlock(&f->lock);
	return 0;
err:
	return ret; /* want "lock-balance" */
}

/* `return ret` with ret not known: it may be the 0 the releasing return
 * gives, so callers cannot tell */
static int unknown_value(struct foo *f, int v)
{
	int ret;

	mutex_lock(&f->lock);
	ret = foo_set(f, v);
	if (f->n)
		return ret; /* want "lock-balance" */
	mutex_unlock(&f->lock);
	return 0;
}

/* trylock-style: held exactly when it returns true */
static bool foo_trylock_busy(struct foo *f)
{
	spin_lock(&f->slock);
	if (f->n) {
		spin_unlock(&f->slock);
		return false;
	}
	return true;
}

/* killable-style: held exactly on 0 */
static int foo_lock_live(struct foo *f)
{
	mutex_lock(&f->lock);
	if (f->n < 0) {
		mutex_unlock(&f->lock);
		return -ENODEV;
	}
	return 0;
}

/* an object returned locked, or NULL without a lock */
static struct obj *obj_get_locked(struct foo *f)
{
	struct obj *o = obj_lookup(f);

	if (!o)
		return NULL;
	spin_lock(&o->lock);
	if (o->refs == 0) {
		spin_unlock(&o->lock);
		return NULL;
	}
	return o;
}

/* callers that use them right stay quiet */
static int use_apis(struct foo *f)
{
	struct obj *o;

	if (!foo_trylock_busy(f))
		return -EBUSY;
	f->n++;
	spin_unlock(&f->slock);
	if (foo_lock_live(f))
		return -ENODEV;
	f->n--;
	mutex_unlock(&f->lock);
	o = obj_get_locked(f);
	if (!o)
		return -ENOENT;
	o->refs++;
	spin_unlock(&o->lock);
	return 0;
}

/* a helper whose name says it drops locks may have dropped it */
static int handed_to_unlocker(struct foo *f, int v)
{
	mutex_lock(&f->lock);
	if (v < 0) {
		foo_finish_and_unlock(f);
		return -EINVAL;
	}
	mutex_unlock(&f->lock);
	return 0;
}

/* a function handed the lock itself may drop it */
static int handed_the_lock(struct foo *f, int v)
{
	spin_lock(&f->slock);
	if (v < 0) {
		wait_for_space(&f->slock, v);
		return -EAGAIN;
	}
	spin_unlock(&f->slock);
	return 0;
}

/* a lookup that returns its object locked holds nothing when it is NULL */
static void null_holds_nothing(struct foo *f)
{
	struct obj *o = obj_get_locked(f);

	if (o == NULL)
		return;
	o->refs--;
	spin_unlock(&o->lock);
}

/* __acquires() on a function that keeps the lock only on success is
 * read from the body: callers that release on success only are right */
static int foo_enter(struct foo *f) __acquires(&f->lock)
{
	mutex_lock(&f->lock);
	if (f->n < 0) {
		mutex_unlock(&f->lock);
		return -EIO;
	}
	return 0;
}

static int enter_user(struct foo *f)
{
	if (foo_enter(f))
		return -EIO;
	f->n = 0;
	mutex_unlock(&f->lock);
	return 0;
}

/* the two shapes rules/examples_test.go kept as known misses */
static int set_entry(struct mm_struct *mm, pmd_t *pmd)
{
	int err;

	spin_lock(&mm->page_table_lock);
	err = check_pmd(pmd);
	if (err)
		return err; /* want "lock-balance" */
	spin_unlock(&mm->page_table_lock);
	return 0;
}

static void drop_entry(struct mm_struct *mm, int err)
{
	spin_lock(&mm->page_table_lock);
	if (err)
		return; /* want "lock-balance" */
	spin_unlock(&mm->page_table_lock);
}

/* a callee told where the lock flag lives may drop a lock it reaches by
 * another path than its arguments */
static int checks_may_unlock(struct foo *f, struct bar *b)
{
	bool ilock_shared = true;
	int ret;

	spin_lock(&f->slock);
	if (f->n) {
		spin_unlock(&f->slock);
		return bar_fallback(b);
	}
	ret = bar_checks(b, &ilock_shared);
	if (ret <= 0)
		return ret;
	spin_unlock(&f->slock);
	return ret;
}

/* paths that meet at a return of a variable they set differently: the
 * value may tell them apart (VM_FAULT_LOCKED), too weak for a warning */
static int mkwrite_like(struct foo *f, int v)
{
	int ret = FOO_LOCKED;

	mutex_lock(&f->lock);
	if (v) {
		mutex_unlock(&f->lock);
		ret = FOO_RETRY;
		goto out;
	}
	f->n = v;
out:
	foo_end(f);
	return ret;
}

/* a constant tells nothing apart */
static int merged_constant(struct foo *f, int v)
{
	mutex_lock(&f->lock);
	if (v) {
		mutex_unlock(&f->lock);
		goto out;
	}
	f->n = v;
out:
	return -EIO; /* want "lock-balance" */
}

/* void, and the path that keeps the lock runs off the end of the body,
 * where it meets the paths that never took it: still a leak */
static void goto_past_branch(struct foo *f, int cpu)
{
	struct obj *o;

	if (f->n == 1) {
		o = pick_obj(f, cpu);
		spin_lock(&o->lock);
		if (o->refs < 0)
			goto tail; /* the unlock is missing here */
		o->refs++;
		spin_unlock(&o->lock);
		return;
	}
tail:
	f->n = 0;
} /* want "lock-balance" */

/* the same with the unlock in place: quiet */
static void goto_past_branch_fixed(struct foo *f, int cpu)
{
	struct obj *o;

	if (f->n == 1) {
		o = pick_obj(f, cpu);
		spin_lock(&o->lock);
		if (o->refs < 0) {
			spin_unlock(&o->lock);
			goto tail;
		}
		o->refs++;
		spin_unlock(&o->lock);
		return;
	}
tail:
	f->n = 0;
}

/* taken and dropped under one condition: the paths that took it released
 * it, and the end meets only those and the ones that never took it */
static void same_condition(struct foo *f, int locked)
{
	if (locked)
		spin_lock(&f->slock);
	f->n++;
	if (locked)
		spin_unlock(&f->slock);
}

/* a function elsewhere drops the lock its caller holds ... */
static void foo_put(struct foo *f)
{
	mutex_unlock(&f->lock);
}

/* ... which excuses no return here: 0 comes back held on one path and
 * maybe released on another (`ret` may be 0 too), so a caller cannot tell
 * when to call foo_put() */
static int stop_all(struct foo *f)
{
	int ret;

	mutex_lock(&f->lock);
	if (f->n == 0)
		return 0; /* want "lock-balance" */
	ret = foo_stop(f);
	mutex_unlock(&f->lock);
	return ret;
}

/* held exactly on success, released on every error: foo_put() is the
 * other half of this API, quiet */
static int foo_get(struct foo *f)
{
	mutex_lock(&f->lock);
	if (f->n < 0) {
		mutex_unlock(&f->lock);
		return -EBUSY;
	}
	return 0;
}

/* the error path keeps the lock and meets the released paths at one
 * `return ret`: held only where ret is an error */
static int shrink(struct foo *f)
{
	int ret;

	mutex_lock(&f->lock);
	ret = foo_search(f);
	if (ret < 0)
		goto done;
	f->n = ret;
	mutex_unlock(&f->lock);
done:
	return ret; /* want "lock-balance" */
}

/* an error return keeps the lock; no return releases it on every path,
 * but the last one does on the paths that get there without an error */
static int add_dev(struct foo *f)
{
	int res = 0;

	mutex_lock(&f->lock);
	if (!f->n) {
		res = foo_make(f);
		if (res)
			return res; /* want "lock-balance" */
		res = foo_parse(f);
		if (res)
			goto err;
	}
	mutex_unlock(&f->lock);
	f->n++;
err:
	/* the `goto err` path leaks it too, but `if (res)` alone does not
	 * say error surely enough at a return shared with other paths (see
	 * shrink(), which tests `ret < 0`): not reported */
	return res;
}

/* 0 comes back held on one path, and `return err` releases it on paths
 * where err was tested and found no error: 0 as well, so the value does
 * not tell the caller it holds the lock */
static int rename_it(struct foo *f, int v)
{
	int err;

	mutex_lock(&f->lock);
	if (v == f->n)
		return 0; /* want "lock-balance" */
	err = foo_check(f, v);
	if (err < 0) {
		mutex_unlock(&f->lock);
		return err;
	}
	f->n = v;
	mutex_unlock(&f->lock);
	return err;
}

/* check, lock, check again: the test under the lock may answer otherwise
 * than the one before it, so its error branch is a path */
static int recheck(struct foo *f)
{
	if (!(f->n & 4))
		return 0;
	spin_lock(&f->slock);
	if (!(f->n & 4))
		return 0; /* want "lock-balance" */
	f->n &= ~4;
	spin_unlock(&f->slock);
	return 1;
}

/* locked only when a flag says so, unlocked by the same flag after: the
 * second test is no re-check, quiet */
static void by_flag(struct foo *f)
{
	if (f->n & 8)
		spin_lock(&f->slock);
	f->n++;
	if (f->n & 8)
		spin_unlock(&f->slock);
}
