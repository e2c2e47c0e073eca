/*
 * __acquires() on a function that takes its locks only when it
 * succeeds: the body says so, and the annotation of a lock the body does
 * not follow (rcu) goes the same way. A function that always takes its
 * lock keeps its annotation's word.
 */
struct queue { spinlock_t qlock; int state; };

int queue_prep(struct queue *q, int arg)
	__acquires(rcu) __acquires(&q->qlock)
{
	int ret = -22;

	if (arg < 0)
		goto fail;
	rcu_read_lock();
	spin_lock_irq(&q->qlock);
	if (q->state != arg)
		goto fail_unlock;
	return 0;
fail_unlock:
	spin_unlock_irq(&q->qlock);
	rcu_read_unlock();
fail:
	return ret;
}

void queue_finish(struct queue *q)
	__releases(&q->qlock) __releases(rcu)
{
	spin_unlock_irq(&q->qlock);
	rcu_read_unlock();
}

long queue_set(struct queue *q, int arg)
{
	int ret;

	ret = queue_prep(q, arg);
	if (ret)
		return ret;
	q->state = arg + 1;
	queue_finish(q);
	return 0;
}

void queue_grab(struct queue *q)
	__acquires(&q->qlock)
{
	spin_lock(&q->qlock);
}

void queue_drop(struct queue *q)
	__releases(&q->qlock)
{
	spin_unlock(&q->qlock);
}

int queue_bump(struct queue *q)
{
	queue_grab(q);
	if (q->state < 0)
		return -5; /* want "lock-balance" */
	q->state++;
	queue_drop(q);
	return 0;
}
