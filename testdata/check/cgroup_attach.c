/* The order that kernel/cgroup/cgroup.c documents on cgroup_attach_lock():
 * cpus_read_lock() first, then cgroup_threadgroup_rwsem for write, in the
 * same function.  A caller's cpus lock does not count. */

struct cgroup;
struct task_struct;

int cgroup_migrate(struct task_struct *task, int threadgroup);

void cgroup_attach_lock(bool lock_threadgroup)
{
	cpus_read_lock();
	if (lock_threadgroup)
		percpu_down_write(&cgroup_threadgroup_rwsem);
}

void cgroup_attach_unlock(bool lock_threadgroup)
{
	if (lock_threadgroup)
		percpu_up_write(&cgroup_threadgroup_rwsem);
	cpus_read_unlock();
}

/* what cgroup_transfer_tasks() did before the fix */
int move_all(struct task_struct *task)
{
	int ret;

	cgroup_lock();
	percpu_down_write(&cgroup_threadgroup_rwsem); /* want "cgroup-threadgroup-cpus-lock error" */
	ret = cgroup_migrate(task, 1);
	percpu_up_write(&cgroup_threadgroup_rwsem);
	cgroup_unlock();
	return ret;
}

/* the fix */
int move_all_fixed(struct task_struct *task)
{
	int ret;

	cgroup_lock();
	cgroup_attach_lock(true);
	ret = cgroup_migrate(task, 1);
	cgroup_attach_unlock(true);
	cgroup_unlock();
	return ret;
}

/* the lock dropped on one path before the write lock: a warning */
int move_some(struct task_struct *task, int hot)
{
	int ret;

	cpus_read_lock();
	if (hot)
		cpus_read_unlock();
	percpu_down_write(&cgroup_threadgroup_rwsem); /* want "cgroup-threadgroup-cpus-lock warning" */
	ret = cgroup_migrate(task, 1);
	percpu_up_write(&cgroup_threadgroup_rwsem);
	if (!hot)
		cpus_read_unlock();
	return ret;
}

/* asserted: a caller took it, and says so */
int move_asserted(struct task_struct *task)
{
	int ret;

	lockdep_assert_cpus_held();
	percpu_down_write(&cgroup_threadgroup_rwsem);
	ret = cgroup_migrate(task, 1);
	percpu_up_write(&cgroup_threadgroup_rwsem);
	return ret;
}

/* a caller holds the cpus lock, but the rule wants it here */
static int move_under_caller(struct task_struct *task)
{
	int ret;

	percpu_down_write(&cgroup_threadgroup_rwsem); /* want "cgroup-threadgroup-cpus-lock error" */
	ret = cgroup_migrate(task, 1);
	percpu_up_write(&cgroup_threadgroup_rwsem);
	return ret;
}

int move_caller(struct task_struct *task)
{
	int ret;

	cpus_read_lock();
	ret = move_under_caller(task);
	cpus_read_unlock();
	return ret;
}
