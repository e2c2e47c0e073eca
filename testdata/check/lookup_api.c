/* A lookup that returns what it found with the lock still held, and
 * releases the lock when it finds nothing, has the shape of a
 * conditional-acquire API; it is also what an unlock forgotten on the
 * found path looks like.  The callers in view decide: when some get the
 * lock from it and none of them (nor those they hand it to) ever
 * releases it, it is reported.  Each case has a struct of its own, so
 * that its lock class is its own. */

struct rb_node { struct rb_node *left, *right; };
struct amap { spinlock_t lock; struct rb_node *root; };
struct aent { struct rb_node node; int type; };

static struct aent *amap_find(struct amap *m, int type)
{
	struct rb_node *rb;

	spin_lock(&m->lock);
	rb = m->root;
	while (rb) {
		struct aent *e = container_of(rb, struct aent, node);

		if (e->type == type)
			return e; /* want "lock-balance warning" */
		rb = e->type < type ? rb->right : rb->left;
	}
	spin_unlock(&m->lock);
	return NULL;
}

struct aent *amap_attach(struct amap *m, int type)
{
	struct aent *e = amap_find(m, type);

	if (e)
		return e;
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return ERR_PTR(-ENOMEM);
	e->type = type;
	return e;
}

/* the same lookup, used as the API it can be: the caller releases */
struct bmap { spinlock_t lock; struct rb_node *root; };
struct bent { struct rb_node node; int type; };

static struct bent *bmap_find(struct bmap *m, int type)
{
	struct rb_node *rb;

	spin_lock(&m->lock);
	rb = m->root;
	while (rb) {
		struct bent *e = container_of(rb, struct bent, node);

		if (e->type == type)
			return e;
		rb = e->type < type ? rb->right : rb->left;
	}
	spin_unlock(&m->lock);
	return NULL;
}

int bmap_touch(struct bmap *m, int type)
{
	struct bent *e = bmap_find(m, type);

	if (!e)
		return -ENOENT;
	e->type++;
	spin_unlock(&m->lock);
	return 0;
}

/* no caller in view: the API's users are elsewhere */
struct cmap { spinlock_t lock; struct rb_node *root; };
struct cent { struct rb_node node; int type; };

struct cent *cmap_find(struct cmap *m, int type)
{
	struct rb_node *rb;

	spin_lock(&m->lock);
	rb = m->root;
	while (rb) {
		struct cent *e = container_of(rb, struct cent, node);

		if (e->type == type)
			return e;
		rb = e->type < type ? rb->right : rb->left;
	}
	spin_unlock(&m->lock);
	return NULL;
}

/* declared: the annotation says the lock is kept on success */
struct dmap { spinlock_t lock; int space; };

int dmap_reserve(struct dmap *m, int n)
	__acquires(&m->lock)
{
	spin_lock_bh(&m->lock);
	if (m->space > n)
		return 0;
	spin_unlock_bh(&m->lock);
	return -ENOMEM;
}

void dmap_fill(struct dmap *m)
{
	if (dmap_reserve(m, 1) == 0)
		m->space--;
}

/* ended through a helper that releases what its caller holds, by a
 * name the lock's own summary does not follow (an index) */
struct emap { int dead; };
DEFINE_STATIC_SRCU(emap_srcu);

bool emap_enter(struct emap *m, int *idx)
{
	*idx = srcu_read_lock(&emap_srcu);
	if (m->dead) {
		srcu_read_unlock(&emap_srcu, *idx);
		return false;
	}
	return true;
}

void emap_exit(int idx)
{
	srcu_read_unlock(&emap_srcu, idx);
}

int emap_use(struct emap *m)
{
	int idx;

	if (!emap_enter(m, &idx))
		return -ENODEV;
	m->dead = 0;
	emap_exit(idx);
	return 0;
}

/* handed on with the object the caller returns (read later, unlocked
 * by whoever gets it) */
struct fscript { rwlock_t lock; unsigned long ip; };

static long fscript_match(struct fscript *s, unsigned long ip)
{
	read_lock(&s->lock);
	if (ip == s->ip)
		return 1;
	read_unlock(&s->lock);
	return 0;
}

struct fscript *fscript_lookup(struct fscript *cache, unsigned long ip)
{
	struct fscript *s = cache + (ip & 7);

	if (fscript_match(s, ip))
		return s;
	return NULL;
}
