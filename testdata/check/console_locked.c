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
