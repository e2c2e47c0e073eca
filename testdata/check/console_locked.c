/* The console write pattern: in an oops the port lock is only tried,
 * otherwise taken, and a flag says which; the unlock at the end is under
 * the flag.  The flag is set to constants and to the trylock's result,
 * so each path knows what it holds. */

struct uart_port { spinlock_t lock; int n; };
extern int oops_in_progress;

void con_write(struct uart_port *port, const char *s)
{
	unsigned long flags;
	int locked = 1;

	if (oops_in_progress)
		locked = spin_trylock_irqsave(&port->lock, flags);
	else
		spin_lock_irqsave(&port->lock, flags);
	port->n += *s;
	if (locked)
		spin_unlock_irqrestore(&port->lock, flags);
}

/* the same with the flag set after the plain lock */
void con_write_set(struct uart_port *port, const char *s)
{
	unsigned long flags;
	int locked;

	if (port->n < 0) {
		locked = 0;
	} else if (oops_in_progress) {
		locked = spin_trylock_irqsave(&port->lock, flags);
	} else {
		spin_lock_irqsave(&port->lock, flags);
		locked = 1;
	}
	port->n += *s;
	if (locked)
		spin_unlock_irqrestore(&port->lock, flags);
}

/* wrong: the plain path says it did not lock, and keeps the lock */
void con_write_wrong(struct uart_port *port, const char *s)
{
	unsigned long flags;
	int locked = 0;

	if (oops_in_progress)
		locked = spin_trylock_irqsave(&port->lock, flags);
	else
		spin_lock_irqsave(&port->lock, flags);
	port->n += *s;
	if (locked)
		spin_unlock_irqrestore(&port->lock, flags);
} /* want "lock-balance warning" */

/* A flag that starts as a parameter's value and is cleared where the
 * lock is dropped early: every later `if (locked)` agrees with it. */
struct odp_ent { spinlock_t lock; int in_use; };
struct odp { struct mutex umem_mutex; struct odp_ent *ent; void *priv; };

int odp_release(struct odp *o, bool is_odp)
{
	bool locked = is_odp;
	int rc;

	if (locked)
		mutex_lock(&o->umem_mutex);
	if (o->ent) {
		spin_lock_irq(&o->ent->lock);
		o->ent->in_use--;
		spin_unlock_irq(&o->ent->lock);

		if (odp_revoke(o)) {
			o->ent = NULL;
		} else {
			if (locked) {
				o->priv = NULL;
				mutex_unlock(&o->umem_mutex);
				locked = false;
			}
			if (odp_push(o->ent))
				o->ent = NULL;
		}
	}
	if (!o->ent) {
		rc = odp_destroy(o);
		if (rc) {
			if (locked)
				mutex_unlock(&o->umem_mutex);
			return rc;
		}
	}
	if (locked) {
		o->priv = NULL;
		mutex_unlock(&o->umem_mutex);
	}
	return 0;
}

/* A field set to a constant where the lock is taken says, later, which
 * paths hold it. */
struct ktls_info { spinlock_t lock; bool pending_close; int state; void *buf; };

int ktls_add(struct ktls_info *t, int open)
{
	if (open) {
		spin_lock_bh(&t->lock);
		if (t->state) {
			t->pending_close = true;
			goto fail;
		}
		spin_unlock_bh(&t->lock);
	}
	return 0;
fail:
	if (t->pending_close)
		spin_unlock_bh(&t->lock);
	else
		msleep(1);
	return -1;
}

/* and set to false it says the lock is not to be released: the sleep
 * runs under it, and the lock stays held */
int ktls_add_wrong(struct ktls_info *t)
{
	spin_lock_bh(&t->lock);
	if (t->state) {
		t->pending_close = false;
		goto fail;
	}
	spin_unlock_bh(&t->lock);
	return 0;
fail:
	if (t->pending_close)
		spin_unlock_bh(&t->lock);
	else
		msleep(1); /* want "sleep-under-spinlock error" */
	return -1; /* want "lock-balance error" */
}
