/*
 * An iterator macro whose first argument is the object walked (a
 * parameter), not the cursor: the lock taken on that object before the
 * loop is the one released after it.
 */
struct mutex { int owner; };
struct pool { struct mutex lock; int free; };
int pool_take(struct pool *pool, unsigned long id);

static int pool_fill(struct pool *pool)
{
	unsigned long id;
	int rc = 0;

	mutex_lock(&pool->lock);
	pool_for_each_slot(pool, id) {
		rc = pool_take(pool, id);
		if (rc)
			goto out_unlock;
	}
	mutex_unlock(&pool->lock);

	pool_for_each_slot(pool, id) {
		if (!pool->free)
			return -28;
	}
	return 0;
out_unlock:
	mutex_unlock(&pool->lock);
	return rc;
}

/* the same walk, with a return that keeps the lock */
static int pool_drain(struct pool *pool)
{
	unsigned long id;

	mutex_lock(&pool->lock);
	pool_for_each_slot(pool, id) {
		if (pool_take(pool, id))
			return -16; /* want "lock-balance" */
	}
	mutex_unlock(&pool->lock);
	return 0;
}

/* skb_queue_walk_safe(queue, skb, next) walks the queue with skb: the
 * queue, whose lock is held around the walk, is not what it sets. */
struct sk_buff;
struct sk_buff_head { spinlock_t lock; struct sk_buff *next; };
struct txq { struct sk_buff_head submitted; };

bool txq_timed_out(struct txq *tx)
{
	struct sk_buff_head *q = &tx->submitted;
	struct sk_buff *skb, *next;
	unsigned long flags;
	bool late = false;

	spin_lock_irqsave(&q->lock, flags);
	skb_queue_walk_safe(q, skb, next) {
		if (skb_late(skb)) {
			late = true;
			break;
		}
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return late;
}
