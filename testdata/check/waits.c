/* Waiting under a lock for a timer callback or a work item that takes
 * the same lock. */
struct port { spinlock_t lock; struct mutex mtx; struct timer_list timer; struct work_struct rx_work;
	struct workqueue_struct *rx_wq; int n; };

static void port_timeout(struct timer_list *t)
{
	struct port *p = from_timer(p, t, timer);
	unsigned long flags;

	spin_lock_irqsave(&p->lock, flags);
	p->n++;
	spin_unlock_irqrestore(&p->lock, flags);
}

static void port_rx_count(struct port *p)
{
	mutex_lock(&p->mtx);
	p->n--;
	mutex_unlock(&p->mtx);
}

static void port_rx_work(struct work_struct *w)
{
	struct port *p = container_of(w, struct port, rx_work);

	port_rx_count(p);
}

static void port_init(struct port *p)
{
	timer_setup(&p->timer, port_timeout, 0);
	INIT_WORK(&p->rx_work, port_rx_work);
}

static void port_rx(struct port *p)
{
	queue_work(p->rx_wq, &p->rx_work);
}

static void port_set(struct port *p, int n)
{
	unsigned long flags;

	spin_lock_irqsave(&p->lock, flags);
	p->n = n;
	del_timer_sync(&p->timer); /* want "wait-deadlock" */
	spin_unlock_irqrestore(&p->lock, flags);
}

static void port_close(struct port *p)
{
	mutex_lock(&p->mtx);
	p->n = 0;
	flush_workqueue(p->rx_wq); /* want "wait-deadlock" */
	mutex_unlock(&p->mtx);
}

/* the fix: wait first, then take the lock */
static void port_set_fixed(struct port *p, int n)
{
	unsigned long flags;

	del_timer_sync(&p->timer);
	spin_lock_irqsave(&p->lock, flags);
	p->n = n;
	spin_unlock_irqrestore(&p->lock, flags);
}

/* a lock the callback does not take is no deadlock */
static void port_close_other(struct port *p)
{
	spin_lock(&p->lock);
	p->n = 0;
	spin_unlock(&p->lock);
	mutex_lock(&p->mtx);
	del_timer_sync(&p->timer);
	mutex_unlock(&p->mtx);
}

/* registered on an array element: the callback says whose timer it is */
struct uart { spinlock_t lock; struct timer_list poll; int n; };
static struct uart uarts[4];

static void uart_poll(struct timer_list *t)
{
	struct uart *u = from_timer(u, t, poll);

	spin_lock(&u->lock);
	u->n++;
	spin_unlock(&u->lock);
}

static void uarts_init(void)
{
	int i;

	for (i = 0; i < 4; i++)
		timer_setup(&uarts[i].poll, uart_poll, 0);
}

static void uart_set(struct uart *u)
{
	spin_lock(&u->lock);
	u->n = 0;
	del_timer_sync(&u->poll); /* want "wait-deadlock" */
	spin_unlock(&u->lock);
}

/* an hrtimer's callback is set by assignment after hrtimer_init() */
struct fsm { spinlock_t lock; struct hrtimer timer; int bits; };

static enum hrtimer_restart fsm_expire(struct hrtimer *t)
{
	struct fsm *f = container_of(t, struct fsm, timer);
	unsigned long flags;

	spin_lock_irqsave(&f->lock, flags);
	f->bits = 0;
	spin_unlock_irqrestore(&f->lock, flags);
	return HRTIMER_NORESTART;
}

static void fsm_init(struct fsm *f)
{
	hrtimer_init(&f->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	f->timer.function = fsm_expire;
}

static void fsm_stop(struct fsm *f)
{
	unsigned long flags;

	spin_lock_irqsave(&f->lock, flags);
	f->bits = 1;
	hrtimer_cancel(&f->timer); /* want "wait-deadlock" */
	spin_unlock_irqrestore(&f->lock, flags);
}

/* the lock dropped around the wait: quiet */
static void fsm_stop_fixed(struct fsm *f)
{
	unsigned long flags;

	spin_lock_irqsave(&f->lock, flags);
	f->bits = 1;
	spin_unlock_irqrestore(&f->lock, flags);
	hrtimer_cancel(&f->timer);
	spin_lock_irqsave(&f->lock, flags);
	f->bits = 2;
	spin_unlock_irqrestore(&f->lock, flags);
}

/* A timer the file defines at top level with its callback: the callback
 * takes the lock, and closing waits for it under that lock. */
static void poll_tick(struct timer_list *unused);
static DEFINE_TIMER(poll_timer, poll_tick);
static DEFINE_SPINLOCK(poll_lock);
static int poll_users;

static void poll_tick(struct timer_list *unused)
{
	spin_lock(&poll_lock);
	if (poll_users)
		mod_timer(&poll_timer, jiffies + 1);
	spin_unlock(&poll_lock);
}

static void poll_close(void)
{
	spin_lock_bh(&poll_lock);
	if (--poll_users == 0)
		del_timer_sync(&poll_timer); /* want "wait-deadlock error" */
	spin_unlock_bh(&poll_lock);
}

static void poll_close_fixed(void)
{
	int last;

	spin_lock_bh(&poll_lock);
	last = --poll_users == 0;
	spin_unlock_bh(&poll_lock);
	if (last)
		del_timer_sync(&poll_timer);
}
