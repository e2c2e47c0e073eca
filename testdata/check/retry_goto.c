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
