/* 1999-era code: K&R definitions, vm_offset, mmap_sem semaphores and the
 * vmlist lock macros of Linux 2.3. */

int
do_remap(mm, addr, len)
	struct mm_struct *mm;
	unsigned long addr, len;
{
	struct vm_area_struct * mpnt;

	down(&mm->mmap_sem);
	mpnt = find_vma(mm, addr);
	if (!mpnt) {
		up(&mm->mmap_sem);
		return -EFAULT;
	}
	vmlist_modify_lock(mm);
	mpnt->vm_offset += len;
	mpnt->vm_start = addr;
	vmlist_modify_unlock(mm);
	up(&mm->mmap_sem);
	return 0;
}

static inline void
split_area(struct vm_area_struct *area, unsigned long end)
{
	struct vm_area_struct *mpnt;

	mpnt = kmem_cache_alloc(vm_area_cachep, SLAB_KERNEL);
	*mpnt = *area;
	mpnt->vm_offset += (end - area->vm_start);
	area->vm_end = end;
	insert_vm_struct(current->mm, mpnt);
}
