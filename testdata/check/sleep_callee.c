/* Sleeping one or more calls below a spinlock, through summaries. */

struct box {
	spinlock_t lock;
	struct mutex m;
	void *buf;
	int n;
};

static void pause_a_bit(int ms)
{
	msleep(ms);
}

/* sleeps on one path only: still "may sleep" */
static void maybe_pause(int n)
{
	if (n > 2)
		pause_a_bit(n);
}

void two_down(struct box *b)
{
	spin_lock(&b->lock);
	maybe_pause(b->n); /* want "sleep-under-spinlock" */
	spin_unlock(&b->lock);
}

/* the allocation sleeps only when the caller's mask allows it */
static void *grab(size_t len, gfp_t gfp)
{
	return kzalloc(len, gfp);
}

static void *grab_more(size_t len, gfp_t flags)
{
	return grab(len * 2, flags);
}

void mask_from_caller(struct box *b)
{
	spin_lock(&b->lock);
	b->buf = grab_more(16, GFP_KERNEL); /* want "sleep-under-spinlock" */
	spin_unlock(&b->lock);
}

void atomic_mask_is_fine(struct box *b)
{
	spin_lock(&b->lock);
	b->buf = grab_more(16, GFP_ATOMIC);
	b->buf = grab(8, GFP_NOWAIT);
	spin_unlock(&b->lock);
}

/* a helper that takes a mutex sleeps */
static void take_inner(struct box *b)
{
	mutex_lock(&b->m);
	b->n++;
	mutex_unlock(&b->m);
}

void mutex_below(struct box *b)
{
	spin_lock_irq(&b->lock);
	take_inner(b); /* want "sleep-under-spinlock" */
	spin_unlock_irq(&b->lock);
}

/* the helper lets go of the caller's spinlock around its sleep */
static void wait_unlocked(struct box *b)
{
	spin_unlock(&b->lock);
	msleep(10);
	spin_lock(&b->lock);
}

void drops_around_sleep(struct box *b)
{
	spin_lock(&b->lock);
	wait_unlocked(b);
	spin_unlock(&b->lock);
}

/* the helper sleeps only inside its own atomic section, where it is
 * reported itself; its callers do not see a sleep */
static void own_section(struct box *b)
{
	spin_lock(&b->lock);
	b->buf = kmalloc(8, GFP_KERNEL); /* want "sleep-under-spinlock" */
	spin_unlock(&b->lock);
}

void calls_own_section(struct box *b, spinlock_t *other)
{
	spin_lock(other);
	own_section(b);
	spin_unlock(other);
}

/* sleeping after the lock is dropped is fine */
void after_unlock(struct box *b)
{
	spin_lock(&b->lock);
	b->n = 0;
	spin_unlock(&b->lock);
	maybe_pause(3);
}

/* a function not in view given a blocking mask allocates with it */
void unseen_with_mask(struct box *b, struct ops *ops)
{
	spin_lock_bh(&b->lock);
	ops->init(b, GFP_KERNEL); /* want "sleep-under-spinlock" */
	ops->init(b, GFP_ATOMIC);
	spin_unlock_bh(&b->lock);
}

/* a flag argument picks the branch that does not sleep */
static void *new_entry(bool nofail)
{
	if (!nofail)
		return kmalloc(32, GFP_ATOMIC);
	return kzalloc(32, GFP_KERNEL | __GFP_NOFAIL);
}

static int add_entry(struct box *b, void *pre)
{
	void *e = pre;

	if (!e)
		e = new_entry(false);
	return e != NULL;
}

void flag_picks_atomic(struct box *b)
{
	spin_lock(&b->lock);
	add_entry(b, NULL);
	spin_unlock(&b->lock);
	spin_lock(&b->lock);
	b->buf = new_entry(true); /* want "sleep-under-spinlock" */
	spin_unlock(&b->lock);
}

/* a can-sleep flag handed down through a wrapper */
static int mbox_wait(struct box *b, bool sleep_ok)
{
	if (sleep_ok)
		msleep(1);
	else
		mdelay(1);
	return 0;
}

static int mbox_send(struct box *b, bool sleep_ok)
{
	b->n++;
	return mbox_wait(b, sleep_ok);
}

void flag_through_wrapper(struct box *b)
{
	spin_lock_bh(&b->lock);
	mbox_send(b, false);
	mbox_send(b, true); /* want "sleep-under-spinlock" */
	spin_unlock_bh(&b->lock);
}

/* a flag whose value is not known here (a macro) proves nothing */
void flag_unknown(struct box *b)
{
	spin_lock(&b->lock);
	mbox_send(b, CAN_NOT_SLEEP);
	spin_unlock(&b->lock);
}

/* one flag of a flag word decides */
static int send_cmd(struct box *b, u8 flags)
{
	if (flags & CMD_ASYNC)
		return 0;
	might_sleep();
	return 1;
}

void async_flag(struct box *b)
{
	spin_lock(&b->lock);
	send_cmd(b, CMD_ASYNC);
	send_cmd(b, CMD_ASYNC | CMD_WANT_SKB);
	send_cmd(b, CMD_SYNC); /* want "sleep-under-spinlock" */
	spin_unlock(&b->lock);
}

/* a helper that leaves its spinlock held for the caller */
static void box_hold(struct box *b)
{
	spin_lock(&b->lock);
}

/* two spinlocks held, the first taken by a helper, the second here: the
 * one taken here makes the context certain, and a sleep found through a
 * summary is reported under it */
void helper_lock_then_own(struct box *b, struct box *other)
{
	box_hold(b);
	spin_lock(&other->lock);
	maybe_pause(3); /* want "sleep-under-spinlock" */
	spin_unlock(&other->lock);
	spin_unlock(&b->lock);
}

/* A method the object may provide, and a generic fallback that sleeps
 * when it does not: callers under a spinlock rely on their transport's
 * method, so the fallback's sleep is not theirs (quiet). */
struct xport;
struct xport_ops { void (*send)(struct xport *x, int v); };
struct xport { const struct xport_ops *ops; spinlock_t lock; int v; };

static void generic_send(struct xport *x, int v)
{
	void *buf = kzalloc(64, GFP_KERNEL);

	kfree(buf);
}

static void xport_send(struct xport *x, int v)
{
	if (x->ops->send)
		return x->ops->send(x, v);
	generic_send(x, v);
}

static void poke_locked(struct xport *x)
{
	spin_lock(&x->lock);
	xport_send(x, x->v);
	spin_unlock(&x->lock);
}

/* the same sleep with the method called as well, not instead: it is
 * reached whatever the object provides */
static void xport_send_and_log(struct xport *x, int v)
{
	if (x->ops->send)
		x->ops->send(x, v);
	generic_send(x, v);
}

static void poke_logged(struct xport *x)
{
	spin_lock(&x->lock);
	xport_send_and_log(x, x->v); /* want "sleep-under-spinlock" */
	spin_unlock(&x->lock);
}

/* A mode compared to a constant decides whether the helper waits: a
 * caller that passes the value that returns early does not sleep; any
 * other value, or one not known here, may. */
struct tagpool { spinlock_t lock; int free; };

static int tag_wait(struct tagpool *tp, int state)
{
	if (state == TASK_RUNNING)
		return -1;
	while (!tp->free)
		schedule();
	return tp->free--;
}

static int tag_get_atomic(struct tagpool *tp)
{
	int tag;

	spin_lock(&tp->lock);
	tag = tag_wait(tp, TASK_RUNNING);
	spin_unlock(&tp->lock);
	return tag;
}

static int tag_get_wrong(struct tagpool *tp)
{
	int tag;

	spin_lock(&tp->lock);
	tag = tag_wait(tp, TASK_INTERRUPTIBLE); /* want "sleep-under-spinlock" */
	spin_unlock(&tp->lock);
	return tag;
}

static int tag_get_any(struct tagpool *tp, int st)
{
	int tag;

	spin_lock(&tp->lock);
	tag = tag_wait(tp, tp->free + st); /* want "sleep-under-spinlock" */
	spin_unlock(&tp->lock);
	return tag;
}

/* a flag decides before the compared value does: the caller's false
 * rules the sleep out whatever the direction (quiet) */
static int pos_read(struct tagpool *tp, int direction, bool can_sleep)
{
	if (direction == DIR_OUT)
		return tp->free;
	if (can_sleep)
		usleep_range(20, 21);
	return tp->free;
}

static int pos_poll(struct tagpool *tp, int dir)
{
	int pos;

	spin_lock(&tp->lock);
	pos = pos_read(tp, dir, false);
	spin_unlock(&tp->lock);
	return pos;
}

/* a function that asserts its caller holds a lock the file takes with
 * spinning primitives runs under a spinlock: a helper that sleeps
 * there is a bug */
static void tag_drain(struct tagpool *tp)
{
	while (tp->free)
		tag_wait(tp, TASK_UNINTERRUPTIBLE);
}

static void tag_reset_locked(struct tagpool *tp)
{
	lockdep_assert_held(&tp->lock);
	tag_drain(tp); /* want "sleep-under-spinlock" */
	tp->free = 0;
}

/* A helper that sleeps for two of its codes only: a caller under a
 * spinlock that passes another code does not sleep; one that passes
 * either of the two does. */
enum frame_code { FRAME_DISCOVER, FRAME_CONFIRM, FRAME_TEARDOWN };
struct peer_tbl { spinlock_t lock; int n; };

static int send_frame(struct peer_tbl *t, int code)
{
	t->n++;
	if (code == FRAME_CONFIRM || code == FRAME_TEARDOWN)
		msleep_interruptible(10);
	return 0;
}

void discover_peers(struct peer_tbl *t)
{
	spin_lock_bh(&t->lock);
	send_frame(t, FRAME_DISCOVER);
	spin_unlock_bh(&t->lock);
}

void teardown_peers(struct peer_tbl *t)
{
	spin_lock_bh(&t->lock);
	send_frame(t, FRAME_TEARDOWN); /* want "sleep-under-spinlock warning" */
	spin_unlock_bh(&t->lock);
}

/* A state change that sleeps only when the new state, stored first and
 * tested afterwards, is LIVE; and one that tests the old state before
 * storing the new one, which says nothing of the new. */
enum ctrl_state { CTRL_NEW, CTRL_LIVE, CTRL_RESETTING };
struct ctrl { spinlock_t lock; int state; struct delayed_work failfast; };

static bool ctrl_change_state(struct ctrl *c, int new_state)
{
	c->state = new_state;
	if (c->state == CTRL_LIVE)
		cancel_delayed_work_sync(&c->failfast);
	return true;
}

static bool ctrl_leave_state(struct ctrl *c, int new_state)
{
	if (c->state == CTRL_LIVE)
		cancel_delayed_work_sync(&c->failfast);
	c->state = new_state;
	return true;
}

void ctrl_error(struct ctrl *c)
{
	spin_lock(&c->lock);
	ctrl_change_state(c, CTRL_RESETTING);
	spin_unlock(&c->lock);
}

void ctrl_error_old(struct ctrl *c)
{
	spin_lock(&c->lock);
	ctrl_leave_state(c, CTRL_RESETTING); /* want "sleep-under-spinlock warning" */
	spin_unlock(&c->lock);
}

/* A request that says in a field whether its submitter waits for it:
 * the helper that sets the request up stores the caller's flag there,
 * and the submit path sleeps only when the field is set. A caller under
 * a spinlock that asks for no wait does not sleep; one that asks for a
 * wait, or hands down a request it did not set up, may. */
struct cmd_req { int waiting; struct completion done; int op; };
struct cmd_queue { spinlock_t lock; spinlock_t free_lock; struct cmd_req *free; int dead; };

static struct cmd_req *get_req(struct cmd_queue *q, bool wait)
{
	struct cmd_req *r = NULL;

	spin_lock(&q->free_lock);
	if (q->free) {
		r = q->free;
		q->free = NULL;
	}
	spin_unlock(&q->free_lock);
	if (!r)
		r = kzalloc(sizeof(*r), GFP_ATOMIC);
	if (!r)
		return NULL;
	r->waiting = wait;
	return r;
}

static int submit_req(struct cmd_queue *q, struct cmd_req *r)
{
	if (q->dead)
		return -EBUSY;
	if (r->waiting)
		wait_for_completion(&r->done);
	return 0;
}

static int post_op(struct cmd_queue *q, int op, bool wait)
{
	struct cmd_req *r = get_req(q, wait);

	if (!r)
		return -ENOMEM;
	r->op = op;
	return submit_req(q, r);
}

static int post_op_blocking(struct cmd_queue *q, int op)
{
	struct cmd_req *r = get_req(q, true);

	if (!r)
		return -ENOMEM;
	return submit_req(q, r);
}

void queue_flush_async(struct cmd_queue *q)
{
	spin_lock(&q->lock);
	post_op(q, 1, false);
	spin_unlock(&q->lock);
}

void queue_flush_sync(struct cmd_queue *q)
{
	spin_lock(&q->lock);
	post_op(q, 1, true); /* want "sleep-under-spinlock warning" */
	spin_unlock(&q->lock);
}

void queue_flush_blocking(struct cmd_queue *q)
{
	spin_lock(&q->lock);
	post_op_blocking(q, 2); /* want "sleep-under-spinlock warning" */
	spin_unlock(&q->lock);
}

void queue_resubmit(struct cmd_queue *q, struct cmd_req *r)
{
	spin_lock(&q->lock);
	submit_req(q, r); /* want "sleep-under-spinlock warning" */
	spin_unlock(&q->lock);
}

/* The same flag set only when asked for, on a node the send path then
 * tests (`if (sync) node->wait_enabled = true;`). */
struct cmd_node { int wait_enabled; int cmd; };
struct node_adapter { spinlock_t lock; struct cmd_node node; wait_queue_head_t wq; int done; };

static void init_node(struct cmd_node *n, int cmd, bool sync)
{
	n->cmd = cmd;
	if (sync)
		n->wait_enabled = true;
}

static int send_node_cmd(struct node_adapter *ad, int cmd, bool sync)
{
	struct cmd_node *n = &ad->node;

	init_node(n, cmd, sync);
	if (n->wait_enabled)
		return wait_event_interruptible(ad->wq, ad->done);
	return 0;
}

void send_delba(struct node_adapter *ad)
{
	spin_lock(&ad->lock);
	send_node_cmd(ad, 7, false);
	spin_unlock(&ad->lock);
}

void send_delba_sync(struct node_adapter *ad)
{
	spin_lock(&ad->lock);
	send_node_cmd(ad, 7, true); /* want "sleep-under-spinlock warning" */
	spin_unlock(&ad->lock);
}

/* A helper given a mask that it only hands on, and that allocates with a
 * blocking mask of its own below, sleeps whatever its caller passes: a
 * GFP_ATOMIC caller under a spinlock is a bug there (the mask is dropped
 * on the way down). */
struct msg_pool { spinlock_t lock; struct mutex m; void *head; int state; };

static void *pool_new_handle(void)
{
	return kmem_cache_alloc(handle_cache, GFP_NOFS);
}

static void *pool_get_msg(struct msg_pool *p, int len, gfp_t gfp)
{
	void *h, *m;
	int err;

	if (0 != (err = pool_check(p, len, gfp)))
		return NULL; /* tests what the call returns, not the mask */
	h = pool_new_handle();
	if (!h)
		return NULL;
	m = kmalloc(len, gfp);
	return m;
}

void pool_send_fin(struct msg_pool *p)
{
	spin_lock(&p->lock);
	p->head = pool_get_msg(p, 16, GFP_ATOMIC); /* want "sleep-under-spinlock warning" */
	spin_unlock(&p->lock);
}

/* One that looks at its mask before it sleeps is the caller's to decide. */
static void *pool_get_locked(struct msg_pool *p, gfp_t gfp)
{
	void *m;

	if (gfpflags_allow_blocking(gfp))
		mutex_lock(&p->m);
	m = p->head;
	if (gfpflags_allow_blocking(gfp))
		mutex_unlock(&p->m);
	return m;
}

void pool_peek_atomic(struct msg_pool *p)
{
	spin_lock(&p->lock);
	p->head = pool_get_locked(p, GFP_ATOMIC);
	spin_unlock(&p->lock);
}

void pool_peek_blocking(struct msg_pool *p)
{
	spin_lock(&p->lock);
	p->head = pool_get_locked(p, GFP_KERNEL); /* want "sleep-under-spinlock" */
	spin_unlock(&p->lock);
}

/* A helper that enables interrupts before it sleeps has left its
 * caller's irq-disabled section there (the exit-to-user loop). */
static void exit_to_user_work(struct msg_pool *p)
{
	while (p->state) {
		local_irq_enable();
		schedule();
		local_irq_disable();
	}
}

void exit_to_user(struct msg_pool *p)
{
	local_irq_disable();
	exit_to_user_work(p);
	local_irq_enable();
}

/* A sleep behind a flag of the object passed, which the caller itself
 * set just before the call (`args->force = true;`). */
struct bg_args { bool force; int len; };
struct bg_conn { spinlock_t lock; wait_queue_head_t waitq; int blocked; void *req; };

static int send_background(struct bg_conn *fc, struct bg_args *args, gfp_t gfp)
{
	if (args->force)
		fc->req = kzalloc(args->len, gfp);
	else
		wait_event_killable(fc->waitq, !fc->blocked);
	return 0;
}

void send_writeback(struct bg_conn *fc, struct bg_args *args)
{
	spin_lock(&fc->lock);
	args->force = true;
	send_background(fc, args, GFP_ATOMIC);
	spin_unlock(&fc->lock);
}

void send_writeback_unforced(struct bg_conn *fc, struct bg_args *args)
{
	spin_lock(&fc->lock);
	args->force = false;
	send_background(fc, args, GFP_ATOMIC); /* want "sleep-under-spinlock warning" */
	spin_unlock(&fc->lock);
}

/* A helper that asks whether it may sleep, and busy-waits when it may
 * not, is safe under its callers' spinlocks; one that does not ask is not. */
static int send_busy_loop(struct msg_pool *p)
{
	bool not_atomic = !in_atomic() && !irqs_disabled();

	while (p->state) {
		if (not_atomic)
			msleep_interruptible(1);
		else
			cpu_relax();
	}
	return 0;
}

static int send_wait_loop(struct msg_pool *p)
{
	while (p->state)
		msleep_interruptible(1);
	return 0;
}

void set_prio(struct msg_pool *p)
{
	spin_lock_irq(&p->lock);
	send_busy_loop(p);
	send_wait_loop(p); /* want "sleep-under-spinlock" */
	spin_unlock_irq(&p->lock);
}

/*
 * A lock taken on a flag the caller passes (`locked`: the caller holds it
 * already): a helper that sleeps is called under it on every path. A flag
 * that picks which lock to take (a spinlock in atomic context, a rwsem
 * otherwise) says nothing of the kind.
 */
struct smap { spinlock_t lock; struct rw_semaphore sem; rwlock_t rw; void *root; };

static void *smap_grow(struct smap *m)
{
	return kmalloc(64, GFP_KERNEL);
}

void *smap_lookup(struct smap *m, bool locked)
{
	void *p;

	if (!locked)
		spin_lock_bh(&m->lock);
	p = smap_grow(m); /* want "sleep-under-spinlock" */
	if (!locked)
		spin_unlock_bh(&m->lock);
	return p;
}

static int smap_copy(struct smap *m, bool atomic)
{
	if (atomic)
		return 0;
	return copy_to_user(m->root, m, 8);
}

int smap_deliver(struct smap *m, bool atomic)
{
	int err;

	if (atomic)
		read_lock(&m->rw);
	else
		down_read(&m->sem);
	err = smap_copy(m, atomic);
	if (atomic)
		read_unlock(&m->rw);
	else
		up_read(&m->sem);
	return err;
}
