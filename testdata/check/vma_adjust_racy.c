/* vma_adjust before the fix in seed 000: the bounds change with no
 * anon_vma lock here, and the system call that reaches it holds none. */

void vma_adjust(struct vm_area_struct *vma, unsigned long start, unsigned long end, pgoff_t pgoff)
{
	vma->vm_start = start; /* want "vma-adjust-anon-vma" */
	vma->vm_end = end; /* want "vma-adjust-anon-vma" */
	vma->vm_pgoff = pgoff; /* want "vma-adjust-anon-vma" */
}

SYSCALL_DEFINE2(shrinkvma, unsigned long, start, unsigned long, end)
{
	struct vm_area_struct *vma = find_vma(current->mm, start);

	if (vma)
		vma_adjust(vma, start, end, 0);
	return 0;
}
