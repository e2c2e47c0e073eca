/* A function that asserts a lock held on its way in tells its callers to
 * hold it; a caller whose own code dropped the lock before the call has
 * not. The callee may be in this file or, like the hugetlb cgroup
 * helpers, one of the tree's exported functions. */
static DEFINE_SPINLOCK(pool_lock);
struct pool { spinlock_t lock; int n; int reserved; };
struct folio;

static void pool_uncharge(struct pool *p)
{
	lockdep_assert_held(&p->lock);
	p->n--;
}

/* the assertion one call further down, on the way in of its wrapper */
static void pool_uncharge_all(struct pool *p, int nr)
{
	if (nr <= 0)
		return;
	pool_uncharge(p);
}

static void global_uncharge(void)
{
	lockdep_assert_held(&pool_lock);
}

/* asserted only on one branch: not a requirement of every call */
static void maybe_checked(struct pool *p, int strict)
{
	if (strict)
		lockdep_assert_held(&p->lock);
	p->reserved++;
}

int pool_take(struct pool *p, int want)
{
	spin_lock(&p->lock);
	if (p->n < want) {
		spin_unlock(&p->lock);
		return -1;
	}
	p->n -= want;
	spin_unlock(&p->lock);
	pool_uncharge(p); /* want "asserted-held error" */
	return 0;
}

int pool_take_fixed(struct pool *p, int want)
{
	spin_lock(&p->lock);
	if (p->n < want) {
		spin_unlock(&p->lock);
		return -1;
	}
	p->n -= want;
	pool_uncharge(p);
	spin_unlock(&p->lock);
	return 0;
}

/* never touches the lock: its own caller is the one to hold it */
void pool_drop(struct pool *p)
{
	pool_uncharge(p);
}

void pool_release(struct pool *p, int nr)
{
	spin_lock(&p->lock);
	p->reserved = 0;
	spin_unlock(&p->lock);
	pool_uncharge_all(p, nr); /* want "asserted-held" */
	maybe_checked(p, 1);
}

void pool_reset(void)
{
	spin_lock(&pool_lock);
	global_uncharge();
	spin_unlock(&pool_lock);
	global_uncharge(); /* want "asserted-held" */
}

/* an exported function of the tree: hugetlb_cgroup_uncharge_folio_rsvd()
 * asserts hugetlb_lock (mm/hugetlb_cgroup.c) */
extern spinlock_t hugetlb_lock;
void hugetlb_cgroup_uncharge_folio_rsvd(int idx, unsigned long nr, struct folio *folio);
int dequeue_one(struct folio *folio);

int alloc_one(struct folio *folio, int idx)
{
	spin_lock_irq(&hugetlb_lock);
	if (dequeue_one(folio)) {
		spin_unlock_irq(&hugetlb_lock);
		return -12;
	}
	spin_unlock_irq(&hugetlb_lock);
	hugetlb_cgroup_uncharge_folio_rsvd(idx, 1, folio); /* want "asserted-held" */
	return 0;
}

int alloc_one_fixed(struct folio *folio, int idx)
{
	spin_lock_irq(&hugetlb_lock);
	if (dequeue_one(folio)) {
		spin_unlock_irq(&hugetlb_lock);
		return -12;
	}
	hugetlb_cgroup_uncharge_folio_rsvd(idx, 1, folio);
	spin_unlock_irq(&hugetlb_lock);
	return 0;
}

/* `if (ret) unlock; if (ret < 0) goto; if (ret > 0) break;`: past those,
 * ret is 0 and the lock is held; no path is left where it is not */
int step_prev(struct pool *p);
void work_on(struct pool *p);

int walk_back(struct pool *p)
{
	int ret;

	while (1) {
		spin_lock(&p->lock);
		ret = step_prev(p);
		if (ret)
			spin_unlock(&p->lock);
		if (ret < 0)
			return ret;
		if (ret > 0)
			break;
		work_on(p);
		spin_unlock(&p->lock);
	}
	return 0;
}

/* a switch on a value tested before: the case the earlier test ruled out
 * is not taken */
enum { OP_ADD = 1, OP_DEL = 2 };
int reload(struct pool *p);

int ctl(struct pool *p, int op)
{
	spin_lock(&p->lock);
	if (op == OP_ADD) {
		spin_unlock(&p->lock);
		if (reload(p))
			return -4;
	}
	switch (op) {
	case OP_DEL:
		pool_uncharge(p);
		break;
	case OP_ADD:
		p->reserved++;
		break;
	}
	if (op != OP_ADD)
		spin_unlock(&p->lock);
	return 0;
}

/* A trylock asserted to succeed (`DBG_BUGON(!mutex_trylock(...))` on a
 * lock just initialized) holds the lock past the assertion. */
struct pcl { struct mutex lock; int n; };

int pcl_register(struct pcl *p, int inline_data)
{
	mutex_init(&p->lock);
	DBG_BUGON(!mutex_trylock(&p->lock));
	if (inline_data)
		return -EINVAL; /* want "lock-balance error" */
	p->n++;
	mutex_unlock(&p->lock);
	return 0;
}
