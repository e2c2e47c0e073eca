/* `if (ret) goto out;` with the lock held, where `out:` returns ret to
 * the paths that released it too. Whether that is a leak depends on what
 * ret can hold: a variable the function fills only with 0, error
 * constants and call results is an error whenever it is not 0; one that
 * may carry a count or a size is not. */
struct task;
struct tbl { rwlock_t lock; struct task *first; int size; };
int apply_one(struct task *t, int prio);
struct task *next_task(struct tbl *t, struct task *p);
int copy_out(struct tbl *t, void *buf);

static int apply_all(struct tbl *t, int prio)
{
	struct task *p;
	int ret;

	if (prio < 0)
		return -EINVAL;
	ret = -ESRCH;
	read_lock(&t->lock);
	for (p = t->first; p; p = next_task(t, p)) {
		ret = apply_one(p, prio);
		if (ret)
			goto out;
	}
	read_unlock(&t->lock);
out:
	return ret; /* want "lock-balance error" */
}

/* the same with the unlock before the goto: quiet */
static int apply_all_fixed(struct tbl *t, int prio)
{
	struct task *p;
	int ret;

	if (prio < 0)
		return -EINVAL;
	ret = -ESRCH;
	read_lock(&t->lock);
	for (p = t->first; p; p = next_task(t, p)) {
		ret = apply_one(p, prio);
		if (ret) {
			read_unlock(&t->lock);
			goto out;
		}
	}
	read_unlock(&t->lock);
out:
	return ret;
}

/* ret may be a size here: a caller told "held when the result is not
 * 0" reads a positive size as success, so the value is the API's */
static int take_sized(struct tbl *t, void *buf)
{
	int ret;

	write_lock(&t->lock);
	ret = copy_out(t, buf);
	if (ret)
		goto out;
	ret = t->size;
	write_unlock(&t->lock);
out:
	return ret;
}

/* a list moved into a local with list_splice_init() is a new list: the
 * test of it before the move says nothing of it after */
struct qent { struct list_head link; };
struct qhead { spinlock_t lock; struct list_head pending; };
void run_list(struct list_head *l);

static void drain_twice(struct qhead *q)
{
	LIST_HEAD(work);
	int loops = 0;

again:
	while (!list_empty(&work))
		run_list(&work);
	if (loops == 0) {
		loops = 1;
		spin_lock(&q->lock);
		list_splice_init(&q->pending, &work);
		if (!list_empty(&work)) {
			spin_unlock(&q->lock);
			goto again;
		}
		spin_unlock(&q->lock);
	}
}

/* the same forgetting the unlock before the goto: the second pass ends
 * the function with the lock held */
static void drain_twice_leaky(struct qhead *q)
{
	LIST_HEAD(work);
	int loops = 0;

again:
	while (!list_empty(&work))
		run_list(&work);
	if (loops == 0) {
		loops = 1;
		spin_lock(&q->lock);
		list_splice_init(&q->pending, &work);
		if (!list_empty(&work))
			goto again;
		spin_unlock(&q->lock);
	}
} /* want "lock-balance" */
