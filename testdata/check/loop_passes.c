/* A lock taken on the object a loop's variable names, kept by one path
 * when the loop goes round and the variable moves on: nothing names the
 * old object any more, so that lock is never released. */
struct bucket { spinlock_t lock; int used; struct list_head link; struct bucket *next; };
struct item;
struct item *first_item(struct bucket *b);
int consume(struct item *it);
struct bucket *bucket_of(int cpu);

/* `continue` skips the unlock the other passes reach */
static int drain_table(struct bucket *table, int n)
{
	struct bucket *b;
	int i, err;

	for (i = 0; i < n; i++) {
		b = &table[i]; /* want "lock-balance" */
		spin_lock(&b->lock);
		struct item *it = first_item(b);
		if (!it)
			continue;
		err = consume(it);
		if (err) {
			spin_unlock(&b->lock);
			return err;
		}
		spin_unlock(&b->lock);
	}
	return 0;
}

/* the same with the unlock before the continue: quiet */
static int drain_table_fixed(struct bucket *table, int n)
{
	struct bucket *b;
	int i, err;

	for (i = 0; i < n; i++) {
		b = &table[i];
		spin_lock(&b->lock);
		struct item *it = first_item(b);
		if (!it) {
			spin_unlock(&b->lock);
			continue;
		}
		err = consume(it);
		spin_unlock(&b->lock);
		if (err)
			return err;
	}
	return 0;
}

/* the cursor set from a call each pass */
static void per_cpu_buckets(int ncpu)
{
	struct bucket *b;
	int cpu;

	for (cpu = 0; cpu < ncpu; cpu++) {
		b = bucket_of(cpu); /* want "lock-balance" */
		spin_lock(&b->lock);
		if (b->used > 8)
			continue;
		b->used++;
		spin_unlock(&b->lock);
	}
}

/* every pass keeps its lock on purpose, and a second loop releases them
 * all: no pass comes round with the lock released, quiet */
static void freeze_all(struct bucket *table, int n)
{
	struct bucket *b;
	int i;

	for (i = 0; i < n; i++) {
		b = &table[i];
		spin_lock(&b->lock);
	}
	for (i = 0; i < n; i++) {
		b = &table[i];
		b->used = 0;
		spin_unlock(&b->lock);
	}
}

/* the lock is dropped and taken again around a call within one pass,
 * released before the loop goes round: quiet */
static void relock_each(struct bucket *table, int n)
{
	struct bucket *b;
	int i;

	for (i = 0; i < n; i++) {
		b = &table[i];
		spin_lock(&b->lock);
		if (b->used) {
			spin_unlock(&b->lock);
			consume(first_item(b));
			spin_lock(&b->lock);
		}
		spin_unlock(&b->lock);
	}
}

/* found while walking: held on the return that reports the find, and no
 * caller can name the bucket to release it, whatever the value says */
static int find_busy(struct bucket *table, int n)
{
	struct bucket *b;
	int i;

	for (i = 0; i < n; i++) {
		b = &table[i];
		spin_lock(&b->lock);
		if (b->used > 8)
			return 1; /* want "lock-balance" */
		spin_unlock(&b->lock);
	}
	return 0;
}

/* the same through an iterator macro */
static bool any_busy(struct list_head *all)
{
	struct bucket *b;

	list_for_each_entry(b, all, link) {
		mutex_lock(&b->lock);
		if (b->used)
			return true; /* want "lock-balance" */
		mutex_unlock(&b->lock);
	}
	return false;
}

/* the caller chose the bucket and can name it again to release it (held
 * exactly on success): quiet */
static int hold_slot(struct bucket *table, int id)
{
	struct bucket *b = &table[id];

	spin_lock(&b->lock);
	if (!b->used) {
		spin_unlock(&b->lock);
		return -ENOENT;
	}
	return 0;
}

/* A parameter the function never changes says the same on every pass:
 * `if (!can_unsync) return` can only return on the first pass, before
 * the lock that pass takes. */
struct unsync_sp { int unsync; struct list_head link; };
struct unsync_kvm { spinlock_t unsync_lock; struct list_head sps; };

int try_unsync(struct unsync_kvm *kvm, bool can_unsync, bool prefetch)
{
	struct unsync_sp *sp;
	bool locked = false;

	list_for_each_entry(sp, &kvm->sps, link) {
		if (!can_unsync)
			return -EPERM;
		if (sp->unsync)
			continue;
		if (prefetch)
			return -EEXIST;
		if (!locked) {
			locked = true;
			spin_lock(&kvm->unsync_lock);
		}
		sp->unsync = 1;
	}
	if (locked)
		spin_unlock(&kvm->unsync_lock);
	return 0;
}

/* one it changes in the loop says nothing of the next pass */
int try_unsync_changing(struct unsync_kvm *kvm, bool can_unsync)
{
	struct unsync_sp *sp;
	bool locked = false;

	list_for_each_entry(sp, &kvm->sps, link) {
		if (!can_unsync)
			return -EPERM; /* want "lock-balance warning" */
		if (!locked) {
			locked = true;
			spin_lock(&kvm->unsync_lock);
		}
		can_unsync = sp->unsync;
	}
	if (locked)
		spin_unlock(&kvm->unsync_lock);
	return 0;
}
