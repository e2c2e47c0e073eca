/* Check, lock, check again: a query asked before the lock is asked anew
 * under it, and may answer otherwise (the state changed in between). The
 * path where the second answer differs is real code, and must balance. */
struct dev { spinlock_t lock; struct rw_semaphore sem; struct mutex mu; struct list_head queue; int n; };
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

/* asked before a loop, then once a round about the item the loop writes
 * down: the answer before the loop says nothing of the rounds, whose
 * failure path drops the lock twice */
struct query { int item, items; };
int dev_info(struct dev *d, struct query *q);

static int dev_scan(struct dev *d, struct query *q)
{
	down_read(&d->sem);
	if (dev_info(d, q)) {
		up_read(&d->sem);
		return 0;
	}
	for (q->item = 1; q->item < q->items; q->item++) {
		if (dev_info(d, q)) {
			up_read(&d->sem);
			up_read(&d->sem); /* want "release-unheld error" */
			return 0;
		}
	}
	up_read(&d->sem);
	return 1;
}

/* the same, dropped once (quiet) */
static int dev_scan_fixed(struct dev *d, struct query *q)
{
	down_read(&d->sem);
	if (dev_info(d, q)) {
		up_read(&d->sem);
		return 0;
	}
	for (q->item = 1; q->item < q->items; q->item++) {
		if (dev_info(d, q)) {
			up_read(&d->sem);
			return 0;
		}
	}
	up_read(&d->sem);
	return 1;
}

/* asked again further on, with work between the lock and the test: the
 * lock was still taken after the first answer, which may have changed */
void dev_flush(struct dev *d);

static int dev_commit(struct dev *d)
{
	if (dev_ready(d))
		return -EAGAIN;
	mutex_lock(&d->mu);
	d->n++;
	dev_flush(d);
	if (dev_ready(d)) {
		mutex_unlock(&d->mu);
		mutex_unlock(&d->mu); /* want "release-unheld error" */
		return -EAGAIN;
	}
	mutex_unlock(&d->mu);
	return 0;
}
