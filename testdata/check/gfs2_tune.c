/* gfs2's tunables live in sdp->sd_tune under gt_spin: reads and writes
 * of them need the lock, except on a superblock still being set up. */

struct gfs2_tune {
	spinlock_t gt_spin;
	unsigned int gt_logd_secs;
	unsigned int gt_quota_scale_num;
	unsigned int gt_quota_scale_den;
	unsigned int gt_statfs_quantum;
};

struct gfs2_sbd {
	struct gfs2_tune sd_tune;
	struct super_block *sd_vfs;
};

static void tune_init(struct gfs2_tune *gt)
{
	spin_lock_init(&gt->gt_spin);
	gt->gt_logd_secs = 30;
	gt->gt_quota_scale_num = 1;
	gt->gt_quota_scale_den = 1;
}

static struct gfs2_sbd *init_sbd(struct super_block *sb)
{
	struct gfs2_sbd *sdp = kzalloc(sizeof(*sdp), GFP_KERNEL);

	if (!sdp)
		return NULL;
	sdp->sd_vfs = sb;
	tune_init(&sdp->sd_tune);
	return sdp;
}

static int fill_super(struct super_block *sb, int commit)
{
	struct gfs2_sbd *sdp = init_sbd(sb);

	if (!sdp)
		return -ENOMEM;
	sdp->sd_tune.gt_logd_secs = commit;
	gfs2_glock_nq_init(NULL, 0, 0, NULL);
	return 0;
}

static int show_options(struct seq_file *s, struct gfs2_sbd *sdp)
{
	unsigned int logd_secs, quantum;

	spin_lock(&sdp->sd_tune.gt_spin);
	logd_secs = sdp->sd_tune.gt_logd_secs;
	spin_unlock(&sdp->sd_tune.gt_spin);
	if (logd_secs != 30)
		seq_printf(s, ",commit=%d", logd_secs);
	quantum = sdp->sd_tune.gt_statfs_quantum; /* want "gfs2-tune-gt-spin warning" */
	if (quantum != 30)
		seq_printf(s, ",statfs_quantum=%d", quantum);
	return 0;
}

static ssize_t quota_scale_show(struct gfs2_sbd *sdp, char *buf)
{
	return snprintf(buf, PAGE_SIZE, "%u %u\n", sdp->sd_tune.gt_quota_scale_num, /* want "gfs2-tune-gt-spin warning" */
			sdp->sd_tune.gt_quota_scale_den);
}

static ssize_t quota_scale_store(struct gfs2_sbd *sdp, unsigned int x, unsigned int y)
{
	struct gfs2_tune *gt = &sdp->sd_tune;

	spin_lock(&gt->gt_spin);
	gt->gt_quota_scale_num = x;
	gt->gt_quota_scale_den = y;
	spin_unlock(&gt->gt_spin);
	return 0;
}

/* a reader its callers lock for (one of them does not: the finding is
 * at the read, with that caller in its trace), and one an accessor
 * reads through */
static unsigned int logd_locked(struct gfs2_tune *gt)
{
	return gt->gt_logd_secs; /* want "gfs2-tune-gt-spin warning" */
}

static unsigned int tune_get(struct gfs2_tune *gt, unsigned int *p)
{
	unsigned int x;

	spin_lock(&gt->gt_spin);
	x = *p;
	spin_unlock(&gt->gt_spin);
	return x;
}

unsigned long logd_timeout(struct gfs2_sbd *sdp)
{
	unsigned long t;

	spin_lock(&sdp->sd_tune.gt_spin);
	t = logd_locked(&sdp->sd_tune) * HZ;
	spin_unlock(&sdp->sd_tune.gt_spin);
	return t + tune_get(&sdp->sd_tune, &sdp->sd_tune.gt_statfs_quantum);
}

unsigned long logd_timeout_racy(struct gfs2_sbd *sdp)
{
	return logd_locked(&sdp->sd_tune) * HZ;
}

/* a tunable tested in a branch, with the lock and without it */
static void show_quantum(struct seq_file *s, struct gfs2_sbd *sdp)
{
	int fast;

	spin_lock(&sdp->sd_tune.gt_spin);
	fast = 0;
	if (sdp->sd_tune.gt_statfs_quantum != 30)
		fast = 1;
	spin_unlock(&sdp->sd_tune.gt_spin);
	if (fast)
		seq_puts(s, ",statfs_quantum");
	else if (sdp->sd_tune.gt_logd_secs) /* want "gfs2-tune-gt-spin warning" */
		seq_puts(s, ",commit");
}
