/* A lock whose address the function stores where its caller reaches it
 * (`ctx->res_mutex = mutex`) is left with that object, for the function
 * that releases it through the field; and `ret = 0` is known zero on
 * the paths that keep it, so `if (ret)` after a plain lock is not taken
 * there. */

struct val_ctx { struct mutex *res_mutex; int n; };

int val_reserve(struct val_ctx *ctx);

int val_prepare(struct val_ctx *ctx, struct mutex *mutex, bool intr)
{
	int ret = 0;

	if (mutex) {
		if (intr)
			ret = mutex_lock_interruptible(mutex);
		else
			mutex_lock(mutex);
		if (ret)
			return -ERESTARTSYS;
	}
	ctx->res_mutex = mutex;
	ret = val_reserve(ctx);
	if (ret)
		goto out;
	return 0;
out:
	if (mutex)
		mutex_unlock(mutex);
	return ret;
}

void val_done(struct val_ctx *ctx)
{
	if (ctx->res_mutex)
		mutex_unlock(ctx->res_mutex);
}

/* stored in a local's struct, the lock goes nowhere the caller sees */
struct val_local { struct mutex *m; };

int val_keep_local(struct mutex *mutex, int n)
{
	struct val_local l;

	mutex_lock(mutex);
	l.m = mutex;
	if (n < 0)
		return -EINVAL; /* want "lock-balance error" */
	mutex_unlock(mutex);
	return 0;
}
