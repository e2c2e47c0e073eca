/* Lock helpers that headers and macros define, known without them. */

struct table {
	int n;
};

int task_leak(struct task_struct *p, int x)
{
	task_lock(p);
	if (x < 0)
		return -EINVAL; /* want "lock-balance" */
	task_unlock(p);
	return 0;
}

int task_spellings(struct task_struct *p)
{
	task_lock(p);
	p->flags = 0;
	spin_unlock(&p->alloc_lock);
	return 0;
}

void rtnl_early_return(struct net_device *dev)
{
	rtnl_lock();
	if (dev->flags) {
		if (bring_up(dev))
			return; /* want "lock-balance" */
	}
	rtnl_unlock();
}

void rtnl_twice(void)
{
	rtnl_lock();
	rtnl_lock(); /* want "double-acquire" */
	rtnl_unlock();
}

int pcp_trylock_leak(struct zone *zone, int x)
{
	struct per_cpu_pages *pcp;

	pcp = pcp_spin_trylock(zone->per_cpu_pageset);
	if (!pcp)
		return 0;
	if (x)
		return -EBUSY; /* want "lock-balance" */
	pcp_spin_unlock(pcp);
	return 1;
}

int table_element(u32 hash, int x)
{
	mutex_lock(&fault_mutex_table[hash]);
	if (x)
		return -ENOMEM; /* want "lock-balance" */
	mutex_unlock(&fault_mutex_table[hash]);
	return 0;
}

/* each element taken and dropped in the loop: balanced */
void table_loop(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		mutex_lock(&fault_mutex_table[i]);
		fault_count[i]++;
		mutex_unlock(&fault_mutex_table[i]);
	}
}

void sock_sleeps_under_bh_lock(struct sock *sk)
{
	bh_lock_sock(sk);
	lock_sock(sk); /* want "sleep-under-spinlock" */
	release_sock(sk);
	bh_unlock_sock(sk);
}

int xa_leak(struct xarray *xa, unsigned long i, void *p)
{
	xa_lock_irq(xa);
	if (!p)
		return -EINVAL; /* want "lock-balance" */
	__xa_store(xa, i, p, GFP_KERNEL);
	xa_unlock_irq(xa);
	return 0;
}

/* a helper the input defines is read from its body, not the table:
 * this configuration's console_lock() takes nothing */
static void console_lock(void)
{
}

void own_definition(void)
{
	console_lock();
	console_lock();
}

/* net/core/sock.c defines release_sock() with the owner flag; the table
 * still says what it does, so that it pairs with lock_sock() */
void release_sock(struct sock *sk)
{
	spin_lock_bh(&sk->sk_lock.slock);
	sk->sk_lock.owned = 0;
	spin_unlock_bh(&sk->sk_lock.slock);
}

int drop_around_wait(struct sock *sk)
{
	lock_sock(sk);
	release_sock(sk);
	wait_for_space(sk);
	lock_sock(sk);
	release_sock(sk);
	return 0;
}

/* serio: pausing a port's input takes the port's spinlock, continuing
 * drops it; a driver waits for its reply in between the two, with the
 * lock its caller asserts dropped (quiet), and not without dropping it */
struct serio { spinlock_t lock; int flags; };
struct kbd { struct serio *serio; wait_queue_head_t wait; int ack; };

static int kbd_send(struct kbd *k, int byte)
{
	lockdep_assert_held(&k->serio->lock);
	serio_continue_rx(k->serio);
	wait_event_timeout(k->wait, k->ack, HZ);
	serio_pause_rx(k->serio);
	return k->ack;
}

static int kbd_send_held(struct kbd *k, int byte)
{
	serio_pause_rx(k->serio);
	wait_event_timeout(k->wait, k->ack, HZ); /* want "sleep-under-spinlock error" */
	serio_continue_rx(k->serio);
	return k->ack;
}
