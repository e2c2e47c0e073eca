/* A lock released twice, or taken twice, is reported when every path that
 * reaches the call agrees on it, however many paths an unrelated branch
 * has made; and only then. */
struct ctr { struct mutex m; struct rw_semaphore rw; spinlock_t s; int flags; int n; };

/* an unrelated branch splits the paths before the repeated up_read */
static void split_then_twice(struct ctr *c, int ro)
{
	int f = 0;

	down_read(&c->rw);
	if (ro)
		f |= 1;
	c->flags = f;
	up_read(&c->rw);
	up_read(&c->rw); /* want "release-unheld" */
}

static void split_then_retake(struct ctr *c, int v)
{
	spin_lock(&c->s);
	if (v > 3)
		c->n = v;
	else
		c->n = 0;
	spin_lock(&c->s); /* want "double-acquire" */
	spin_unlock(&c->s);
}

/* only some paths hold it at the unlock: not every path agrees */
static void one_path_only(struct ctr *c, int v)
{
	if (v)
		mutex_lock(&c->m);
	c->n = v;
	if (v)
		mutex_unlock(&c->m);
}

/* an error ladder whose first label drops a lock the second already
 * dropped on the way in (told apart by what each path knows of r; paths
 * that know the same are merged, and a flag-guarded unlock looks like
 * them, so those are not reported) */
static int ladder_twice(struct ctr *c, int v)
{
	int r;

	mutex_lock(&c->m);
	r = ctr_prepare(c, v);
	if (r)
		goto out_free;
	mutex_unlock(&c->m);
	r = ctr_commit(c);
	if (r < 0)
		goto out_free;
	return 0;
out_free:
	ctr_free(c);
	mutex_unlock(&c->m); /* want "release-unheld" */
	return r;
}

/* a pointer local that a call fills in names a new lock each time round */
static int refetch(struct ctr *c)
{
	spinlock_t *ptl;
	int *slot;

again:
	if (ctr_lookup(c, &slot, &ptl))
		return -EINVAL;
	*slot = 0;
	spin_unlock(ptl);
	if (c->n--)
		goto again;
	return 0;
}

/* the field now names the lock the call returned */
struct fault { spinlock_t *ptl; int done; };

static int field_takes_lock(struct fault *f, struct ctr *c)
{
	f->ptl = ctr_lock_table(c);
	if (f->done) {
		spin_unlock(f->ptl);
		return 0;
	}
	f->done = 1;
	spin_unlock(f->ptl);
	f->ptl = ctr_lock_table(c);
	spin_unlock(f->ptl);
	return 1;
}

/* an element of an array of page pointers is another page each time the
 * slot is filled, and an allocation's elements are not fresh locks */
static void pages_in_slots(struct ctr *c, int n)
{
	struct page **page = kmalloc_array(n, sizeof(void *), GFP_KERNEL);
	int i;

	for (i = 0; i < n; i++) {
		page[i] = grab_page_nowait(c, i);
		if (!page[i])
			continue;
		if (PageUptodate(page[i])) {
			unlock_page(page[i]);
			continue;
		}
		unlock_page(page[i]);
	}
	kfree(page);
}

/* a counting semaphore used as a completion is downed twice by design */
static void wait_for_handler(struct ctr *c, struct semaphore *done)
{
	down(done);
	ctr_start_async(c, done);
	down(done);
	up(done);
}

/* a downgrade keeps the mmap lock it had: it orders nothing new */
struct gts { struct mutex ctx; int n; };

static void find_locked(struct mm_struct *mm, struct gts *g)
{
	mmap_read_lock(mm);
	mutex_lock(&g->ctx);
	g->n++;
	mutex_unlock(&g->ctx);
	mmap_read_unlock(mm);
}

static void alloc_locked(struct mm_struct *mm, struct gts *g)
{
	mmap_write_lock(mm);
	mutex_lock(&g->ctx);
	g->n = 0;
	mmap_write_downgrade(mm);
	mutex_unlock(&g->ctx);
	mmap_read_unlock(mm);
}

/* A local named like a field: setting `dev` says nothing about
 * `info->dev`, so the second test of info->dev still agrees with the
 * first. */
struct fbi { struct mutex lock; void *dev; void *device; int modes; };

int fbi_setup(struct fbi *info)
{
	void *dev = info->device;
	int result = 0;

	if (info->dev) {
		mutex_lock(&info->lock);
		dev = info->dev;
	}
	if (!dev)
		result = -ENODEV;
	else
		info->modes++;
	if (info->dev)
		mutex_unlock(&info->lock);
	return result;
}
