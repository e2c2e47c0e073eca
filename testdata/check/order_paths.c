/*
 * Lock order across two functions, as driver code writes it: one lock
 * reached through a struct this file does not define, a loop in
 * between whose paths differ in what they know, a global lock that
 * serializes both orders, and an rwlock's readers.
 */
struct iscsi_session { spinlock_t back_lock; int state; };
struct iscsi_conn;
struct qconn { spinlock_t work_lock; struct list_head works; struct iscsi_conn *conn; };
struct qwork { struct list_head list; int tid; };

/* back_lock, then work_lock */
static void tmf_resp(struct qconn *qc, struct iscsi_session *session)
{
	spin_lock(&session->back_lock);
	spin_lock(&qc->work_lock); /* want "order-inversion" */
	session->state = 1;
	spin_unlock(&qc->work_lock);
	spin_unlock(&session->back_lock);
}

/*
 * work_lock, then the same back_lock, named through the connection
 * (struct iscsi_conn is not defined here), after a list walk
 */
static void cleanup_resp(struct qconn *qc, struct iscsi_conn *conn, int tid)
{
	struct qwork *w, *tmp;
	bool found = false;

	spin_lock_bh(&qc->work_lock);
	list_for_each_entry_safe(w, tmp, &qc->works, list) {
		if (w->tid == tid) {
			list_del(&w->list);
			found = true;
		}
	}
	if (!found) {
		spin_unlock_bh(&qc->work_lock);
		return;
	}
	spin_lock_bh(&conn->session->back_lock); /* want "order-inversion" */
	spin_unlock_bh(&conn->session->back_lock);
	spin_unlock_bh(&qc->work_lock);
}

/* both orders, each under one global mutex: only one runs at a time */
static DEFINE_MUTEX(types_lock);
static DEFINE_MUTEX(iface_lock);
static DEFINE_MUTEX(opts_lock);

static void hotplug_work(void)
{
	mutex_lock(&types_lock);
	mutex_lock(&opts_lock);
	mutex_lock(&iface_lock);
	mutex_unlock(&iface_lock);
	mutex_unlock(&opts_lock);
	mutex_unlock(&types_lock);
}

static void options_write(void)
{
	mutex_lock(&types_lock);
	mutex_lock(&iface_lock);
	mutex_lock(&opts_lock);
	mutex_unlock(&opts_lock);
	mutex_unlock(&iface_lock);
	mutex_unlock(&types_lock);
}

/* readers of an rwlock do not wait for one another */
struct ctl { rwlock_t pm_lock; spinlock_t cmd_lock; int state; };

static void ring_cmd(struct ctl *c)
{
	spin_lock_bh(&c->cmd_lock);
	read_lock_bh(&c->pm_lock);
	c->state++;
	read_unlock_bh(&c->pm_lock);
	spin_unlock_bh(&c->cmd_lock);
}

static void wake_all(struct ctl *c)
{
	read_lock_bh(&c->pm_lock);
	spin_lock_irq(&c->cmd_lock);
	c->state = 0;
	spin_unlock_irq(&c->cmd_lock);
	read_unlock_bh(&c->pm_lock);
}

/*
 * One order under a global mutex in both places, and once more without
 * it: the gated pair hides nothing.
 */
static DEFINE_MUTEX(cfg_lock);
static DEFINE_SPINLOCK(ring_lock);
static DEFINE_SPINLOCK(stat_lock);

static void cfg_apply(void)
{
	mutex_lock(&cfg_lock);
	spin_lock(&ring_lock);
	spin_lock(&stat_lock); /* want "order-inversion" */
	spin_unlock(&stat_lock);
	spin_unlock(&ring_lock);
	mutex_unlock(&cfg_lock);
}

static void cfg_report(void)
{
	mutex_lock(&cfg_lock);
	spin_lock(&stat_lock);
	spin_lock(&ring_lock);
	spin_unlock(&ring_lock);
	spin_unlock(&stat_lock);
	mutex_unlock(&cfg_lock);
}

static void stat_irq(void)
{
	spin_lock(&stat_lock);
	spin_lock(&ring_lock); /* want "order-inversion" */
	spin_unlock(&ring_lock);
	spin_unlock(&stat_lock);
}
