/* NULL and the lock of an object. */
struct ctl { int count; };
struct group { spinlock_t lock; struct ctl *ctl; };
struct pair { raw_spinlock_t lock; };

/* the object lock kept on `return NULL`, dropped where an object is
 * returned: NULL is the failure, and the caller has nothing to unlock */
static struct ctl *group_get_ctl(struct group *g)
{
	struct ctl *c;

	spin_lock(&g->lock);
	if (!g->ctl)
		return NULL; /* want "lock-balance error" */
	c = g->ctl;
	c->count++;
	spin_unlock(&g->lock);
	return c;
}

/* the other way round it is an API: locked object, or NULL (quiet) */
static struct ctl *group_lock_ctl(struct group *g)
{
	spin_lock(&g->lock);
	if (!g->ctl) {
		spin_unlock(&g->lock);
		return NULL;
	}
	return g->ctl;
}

/* dropping a caller's locks, the optional one twice: where it is NULL
 * the call cannot run, so every path that can drops it again */
static void pair_unlock(struct pair *outer, struct pair *inner)
{
	if (inner)
		raw_spin_unlock(&inner->lock);
	raw_spin_unlock(&inner->lock); /* want "release-unheld error" */
	raw_spin_unlock(&outer->lock);
}

static void pair_unlock_fixed(struct pair *outer, struct pair *inner)
{
	if (inner)
		raw_spin_unlock(&inner->lock);
	raw_spin_unlock(&outer->lock);
}

/* A local copy of a pointer known not NULL is not NULL either: the
 * `if (ret != NULL)` at the end cannot be false on the paths that kept
 * the copy, and so does not say the object's lock is gone there. */
struct isp { struct mutex m; int refs; int clocks; };

int isp_clocks_on(struct isp *isp);

struct isp *isp_get(struct isp *isp)
{
	struct isp *ret = isp;

	if (isp == NULL)
		return NULL;
	mutex_lock(&isp->m);
	if (isp->refs > 0)
		goto out;
	if (isp_clocks_on(isp) < 0) {
		ret = NULL;
		goto out;
	}
	isp->clocks++;
out:
	if (ret != NULL)
		isp->refs++;
	mutex_unlock(&isp->m);
	return ret;
}
