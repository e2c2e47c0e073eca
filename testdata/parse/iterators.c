/* Iterator macros are loops: the body may run zero or more times and the
 * cursor (first argument) is assigned on each pass. */

static int count_locked(struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	int n = 0;

	list_for_each_entry(vma, &mm->vma_list, vm_list) {
		if (vma->vm_flags & VM_LOCKED)
			n++;
	}
	return n;
}

static void clear_all(struct anon_vma *anon_vma, unsigned long start, unsigned long end)
{
	struct anon_vma_chain *avc;
	int cpu;

	anon_vma_interval_tree_foreach(avc, &anon_vma->rb_root, start, end)
		avc->vma->vm_private = NULL;

	for_each_online_cpu(cpu)
		drain_cpu(cpu);

	hlist_for_each_entry_safe(avc, tmp, &anon_vma->head, node) {
		if (!avc)
			break;
		unlink_avc(avc);
	}
}

static void walk_threads(struct task_struct *leader)
{
	struct task_struct *g, *t;

	do_each_thread(g, t) {
		poke(t);
	} while_each_thread(g, t);

	t = leader;
	do {
		poke(t);
	} while_each_thread(leader, t);
}

static void walk_masks(struct cgroup *cgrp)
{
	do {
		touch(cgrp);
	} while_each_subsys_mask();
}
