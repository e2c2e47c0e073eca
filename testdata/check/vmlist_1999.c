/* Linux 2.3-era vma list locking (Documentation/vm/locking, 1999).
 * Rules: vma-list-modify, vma-list-calls, find-vma-locked,
 * vmlist-no-sleep, vmlist-one-mm, and the built-in lock-mismatch. */

/* The bug shape the 1999 patch fixed: the vma is changed before the lock
 * is taken; the new vma n is private until insert_vm_struct. */
static int mlock_start_racy(struct vm_area_struct *vma, unsigned long end, int newflags)
{
	struct vm_area_struct *n;

	n = kmem_cache_alloc(vm_area_cachep, SLAB_KERNEL);
	if (!n)
		return -EAGAIN;
	*n = *vma;
	vma->vm_start = end; /* want "vma-list-modify" */
	n->vm_end = end;
	n->vm_flags = newflags;
	vmlist_modify_lock(vma->vm_mm);
	vma->vm_offset += end - n->vm_start;
	insert_vm_struct(current->mm, n);
	vmlist_modify_unlock(vma->vm_mm);
	return 0;
}

/* The fixed shape: every write to the listed vma is under the lock. */
static int mlock_start_fixed(struct vm_area_struct *vma, unsigned long end, int newflags)
{
	struct vm_area_struct *n;

	n = kmem_cache_alloc(vm_area_cachep, SLAB_KERNEL);
	if (!n)
		return -EAGAIN;
	*n = *vma;
	n->vm_end = end;
	n->vm_flags = newflags;
	if (n->vm_ops && n->vm_ops->open)
		n->vm_ops->open(n);
	vmlist_modify_lock(vma->vm_mm);
	vma->vm_offset += end - vma->vm_start;
	vma->vm_start = end;
	insert_vm_struct(current->mm, n);
	vmlist_modify_unlock(vma->vm_mm);
	return 0;
}

/* unmap_fixup's shape: area was unlinked by the caller and is re-inserted
 * below, so the writes before the lock touch a private vma. */
static void shrink_unlinked(struct vm_area_struct *area, unsigned long addr, unsigned long end)
{
	if (end == area->vm_end) {
		area->vm_end = addr;
		vmlist_modify_lock(current->mm);
	} else {
		area->vm_offset += (end - area->vm_start);
		area->vm_start = end;
		vmlist_modify_lock(current->mm);
	}
	insert_vm_struct(current->mm, area);
	vmlist_modify_unlock(current->mm);
}

/* A write after the unlock. */
static void late_write(struct mm_struct *mm, struct vm_area_struct *vma)
{
	vmlist_modify_lock(mm);
	vma->vm_flags = 0;
	vmlist_modify_unlock(mm);
	vma->vm_end = 0; /* want "vma-list-modify" */
}

/* A helper that relies on its caller: fine where the caller holds the
 * lock, reported (at the write) when a system call reaches it without. */
static void set_flags(struct vm_area_struct *vma, int flags)
{
	vma->vm_flags = flags; /* want "vma-list-modify" */
}

static void set_flags_locked(struct vm_area_struct *vma, int flags)
{
	vmlist_modify_lock(vma->vm_mm);
	set_flags(vma, flags);
	vmlist_modify_unlock(vma->vm_mm);
}

SYSCALL_DEFINE2(setflags, unsigned long, start, int, flags)
{
	struct vm_area_struct *vma;

	down(&current->mm->mmap_sem);
	vma = find_vma(current->mm, start);
	if (vma)
		set_flags(vma, flags);
	up(&current->mm->mmap_sem);
	return 0;
}

/* Only ever called under the lock: nothing to say. */
static void set_end(struct vm_area_struct *vma, unsigned long end)
{
	vma->vm_end = end;
}

SYSCALL_DEFINE2(setend, unsigned long, start, unsigned long, end)
{
	struct vm_area_struct *vma;

	down(&current->mm->mmap_sem);
	vma = find_vma(current->mm, start);
	if (vma) {
		vmlist_modify_lock(current->mm);
		set_end(vma, end);
		vmlist_modify_unlock(current->mm);
	}
	up(&current->mm->mmap_sem);
	return 0;
}

/* insert_vm_struct needs the lock (vma-list-calls). */
SYSCALL_DEFINE1(addseg, unsigned long, len)
{
	struct vm_area_struct *shmd;

	shmd = kmem_cache_alloc(vm_area_cachep, SLAB_KERNEL);
	if (!shmd)
		return -ENOMEM;
	down(&current->mm->mmap_sem);
	insert_vm_struct(current->mm, shmd); /* want "vma-list-calls" */
	vmlist_modify_lock(current->mm);
	merge_segments(current->mm, shmd->vm_start, shmd->vm_end);
	vmlist_modify_unlock(current->mm);
	up(&current->mm->mmap_sem);
	return 0;
}

/* access_process_vm before and after the 1999 fix (find-vma-locked). */
int access_vm_racy(struct task_struct *tsk, unsigned long addr)
{
	struct vm_area_struct *vma = find_extend_vma(tsk, addr); /* want "find-vma-locked" */

	if (!vma)
		return 0;
	down(&tsk->mm->mmap_sem);
	vma->vm_private_data = NULL;
	up(&tsk->mm->mmap_sem);
	return 1;
}

int access_vm_fixed(struct task_struct *tsk, unsigned long addr)
{
	struct vm_area_struct *vma;

	down(&tsk->mm->mmap_sem);
	vma = find_extend_vma(tsk, addr);
	if (!vma) {
		up(&tsk->mm->mmap_sem);
		return 0;
	}
	up(&tsk->mm->mmap_sem);
	return 1;
}

/* exit_mmap's shape: a driver method under the vmlist lock is a bug; the
 * fix drops the lock around it (vmlist-no-sleep). */
static void close_all_racy(struct mm_struct *mm, struct vm_area_struct *mpnt)
{
	vmlist_modify_lock(mm);
	if (mpnt->vm_ops && mpnt->vm_ops->close)
		mpnt->vm_ops->close(mpnt); /* want "vmlist-no-sleep" */
	mm->map_count--;
	vmlist_modify_unlock(mm);
}

static void close_all_fixed(struct mm_struct *mm, struct vm_area_struct *mpnt)
{
	vmlist_modify_lock(mm);
	if (mpnt->vm_ops && mpnt->vm_ops->close) {
		vmlist_modify_unlock(mm);
		mpnt->vm_ops->close(mpnt);
		vmlist_modify_lock(mm);
	}
	mm->map_count--;
	vmlist_modify_unlock(mm);
}

static void *alloc_under_vmlist(struct mm_struct *mm)
{
	void *p;

	vmlist_modify_lock(mm);
	p = kmalloc(64, GFP_KERNEL); /* want "vmlist-no-sleep" */
	vmlist_modify_unlock(mm);
	return p;
}

/* Never nest two mms' vmlist locks (vmlist-one-mm). */
static void copy_between(struct mm_struct *a, struct mm_struct *b)
{
	vmlist_access_lock(a);
	vmlist_access_lock(b); /* want "vmlist-one-mm" */
	vmlist_access_unlock(b);
	vmlist_access_unlock(a);
}

/* mremap's shape in the 1999 patch: taken through current->mm, released
 * through vma->vm_mm (the kernel later made the two match). */
static unsigned long move_vma_1999(struct vm_area_struct *vma, unsigned long new_addr)
{
	struct vm_area_struct *new_vma;

	new_vma = kmem_cache_alloc(vm_area_cachep, SLAB_KERNEL);
	if (!new_vma)
		return -ENOMEM;
	*new_vma = *vma;
	new_vma->vm_start = new_addr;
	vmlist_modify_lock(current->mm);
	insert_vm_struct(current->mm, new_vma);
	merge_segments(current->mm, vma->vm_start, vma->vm_end);
	vmlist_modify_unlock(vma->vm_mm); /* want "lock-mismatch" */
	return new_addr;
}
