/* Scoped locks: guard() holds to the end of its block, scoped_guard() to
 * the end of its body; return and goto out of the scope release too. */

static int guarded_update(struct foo *f, int v)
{
	guard(spinlock)(&f->lock);
	if (v < 0)
		return -EINVAL;
	f->value = v;
	return 0;
}

static void scoped_update(struct foo *f, int v)
{
	scoped_guard(mutex, &f->mutex) {
		f->value = v;
		if (v == 0)
			goto out;
	}
	notify(f);
out:
	return;
}
