/* A retry loop taking the lock at its top: `if (ret) unlock; if (ret < 0)
 * goto error; if (ret > 0) break;` goes on holding it only where ret is 0.
 * Its analysis swings between two states from one round to the next; it
 * must settle without losing what ret says. */
struct fsx { struct mutex reclaim; int root; };
struct key { unsigned long long offset; };
int search_slot(int root, struct key *k);
int previous_item(int root, struct key *k);
unsigned long long item_type(int root);
int relocate(struct fsx *fs, unsigned long long off);
void bug_on(int c);

static int relocate_all(struct fsx *fs)
{
	struct key key;
	unsigned long long type;
	int retried = 0, failed = 0, ret;

again:
	key.offset = -1;
	while (1) {
		mutex_lock(&fs->reclaim);
		ret = search_slot(fs->root, &key);
		if (ret < 0) {
			mutex_unlock(&fs->reclaim);
			goto error;
		}
		if (ret == 0) {
			ret = -EUCLEAN;
			mutex_unlock(&fs->reclaim);
			goto error;
		}
		ret = previous_item(fs->root, &key);
		if (ret)
			mutex_unlock(&fs->reclaim);
		if (ret < 0)
			goto error;
		if (ret > 0)
			break;
		type = item_type(fs->root);
		if (type & 2) {
			ret = relocate(fs, key.offset);
			if (ret == -ENOSPC)
				failed++;
			else
				bug_on(ret);
		}
		mutex_unlock(&fs->reclaim);
		if (key.offset == 0)
			break;
		key.offset = key.offset - 1;
	}
	ret = 0;
	if (failed && !retried) {
		failed = 0;
		retried = 1;
		goto again;
	} else if (failed && retried) {
		ret = -ENOSPC;
	}
error:
	return ret;
}

static int relocate_all_leaky(struct fsx *fs)
{
	struct key key;
	unsigned long long type;
	int retried = 0, failed = 0, ret;

again:
	key.offset = -1;
	while (1) {
		mutex_lock(&fs->reclaim);
		ret = search_slot(fs->root, &key);
		if (ret < 0)
			goto error; /* the unlock forgotten */
		if (ret == 0) {
			ret = -EUCLEAN;
			mutex_unlock(&fs->reclaim);
			goto error;
		}
		ret = previous_item(fs->root, &key);
		if (ret)
			mutex_unlock(&fs->reclaim);
		if (ret < 0)
			goto error;
		if (ret > 0)
			break;
		type = item_type(fs->root);
		if (type & 2) {
			ret = relocate(fs, key.offset);
			if (ret == -ENOSPC)
				failed++;
			else
				bug_on(ret);
		}
		mutex_unlock(&fs->reclaim);
		if (key.offset == 0)
			break;
		key.offset = key.offset - 1;
	}
	ret = 0;
	if (failed && !retried) {
		failed = 0;
		retried = 1;
		goto again;
	} else if (failed && retried) {
		ret = -ENOSPC;
	}
error:
	return ret; /* want "lock-balance error" */
}
