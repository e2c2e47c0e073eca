/* Today's names for the vma rule (vma-list-modify): bounds change under
 * mmap_lock held for write; a fresh vma is private until it is linked. */

static int split_racy(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr)
{
	struct vm_area_struct *new;

	new = vm_area_dup(vma);
	if (!new)
		return -ENOMEM;
	new->vm_end = addr;
	vma->vm_start = addr; /* want "vma-list-modify" */
	mmap_write_lock(mm);
	insert_vm_struct(mm, new);
	mmap_write_unlock(mm);
	return 0;
}

static int split_fixed(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr)
{
	struct vm_area_struct *new;

	mmap_assert_write_locked(mm);
	new = vm_area_dup(vma);
	if (!new)
		return -ENOMEM;
	new->vm_end = addr;
	new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	vma->vm_start = addr;
	return insert_vm_struct(mm, new);
}

/* A driver's mmap method: the vma is not in the tree yet; with no visible
 * caller nothing is known, and nothing is said. */
static int drv_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_pgoff = 0;
	return 0;
}

SYSCALL_DEFINE2(splitit, unsigned long, addr, int, how)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	int ret;

	if (mmap_write_lock_killable(mm))
		return -EINTR;
	vma = find_vma(mm, addr);
	ret = split_fixed(mm, vma, addr);
	mmap_write_unlock(mm);
	return ret;
}

/* A pseudo-vma on the stack (shmem's shape) is nobody else's. */
static void pseudo_vma_init(struct vm_area_struct *vma, unsigned long index)
{
	vma_init(vma, NULL);
	vma->vm_pgoff = index;
}

SYSCALL_DEFINE1(pseudo, unsigned long, index)
{
	struct vm_area_struct pvma;

	pseudo_vma_init(&pvma, index);
	pvma.vm_end = TASK_SIZE;
	return use_policy(&pvma);
}
