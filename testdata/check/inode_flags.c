/* XFS inode locks: one helper pair, a flag word saying which of the
 * inode's three locks (IOLOCK, MMAPLOCK, ILOCK) to take or drop. The
 * helpers are not defined here; the table reads their flags. */
struct xfs_inode { int size, flags; };
struct xfs_trans;
int flush_range(struct xfs_inode *ip, int len);
int map_range(struct xfs_inode *ip, int len);
int trans_get(struct xfs_inode *ip, struct xfs_trans **tpp);
int trans_commit(struct xfs_trans *tp);
int relock_both(struct xfs_inode *ip, unsigned int mode);

/* an early return between the IOLOCK and its unlock */
static int layout_get(struct xfs_inode *ip, int len)
{
	int error;

	xfs_ilock(ip, XFS_IOLOCK_EXCL);
	error = flush_range(ip, len);
	if (error)
		goto out_unlock;
	error = map_range(ip, len);
	if (error)
		return error; /* want "lock-balance error" */
	xfs_iunlock(ip, XFS_IOLOCK_EXCL);
	return 0;
out_unlock:
	xfs_iunlock(ip, XFS_IOLOCK_EXCL);
	return error;
}

/* the same, with every exit through the unlock (quiet) */
static int layout_get_fixed(struct xfs_inode *ip, int len)
{
	int error;

	xfs_ilock(ip, XFS_IOLOCK_EXCL);
	error = flush_range(ip, len);
	if (error)
		goto out_unlock;
	error = map_range(ip, len);
out_unlock:
	xfs_iunlock(ip, XFS_IOLOCK_EXCL);
	return error;
}

/* two locks in one call, dropped one at a time; only the ILOCK is left
 * behind on the error return */
static int truncate_prep(struct xfs_inode *ip, int len)
{
	xfs_ilock(ip, XFS_MMAPLOCK_EXCL | XFS_ILOCK_EXCL);
	if (len > ip->size) {
		xfs_iunlock(ip, XFS_MMAPLOCK_EXCL);
		return -EINVAL; /* want "lock-balance error" */
	}
	ip->size = len;
	xfs_iunlock(ip, XFS_ILOCK_EXCL | XFS_MMAPLOCK_EXCL);
	return 0;
}

/* the mode in a variable the function sets: shared or exclusive, the
 * same lock (quiet) */
static int read_size(struct xfs_inode *ip, int excl)
{
	unsigned int mode = XFS_ILOCK_SHARED;
	int n;

	if (excl)
		mode = XFS_ILOCK_EXCL;
	xfs_ilock(ip, mode);
	n = ip->size;
	xfs_iunlock(ip, mode);
	return n;
}

/* a mode the caller chose: nothing is known of it (quiet) */
static void drop_mode(struct xfs_inode *ip, unsigned int mode)
{
	xfs_ilock(ip, XFS_ILOCK_EXCL);
	ip->flags = 0;
	xfs_iunlock(ip, mode);
}

/* joined to a transaction with the ILOCK: the commit drops it (quiet) */
static int set_flags(struct xfs_inode *ip, int flags)
{
	struct xfs_trans *tp;
	int error;

	error = trans_get(ip, &tp);
	if (error)
		return error;
	xfs_ilock(ip, XFS_ILOCK_EXCL);
	xfs_trans_ijoin(tp, ip, XFS_ILOCK_EXCL);
	ip->flags = flags;
	return trans_commit(tp);
}

/* joined with flags 0, the lock stays the function's to drop */
static int set_flags_keep(struct xfs_inode *ip, int flags)
{
	struct xfs_trans *tp;
	int error;

	error = trans_get(ip, &tp);
	if (error)
		return error;
	xfs_ilock(ip, XFS_ILOCK_EXCL);
	xfs_trans_ijoin(tp, ip, 0);
	if (flags < 0)
		return -EINVAL; /* want "lock-balance error" */
	ip->flags = flags;
	error = trans_commit(tp);
	xfs_iunlock(ip, XFS_ILOCK_EXCL);
	return error;
}

/* what it took, it tells its caller through a flags word (quiet) */
static void grab_locks(struct xfs_inode *ip, unsigned int *lockflags)
{
	xfs_ilock(ip, XFS_IOLOCK_EXCL);
	if (ip->size == 0) {
		xfs_iunlock(ip, XFS_IOLOCK_EXCL);
		return;
	}
	*lockflags |= XFS_IOLOCK_EXCL;
}

/* a helper given the inode and flags may take them (quiet) */
static int relock_and_read(struct xfs_inode *ip)
{
	int n, error;

	xfs_iunlock(ip, XFS_IOLOCK_SHARED);
	error = relock_both(ip, XFS_IOLOCK_SHARED);
	if (error)
		return error;
	n = ip->size;
	xfs_iunlock(ip, XFS_IOLOCK_SHARED);
	return n;
}

/* the assertion says the caller holds it; dropping it twice does not
 * hold */
static void finish(struct xfs_inode *ip)
{
	ASSERT(xfs_isilocked(ip, XFS_ILOCK_EXCL));
	ip->flags = 0;
	xfs_iunlock(ip, XFS_ILOCK_EXCL);
	xfs_iunlock(ip, XFS_ILOCK_EXCL); /* want "release-unheld error" */
}

/* a try that returns the ILOCK held on 0, asked twice: a second try
 * after the first failed with a given error (quiet) */
static int trans_lock(struct xfs_inode *ip, int blocks, struct xfs_trans **tpp)
{
	int error;

	error = trans_get(ip, tpp);
	if (error)
		return error;
	xfs_ilock(ip, XFS_ILOCK_EXCL);
	if (blocks > ip->size) {
		xfs_iunlock(ip, XFS_ILOCK_EXCL);
		return -ENOSPC;
	}
	return 0;
}

static int remap_one(struct xfs_inode *ip, int blocks)
{
	struct xfs_trans *tp;
	bool reserved = true;
	int error;

	error = trans_lock(ip, blocks + 2, &tp);
	if (error == -EDQUOT || error == -ENOSPC) {
		reserved = false;
		error = trans_lock(ip, blocks, &tp);
	}
	if (error)
		goto out;
	error = map_range(ip, blocks);
	if (error)
		goto out_unlock;
	ip->size += reserved;
	error = trans_commit(tp);
out_unlock:
	xfs_iunlock(ip, XFS_ILOCK_EXCL);
out:
	return error;
}
