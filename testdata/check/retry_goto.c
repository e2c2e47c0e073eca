/* `goto retry` back to before the lock, with the lock still held: the
 * retry waits for itself. */
struct set { struct mutex mu; spinlock_t lock; int busy; wait_queue_head_t wq; };
void settle(struct set *s);
void sleep_dropping(wait_queue_head_t *wq, spinlock_t *l);

static void update_set(struct set *s)
{
retry:
	wait_event(s->wq, s->busy == 0);
	mutex_lock(&s->mu);
	if (s->busy)
		goto retry; /* want "double-acquire error" */
	settle(s);
	mutex_unlock(&s->mu);
}

/* the unlock before the goto: quiet */
static void update_set_fixed(struct set *s)
{
retry:
	wait_event(s->wq, s->busy == 0);
	mutex_lock(&s->mu);
	if (s->busy) {
		mutex_unlock(&s->mu);
		goto retry;
	}
	settle(s);
	mutex_unlock(&s->mu);
}

/* a helper not in view gets the lock itself, and drops it to sleep */
static void wait_idle(struct set *s)
{
again:
	spin_lock(&s->lock);
	if (s->busy) {
		sleep_dropping(&s->wq, &s->lock);
		goto again;
	}
	s->busy = 1;
	spin_unlock(&s->lock);
}

/* forward gotos to the exit are not retries */
static int leave_early(struct set *s)
{
	int err = 0;

	mutex_lock(&s->mu);
	if (s->busy) {
		err = -16;
		goto out;
	}
	settle(s);
out:
	mutex_unlock(&s->mu);
	return err;
}

/* a wait macro out of sight handed the object: it may drop the object's
 * mutex while it sleeps and come back without it on a signal, so taking
 * it again after is not a double acquire (spufs_wait()) */
int set_stopped(struct set *s);

static int run_until_stopped(struct set *s)
{
	int ret;

	mutex_lock(&s->mu);
	ret = set_wait(s->wq, set_stopped(s));
	if (ret) {
		mutex_lock(&s->mu);
		s->busy = 0;
	}
	mutex_unlock(&s->mu);
	return ret;
}

/* Lock the owner an item points to, and check it still does once locked.
 * The retry looks the owner up again: with the lock still held, the lock
 * on the owner it had is never released. */
struct owner { spinlock_t lock; int moving; };
struct item { struct owner *own; };
struct owner *item_owner(struct item *it);

static void lock_item_owner(struct item *it)
{
	struct owner *o;

again:
	o = item_owner(it);
	if (!o)
		return;
	might_lock(&o->lock);
	if (!o->moving)
		return;
	spin_lock(&o->lock);
	if (o != item_owner(it))
		goto again; /* want "lock-balance error" */
}

/* the unlock before the retry: quiet */
static void lock_item_owner_fixed(struct item *it)
{
	struct owner *o;

again:
	o = item_owner(it);
	if (!o)
		return;
	might_lock(&o->lock);
	if (!o->moving)
		return;
	spin_lock(&o->lock);
	if (o != item_owner(it)) {
		spin_unlock(&o->lock);
		goto again;
	}
}
