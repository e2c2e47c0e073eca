/* One lock under the names kernel code gives it, and callees that say by
 * their names what they do (or do not do) to it. */
struct dev_state { struct mutex lock; spinlock_t slock; int ready; int regs; };
struct sb_info { spinlock_t list_lock; int count; };

/* an out parameter of an unseen reader leaves the caller's lock alone */
static int read_regs(struct dev_state *st)
{
	int val;

	mutex_lock(&st->lock);
	if (reg_read(st, 3, &val))
		goto out;
	if (val == 0)
		return 0; /* want "lock-balance" */
	st->regs = val;
out:
	mutex_unlock(&st->lock);
	return 0;
}

/* 'block' and 'clock' are not 'lock': the transfer leaves it held */
static int block_transfer(struct dev_state *st, u8 *buf)
{
	int ret;

	mutex_lock(&st->lock);
	ret = smbus_read_block_data(st, buf);
	if (ret < 0)
		return ret; /* want "lock-balance" */
	mutex_unlock(&st->lock);
	return 0;
}

/* a lockdep predicate and a _locked helper do not drop the lock */
static int checked(struct dev_state *st)
{
	spin_lock(&st->slock);
	WARN_ON(!lockdep_is_held(&st->slock));
	if (find_entry_locked(st, 4))
		return -EBUSY; /* want "lock-balance" */
	spin_unlock(&st->slock);
	return 0;
}

/* an accessor names one object: SB_I(sb)->list_lock is sbi->list_lock */
static void list_del_entry(struct super_block *sb, int n)
{
	struct sb_info *sbi = SB_I(sb);

	spin_lock(&SB_I(sb)->list_lock);
	if (n < 0)
		return; /* want "lock-balance" */
	sbi->count--;
	spin_unlock(&sbi->list_lock);
}

/* helpers of the built-in table: devlink, the MDIO bus under a PHY page,
 * iio direct mode */
static void devlink_event(struct devlink *devlink, int n)
{
	devl_lock(devlink);
	if (n < 0)
		return; /* want "lock-balance" */
	devl_unlock(devlink);
}

static int phy_pin(struct phy_device *phydev)
{
	int oldpage, ret = 0;

	oldpage = phy_select_page(phydev, 1);
	if (oldpage < 0)
		return oldpage; /* want "lock-balance" */
	ret = __phy_write(phydev, 0x10, 1);
	return phy_restore_page(phydev, oldpage, ret);
}

static int read_raw(struct iio_dev *indio_dev)
{
	int ret;

	ret = iio_device_claim_direct_mode(indio_dev);
	if (ret)
		return ret;
	ret = read_channel(indio_dev);
	if (ret < 0)
		return ret; /* want "lock-balance" */
	iio_device_release_direct_mode(indio_dev);
	return 0;
}

/* a helper pair the input does not define, taken and dropped by name on
 * one object in this function */
static int add_ring(struct gpu *g, int id)
{
	gpu_sched_lock(&g->sched);
	if (!find_gang(g, id)) {
		gpu_sched_unlock(&g->sched);
		return -EINVAL;
	}
	if (ring_init(g))
		return -ENOMEM; /* want "lock-balance" */
	gpu_sched_unlock(&g->sched);
	return 0;
}

/* but a named take whose result is tested says nothing certain */
static int guess_not(struct gpu *g)
{
	if (!gpu_fw_lock(g))
		return -EBUSY;
	g->n++;
	gpu_fw_unlock(g);
	return 0;
}

/* for_each_thread(p, t) walks p's threads with t: p keeps its lock */
static int sigaction_like(struct task_struct *cur, int sig)
{
	struct task_struct *p = cur, *t;

	spin_lock_irq(&p->sighand->siglock);
	if (sig < 0)
		return -EINVAL; /* want "lock-balance" */
	for_each_thread(p, t)
		t->sigpending = 0;
	spin_unlock_irq(&p->sighand->siglock);
	return 0;
}

/*
 * A lock reached through an accessor of an object the function made
 * (`alx = netdev_priv(netdev)` with netdev from alloc_etherdev()) is one
 * lock: released before the registration, released again at the label
 * its failure jumps to.
 */
struct alx_priv { struct mutex mtx; int up; };

int alx_like_probe(struct pci_dev *pdev)
{
	struct net_device *netdev;
	struct alx_priv *alx;
	int err;

	netdev = alloc_etherdev(sizeof(*alx));
	if (!netdev)
		return -ENOMEM;
	alx = netdev_priv(netdev);
	netif_tx_lock(netdev);
	alx->up = 0;
	netif_tx_unlock(netdev);
	mutex_lock(&alx->mtx);
	err = alx_hw_init(alx);
	if (err)
		goto out_unlock;
	mutex_unlock(&alx->mtx);

	err = register_thing(pdev);
	if (err)
		goto out_unlock;
	return 0;

out_unlock:
	mutex_unlock(&alx->mtx); /* want "release-unheld" */
	free_netdev(netdev);
	return err;
}
