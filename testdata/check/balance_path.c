/*
 * "Held on some paths to this return and released on others" needs a
 * path of the text that leaks: one from where the function takes the
 * lock to the return that passes nothing releasing a lock of its class.
 * Where the merged states say "some paths" only because one object had
 * several names on the way (a cursor moved after each unlock, a second
 * pointer that a test makes the same), every path passes an unlock, and
 * the function is quiet.
 */
struct dir {
	struct rw_semaphore validate_lock;
	unsigned long flags;
	int version;
};

struct slot {
	spinlock_t lock;
	int count;
	struct list_head list;
	struct slot *next;
};

/* two directories that may be one: the lock moves from the first to the
 * second only when they differ, and the second is released; quiet */
void rename_edit(struct dir *orig, struct dir *new, int delta)
{
	down_write(&orig->validate_lock);
	if (test_bit(1, &orig->flags) && orig->version == delta)
		orig->version++;

	if (new != orig) {
		up_write(&orig->validate_lock);
		down_write(&new->validate_lock);
	}

	if (test_bit(1, &new->flags))
		new->version += delta;

	up_write(&new->validate_lock);
}

/* a walk over the slots of other CPUs: each one is locked and unlocked
 * in its own iteration, the cursor moving on after the unlock; quiet */
struct slot *steal(struct slot *mine, struct slot *from, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (from == mine) {
			from = from->next;
			continue;
		}
		spin_lock(&from->lock);
		if (from->count) {
			list_splice_init(&from->list, &mine->list);
			mine->count = from->count - 1;
			from->count = 0;
			spin_unlock(&from->lock);
			return mine;
		}
		spin_unlock(&from->lock);
		from = from->next;
	}
	return NULL;
}

/* a goto past the unlock, to the return the other paths reach too */
static DECLARE_RWSEM(dpa_sem);

int commit(struct slot *s, int ways)
{
	int rc = 0;

	down_read(&dpa_sem);
	if (ways > 8) {
		rc = set_targets(s, ways);
		if (rc)
			goto err;
	}
	s->count = ways;
	up_read(&dpa_sem);
	rc = await_commit(s);
err:
	if (rc)
		return rc; /* want "lock-balance" */
	s->count++;
	return 0;
}

/* an unlock on one branch of a test only: the other branch keeps it */
int irq_control(struct slot *s, int on)
{
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	if (on) {
		if (test_and_clear_bit(0, &s->count))
			enable_irq(s->count);
		spin_unlock_irqrestore(&s->lock, flags);
	} else {
		if (!test_and_set_bit(0, &s->count)) {
			spin_unlock_irqrestore(&s->lock, flags);
			disable_irq(s->count);
		}
	}
	return 0; /* want "lock-balance" */
}
