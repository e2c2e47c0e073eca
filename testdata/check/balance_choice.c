/*
 * Returns where several locks are each held on some paths and released on
 * others. lock-balance keeps one finding per return, so which lock it
 * names must be the same on every run: the engine once chose by Go map
 * order, and two scans of one tree named different locks.
 */
struct clk_regs {
	void *reg;
	unsigned long flags;
};

static spinlock_t ctl_lock, idle_lock, conf0_lock, conf1_lock, div_lock;

/* one lock per branch of an else-if chain, dropped by a second chain:
 * past four paths the branch facts merge, so every lock is mixed at the
 * return */
int regs_enable(struct clk_regs *c)
{
	unsigned long flags;

	if (c->reg == REG_CTL)
		spin_lock_irqsave(&ctl_lock, flags);
	else if (c->reg == REG_IDLE)
		spin_lock_irqsave(&idle_lock, flags);
	else if (c->reg == REG_CONF0)
		spin_lock_irqsave(&conf0_lock, flags);
	else if (c->reg == REG_CONF1)
		spin_lock_irqsave(&conf1_lock, flags);
	else if (c->reg == REG_DIV)
		spin_lock_irqsave(&div_lock, flags);

	poke(c->reg, c->flags);

	if (c->reg == REG_CTL)
		spin_unlock_irqrestore(&ctl_lock, flags);
	else if (c->reg == REG_IDLE)
		spin_unlock_irqrestore(&idle_lock, flags);
	else if (c->reg == REG_CONF0)
		spin_unlock_irqrestore(&conf0_lock, flags);
	else if (c->reg == REG_CONF1)
		spin_unlock_irqrestore(&conf1_lock, flags);
	else if (c->reg == REG_DIV)
		spin_unlock_irqrestore(&div_lock, flags);

	return 0; /* want "lock-balance" */
}

struct node {
	spinlock_t lock;
	struct node *up;
	struct list_head kids;
	struct list_head sib;
	int dead;
};

/* a tree walked with hand-over-hand locking: the cursor moves down and up,
 * so at the return the lock it holds has several names (top->lock,
 * top->up->lock) over the paths; but every path from a spin_lock to the
 * return passes a spin_unlock, so no path of the text leaks: quiet (as
 * d_walk() in fs/dcache.c) */
static void mark_all(struct node *top, int v)
{
	struct node *cur = top;
	struct list_head *pos;

	spin_lock(&cur->lock);
	mark(cur, v);
down:
	pos = cur->kids.next;
again:
	while (pos != &cur->kids) {
		struct node *n = list_entry(pos, struct node, sib);

		pos = pos->next;
		spin_lock_nested(&n->lock, 1);
		mark(n, v);
		if (!list_empty(&n->kids)) {
			spin_unlock(&cur->lock);
			cur = n;
			goto down;
		}
		spin_unlock(&n->lock);
	}
up:
	if (cur != top) {
		struct node *child = cur;

		cur = child->up;
		spin_unlock(&child->lock);
		spin_lock(&cur->lock);
		do {
			pos = child->sib.next;
			if (pos == &cur->kids)
				goto up;
			child = list_entry(pos, struct node, sib);
		} while (child->dead);
		goto again;
	}
	spin_unlock(&cur->lock);
	return;
}
