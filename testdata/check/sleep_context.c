/* Atomic context other than a spinlock: interrupts, preemption, softirqs
 * and RCU read-side sections, and callbacks that run in atomic context. */

struct dev {
	spinlock_t lock;
	struct timer_list timer;
	struct tasklet_struct tl;
	void *table;
	int irq;
};

static void settle(int ms)
{
	usleep_range(ms, ms * 2);
}

void irqs_off(struct dev *d)
{
	unsigned long flags;

	local_irq_save(flags);
	settle(5); /* want "sleep-under-spinlock" */
	local_irq_restore(flags);
	settle(5);
}

void preempt_off(struct dev *d)
{
	preempt_disable();
	d->table = kmalloc(64, GFP_KERNEL); /* want "sleep-under-spinlock" */
	preempt_enable();
}

void rcu_section(struct dev *d)
{
	rcu_read_lock();
	kvfree(d->table); /* want "sleep-under-spinlock" */
	rcu_read_unlock();
	kvfree(d->table);
}

/* cond_resched() under RCU alone is not a bug in every configuration */
void rcu_resched(struct dev *d)
{
	rcu_read_lock();
	cond_resched();
	rcu_read_unlock();
}

/* opened on one path only: not provable */
void maybe_off(struct dev *d, bool atomic)
{
	if (atomic)
		preempt_disable();
	msleep(1);
	if (atomic)
		preempt_enable();
}

/* nested sections stay open until the last one closes */
void nested(struct dev *d)
{
	local_bh_disable();
	local_bh_disable();
	local_bh_enable();
	msleep(1); /* want "sleep-under-spinlock" */
	local_bh_enable();
	msleep(1);
}

static void on_timer(struct timer_list *t)
{
	settle(1); /* want "sleep-under-spinlock" */
}

static void on_tasklet(struct tasklet_struct *t)
{
	struct dev *d = from_tasklet(d, t, tl);

	d->table = kzalloc(8, GFP_ATOMIC);
	mutex_lock(&big_mutex); /* want "sleep-under-spinlock" */
	mutex_unlock(&big_mutex);
}

static irqreturn_t on_irq(int irq, void *data)
{
	msleep(1); /* want "sleep-under-spinlock" */
	return IRQ_HANDLED;
}

static irqreturn_t in_thread(int irq, void *data)
{
	msleep(1);
	return IRQ_HANDLED;
}

int start(struct dev *d)
{
	timer_setup(&d->timer, on_timer, 0);
	tasklet_setup(&d->tl, on_tasklet);
	return request_threaded_irq(d->irq, on_irq, in_thread, 0, "dev", d);
}

/* vfree() defers the free in interrupt context instead of sleeping */
void free_with_bh_off(struct dev *d)
{
	local_bh_disable();
	vfree(d->table);
	local_bh_enable();
	spin_lock_bh(&d->lock);
	kvfree(d->table);
	spin_unlock_bh(&d->lock);
	spin_lock(&d->lock);
	vfree(d->table); /* want "sleep-under-spinlock" */
	spin_unlock(&d->lock);
}

static void reclaim_timer(struct timer_list *t)
{
	struct dev *d = from_timer(d, t, timer);

	spin_lock(&d->lock);
	kvfree(d->table);
	spin_unlock(&d->lock);
}

void arm(struct dev *d)
{
	timer_setup(&d->timer, reclaim_timer, 0);
}

/* a sleep where only some paths hold the spinlock is still a sleep under
 * it on those */
void maybe_locked_sleep(struct dev *d, int shared)
{
	if (shared)
		spin_lock(&d->lock);
	msleep(1); /* want "sleep-under-spinlock" */
	if (shared)
		spin_unlock(&d->lock);
}

static void take_rendezvous(void)
{
	spin_lock(&rendezvous_lock);
}

static void drop_rendezvous(void)
{
	spin_unlock(&rendezvous_lock);
}

/* the spinlock a helper took and left held is still held at the sleep */
void wait_for_peer(int cpu)
{
	take_rendezvous();
	schedule_timeout(2 * HZ); /* want "sleep-under-spinlock" */
	drop_rendezvous();
}

/* Giving an interrupt back takes the descriptor's request mutex and waits
 * for a running handler: not under a spinlock, not with interrupts off. */
struct port { spinlock_t lock; int irq; int up; };

static void port_shutdown(struct port *pt)
{
	unsigned long flags;

	spin_lock_irqsave(&pt->lock, flags);
	pt->up = 0;
	free_irq(pt->irq, pt); /* want "sleep-under-spinlock error" */
	spin_unlock_irqrestore(&pt->lock, flags);
}

static void port_shutdown_fixed(struct port *pt)
{
	unsigned long flags;

	spin_lock_irqsave(&pt->lock, flags);
	pt->up = 0;
	spin_unlock_irqrestore(&pt->lock, flags);
	free_irq(pt->irq, pt);
}

static int port_startup(struct port *pt)
{
	unsigned long flags;
	int err;

	local_irq_save(flags);
	err = request_irq(pt->irq, port_isr, 0, "port", pt); /* want "sleep-under-spinlock error" */
	local_irq_restore(flags);
	return err;
}

/* A timer defined at file scope runs its callback in softirq context. */
static void blink_tick(struct timer_list *unused);
static DEFINE_TIMER(blink_timer, blink_tick);

static void blink_tick(struct timer_list *unused)
{
	msleep(10); /* want "sleep-under-spinlock error" */
	mod_timer(&blink_timer, jiffies + HZ);
}

/* A slot's timer set up with the slot's worker, and set up again with a
 * helper that only wakes the worker before every add_timer(): the worker
 * never runs as the timer's callback, and may sleep. The event timer is
 * started with the callback it was set up with. */
struct slot { struct timer_list task; struct timer_list event; struct mutex m; wait_queue_head_t wq; int kick; };

static void slot_worker(struct timer_list *t)
{
	struct slot *s = from_timer(s, t, task);

	mutex_lock(&s->m);
	s->kick = 0;
	mutex_unlock(&s->m);
}

static void slot_kick(struct timer_list *t)
{
	struct slot *s = from_timer(s, t, task);

	s->kick = 1;
	wake_up(&s->wq);
}

static void slot_event(struct timer_list *t)
{
	struct slot *s = from_timer(s, t, event);

	mutex_lock(&s->m); /* want "sleep-under-spinlock" */
	s->kick = 2;
	mutex_unlock(&s->m);
}

void slot_init(struct slot *s)
{
	timer_setup(&s->task, slot_worker, 0);
	timer_setup(&s->event, slot_event, 0);
}

void slot_press(struct slot *s)
{
	del_timer(&s->task);
	timer_setup(&s->task, slot_kick, 0);
	s->task.expires = jiffies + 5 * HZ;
	add_timer(&s->task);
	mod_timer(&s->event, jiffies + HZ);
}

/*
 * Kernel-mode FPU and SIMD sections run with preemption disabled: a
 * display driver's bandwidth code between DC_FP_START() and DC_FP_END()
 * must not allocate with GFP_KERNEL; after the section ends it may.
 */
struct pool { void *clk; void *hub; };
static void *make_block(int n)
{
	return kzalloc(n, GFP_KERNEL);
}

bool pool_construct(struct pool *p)
{
	DC_FP_START();
	p->clk = make_block(32); /* want "sleep-under-spinlock" */
	if (!p->clk)
		goto fail;
	DC_FP_END();
	p->hub = make_block(64);
	return true;
fail:
	DC_FP_END();
	return false;
}

void simd_digest(struct dev *d)
{
	kernel_neon_begin();
	msleep(1); /* want "sleep-under-spinlock" */
	kernel_neon_end();
	msleep(1);
}

/*
 * A bit set after it was tested: the second test may see it set, so the
 * sleep behind it is reachable from the timer.
 */
struct card { struct timer_list timer; unsigned long flags; spinlock_t lock; int polls; };
static int card_pps(struct card *c)
{
	usleep_range(10000, 11000);
	return 0;
}

static void card_poll(struct timer_list *t)
{
	struct card *c = from_timer(c, t, timer);

	if (test_and_set_bit(CARD_IO, &c->flags))
		goto again;
	spin_lock(&c->lock);
	c->polls++;
	spin_unlock(&c->lock);
	if (test_bit(CARD_VALID, &c->flags) == 1)
		goto out;
	set_bit(CARD_VALID, &c->flags);
	if (test_bit(CARD_VALID, &c->flags) == 1)
		card_pps(c); /* want "sleep-under-spinlock" */
out:
	clear_bit(CARD_IO, &c->flags);
again:
	mod_timer(&c->timer, jiffies + 1);
}

static void card_start(struct card *c)
{
	timer_setup(&c->timer, card_poll, 0);
	mod_timer(&c->timer, jiffies);
}
