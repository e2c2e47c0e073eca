/* Check, lock, check again: a query asked before the lock is asked anew
 * under it, and may answer otherwise (the state changed in between). The
 * path where the second answer differs is real code, and must balance. */
struct dev { spinlock_t lock; struct list_head queue; int n; };
int dev_ready(struct dev *d);

static int dev_push(struct dev *d)
{
	if (!dev_ready(d))
		return -EAGAIN;
	spin_lock(&d->lock);
	if (!dev_ready(d))
		return -EAGAIN; /* want "lock-balance error" */
	d->n++;
	spin_unlock(&d->lock);
	return 0;
}

/* the same, balanced (quiet) */
static int dev_push_fixed(struct dev *d)
{
	if (!dev_ready(d))
		return -EAGAIN;
	spin_lock(&d->lock);
	if (!dev_ready(d)) {
		spin_unlock(&d->lock);
		return -EAGAIN;
	}
	d->n++;
	spin_unlock(&d->lock);
	return 0;
}

/* one question asked twice around work that takes no lock between:
 * the paths agree (quiet) */
static void dev_touch(struct dev *d)
{
	if (dev_ready(d))
		spin_lock(&d->lock);
	d->n++;
	if (dev_ready(d))
		spin_unlock(&d->lock);
}

/* a worker loop: each round takes the lock, and leaves the loop through
 * its unlock when the queue is empty; the emptiness seen last round says
 * nothing of this one (quiet) */
static void dev_drain(struct dev *d)
{
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&d->lock, flags);
		if (list_empty(&d->queue)) {
			spin_unlock_irqrestore(&d->lock, flags);
			break;
		}
		list_del(d->queue.prev);
		spin_unlock_irqrestore(&d->lock, flags);
		d->n--;
	}
}

/* asked again right where a trylock succeeded */
static int dev_try_push(struct dev *d)
{
	if (!dev_ready(d))
		return -EAGAIN;
	if (!spin_trylock(&d->lock))
		return -EBUSY;
	if (!dev_ready(d))
		return -EAGAIN; /* want "lock-balance error" */
	d->n++;
	spin_unlock(&d->lock);
	return 0;
}
