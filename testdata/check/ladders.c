/* Error ladders: the labels at the end of a function undo what was done,
 * and a goto that jumps to the wrong rung runs an unlock twice or skips
 * one. Also the shapes that only look like it: a path that ends in BUG(),
 * a flag that records whether the lock is held. */
struct ctl { struct mutex mu; spinlock_t lock; int state; void *buf; };
int setup_ring(struct ctl *c);
int start_queue(struct ctl *c);
void *get_buf(struct ctl *c);
void put_buf(void *b);
int wait_commit(struct ctl *c);
int still_busy(struct ctl *c);

/* the unlock moved above the second goto, the label's unlock stayed: the
 * path from start_queue()'s failure releases the mutex twice */
static int add_queue(struct ctl *c)
{
	int r;

	mutex_lock(&c->mu);
	c->buf = get_buf(c);
	if (!c->buf) {
		mutex_unlock(&c->mu);
		return -12;
	}
	r = setup_ring(c);
	if (r)
		goto free_buf;
	c->state = 1;
	mutex_unlock(&c->mu);

	r = start_queue(c);
	if (r)
		goto free_buf;
	return 0;

free_buf:
	put_buf(c->buf);
	mutex_unlock(&c->mu); /* want "release-unheld" */
	return r;
}

/* the same ladder with the unlock where the first goto leaves: quiet */
static int add_queue_fixed(struct ctl *c)
{
	int r;

	mutex_lock(&c->mu);
	c->buf = get_buf(c);
	if (!c->buf) {
		mutex_unlock(&c->mu);
		return -12;
	}
	r = setup_ring(c);
	if (r) {
		mutex_unlock(&c->mu);
		goto free_buf;
	}
	c->state = 1;
	mutex_unlock(&c->mu);

	r = start_queue(c);
	if (r)
		goto free_buf;
	return 0;

free_buf:
	put_buf(c->buf);
	return r;
}

/* a switch whose default unlocks and calls BUG(): that path never comes
 * back to the unlock after the switch, so nothing is released twice */
static int pick_op(struct ctl *c, int type)
{
	int op;

	mutex_lock(&c->mu);
	switch (type) {
	case 1:
		op = 10;
		break;
	case 2:
		op = 20;
		break;
	default:
		mutex_unlock(&c->mu);
		BUG();
	}
	c->state = op;
	mutex_unlock(&c->mu);
	return op;
}

/* nor does a path that unlocks and panics */
static void check_state(struct ctl *c)
{
	spin_lock(&c->lock);
	if (c->state < 0) {
		spin_unlock(&c->lock);
		panic("bad state");
	}
	c->state++;
	spin_unlock(&c->lock);
}

/* a flag set only to constants says whether the lock is held: the loop
 * goes round only on the path that dropped it, and leaves with it held */
static int retry_until_quiet(struct ctl *c)
{
	bool again;
	int r;

	do {
		again = false;
		mutex_lock(&c->mu);
		if (still_busy(c)) {
			mutex_unlock(&c->mu);
			r = wait_commit(c);
			if (r)
				return r;
			again = true;
		}
	} while (again);
	c->state = 2;
	mutex_unlock(&c->mu);
	return 0;
}

/* the flag tested at the label: the unlock runs only where it was taken */
static int by_flag(struct ctl *c)
{
	int locked = 0;
	int r;

	r = setup_ring(c);
	if (r)
		goto out;
	mutex_lock(&c->mu);
	locked = 1;
	r = start_queue(c);
	if (r)
		goto out;
	c->state = 3;
out:
	if (locked)
		mutex_unlock(&c->mu);
	return r;
}

/* a count kept in a variable is no flag: `n++` changes what it tests */
static int by_count(struct ctl *c)
{
	int n = 0;

	mutex_lock(&c->mu);
	if (still_busy(c))
		n++;
	if (n)
		mutex_unlock(&c->mu);
	else
		mutex_unlock(&c->mu);
	return n;
}

/* called with c->mu held: it drops the mutex to wait for the peer and
 * takes it again only when the wait worked, so the pass after a failed
 * wait reaches the exit's unlock with the mutex released already */
static void hand_over(struct ctl *c, struct ctl *peer)
{
retry:
	spin_lock(&c->lock);
	if (c->state) {
		spin_unlock(&c->lock);
		goto out;
	}
	spin_unlock(&c->lock);
	mutex_unlock(&c->mu);
	if (!wait_commit(peer))
		mutex_lock(&c->mu);
	goto retry;
out:
	mutex_unlock(&c->mu); /* want "release-unheld" */
}

/* the same taking the mutex again on every pass: quiet */
static void hand_over_fixed(struct ctl *c, struct ctl *peer)
{
retry:
	spin_lock(&c->lock);
	if (c->state) {
		spin_unlock(&c->lock);
		goto out;
	}
	spin_unlock(&c->lock);
	mutex_unlock(&c->mu);
	wait_commit(peer);
	mutex_lock(&c->mu);
	goto retry;
out:
	mutex_unlock(&c->mu);
}
