/* An error ladder whose first `goto` comes before the lock: the label's
 * unlock runs on a path that never took it. */
struct dev { struct mutex mu; spinlock_t lock; int size, state, busy; struct list_head q; };
int read_reg(struct dev *d, int r);
void note_size(int n);
void queue_retry(struct list_head *q);
int hw_trylock(int unit);

static void refresh(struct dev *d)
{
	int n = d->size;
	int err = 0;

	if (n == 0) {
		err = -EINVAL;
		goto out;
	}
	mutex_lock(&d->mu);
	err = read_reg(d, n);
	if (err)
		goto out;
	d->state = err;
out:
	if (err)
		note_size(0);
	queue_retry(&d->q); /* a sibling field: cannot take d->mu */
	mutex_unlock(&d->mu); /* want "release-unheld error" */
}

/* the lock before the first test: quiet */
static void refresh_fixed(struct dev *d)
{
	int n;
	int err = 0;

	mutex_lock(&d->mu);
	n = d->size;
	if (n == 0) {
		err = -EINVAL;
		goto out;
	}
	err = read_reg(d, n);
	if (err)
		goto out;
	d->state = err;
out:
	if (err)
		note_size(0);
	queue_retry(&d->q);
	mutex_unlock(&d->mu);
}

/* the caller holds it when told so: quiet */
static int drain(struct dev *d, bool locked)
{
	int err = 0;

	if (!locked)
		mutex_lock(&d->mu);
	if (!d->busy) {
		err = -EINVAL;
		goto out;
	}
	d->busy = 0;
out:
	mutex_unlock(&d->mu);
	return err;
}

/* taken and released under the same test: the path that skips the one
 * skips the other (quiet) */
static void resize(struct dev *d, int grow)
{
	if (grow) {
		spin_lock(&d->lock);
		if (d->busy)
			note_size(d->size);
		d->busy = 0;
	}
	if (d->size > 1)
		d->state = 1;
	if (d->size > 2)
		d->busy = 2;
	if (d->state > 3)
		d->size = 3;
	if (d->busy > 4)
		d->state = 4;
	if (grow) {
		if (d->state)
			note_size(d->state);
		spin_unlock(&d->lock);
	}
}

/* returns holding it on one path, by design (a lock kept across calls
 * while a message is read in pieces): the next call may come in holding
 * it (quiet) */
static int read_piece(struct dev *d)
{
	static bool in_msg;

	if (!in_msg) {
		mutex_lock(&d->mu);
		if (!d->busy) {
			mutex_unlock(&d->mu);
			return -EAGAIN;
		}
		in_msg = true;
	}
	if (d->size > 0)
		return 0; /* more to come: still held */
	in_msg = false;
	mutex_unlock(&d->mu);
	return 1;
}

/* a helper out of sight, named like a lock operation, may have taken it
 * on the way (quiet) */
static void poke(struct dev *d)
{
	if (!hw_trylock(d->state))
		goto out;
	mutex_lock(&d->mu);
	d->state = 1;
out:
	mutex_unlock(&d->mu);
}

/* the object found under the lock tells whether it was taken: NULL from
 * the start on the path that skips it (quiet) */
struct list_head *find_queue(int unit);

static int publish(struct dev *d, int unit)
{
	struct list_head *q = NULL;

	if (unit) {
		mutex_lock(&d->mu);
		q = find_queue(d->state);
		if (!q) {
			mutex_unlock(&d->mu);
			return 0;
		}
	}
	note_size(unit);
	if (q)
		mutex_unlock(&d->mu);
	return 1;
}

/* taken only when not privileged, released twice on that way: a double
 * release whoever holds it on the other way */
static int verify(struct dev *d, bool priv)
{
	if (!priv)
		mutex_lock(&d->mu);
	d->state = 1;
	if (!priv)
		mutex_unlock(&d->mu);
	mutex_unlock(&d->mu); /* want "release-unheld error" */
	return 0;
}

/* released once on each way (quiet) */
static int verify_fixed(struct dev *d, bool priv)
{
	if (!priv)
		mutex_lock(&d->mu);
	d->state = 1;
	if (!priv)
		mutex_unlock(&d->mu);
	return 0;
}

/* The same ladder after a conversion of the object (`dev = x_to_dev(d)`,
 * a container_of accessor, not a lock taker): still never taken there. */
struct device;
struct device *unit_to_dev(struct dev *d);
void dev_warn_once(struct device *dev, const char *msg);
int query_queue(struct list_head *q);

static void rebuild(struct dev *d)
{
	struct device *dev = unit_to_dev(d);
	int err;

	err = query_queue(&d->q); /* a sibling field */
	if (err) {
		dev_warn_once(dev, "query failed");
		goto fail;
	}
	mutex_lock(&d->mu);
	err = read_reg(d, 1);
	if (err)
		goto fail;
	mutex_unlock(&d->mu);
	return;
fail:
	note_size(err);
	mutex_unlock(&d->mu); /* want "release-unheld error" */
}
