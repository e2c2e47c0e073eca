/* A flag computed from a parameter by a predicate that switches over it:
 * in each case of a later switch over the same parameter the flag's
 * value is known. */
struct sock_opts { struct mutex mu; int ttl, tos, filter; };

static bool opt_needs_lock(int opt)
{
	switch (opt) {
	case OPT_FILTER:
	case OPT_GROUP:
		return true;
	}
	return false;
}

static int get_opt(struct sock_opts *so, int opt, int *val)
{
	bool locked = opt_needs_lock(opt);

	if (locked)
		mutex_lock(&so->mu);
	switch (opt) {
	case OPT_TTL:
		*val = so->ttl;
		return 0; /* never locked for OPT_TTL (quiet) */
	case OPT_FILTER:
		*val = so->filter;
		break;
	case OPT_GROUP:
		if (!so->filter)
			return -ENOENT; /* want "lock-balance" */
		*val = so->filter;
		break;
	default:
		return -ENOPROTOOPT; /* every option that locks has a case (quiet) */
	}
	if (locked)
		mutex_unlock(&so->mu);
	return 0;
}
