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
