/* mremap in Linux 3.0, before seed 001's discussion: move_ptes moves ptes
 * and neither it nor any caller holds the anon_vma lock. */

static void move_ptes(struct vm_area_struct *vma, pmd_t *old_pmd, unsigned long old_addr,
		      unsigned long old_end, struct vm_area_struct *new_vma, pmd_t *new_pmd, unsigned long new_addr)
{
	struct mm_struct *mm = vma->vm_mm;
	pte_t *old_pte, *new_pte, pte;
	spinlock_t *old_ptl, *new_ptl;

	old_pte = pte_offset_map_lock(mm, old_pmd, old_addr, &old_ptl);
	new_pte = pte_offset_map(new_pmd, new_addr);
	new_ptl = pte_lockptr(mm, new_pmd);
	if (new_ptl != old_ptl)
		spin_lock_nested(new_ptl, SINGLE_DEPTH_NESTING);
	for (; old_addr < old_end; old_pte++, old_addr += PAGE_SIZE, new_pte++, new_addr += PAGE_SIZE) {
		if (pte_none(*old_pte))
			continue;
		pte = ptep_get_and_clear(mm, old_addr, old_pte); /* want "mremap-move-ptes-anon-vma" */
		set_pte_at(mm, new_addr, new_pte, pte);
	}
	if (new_ptl != old_ptl)
		spin_unlock(new_ptl);
	pte_unmap_unlock(old_pte - 1, old_ptl);
}

unsigned long move_page_tables(struct vm_area_struct *vma, unsigned long old_addr,
			       struct vm_area_struct *new_vma, unsigned long new_addr, unsigned long len)
{
	pmd_t *old_pmd = get_old_pmd(vma->vm_mm, old_addr);
	pmd_t *new_pmd = alloc_new_pmd(vma->vm_mm, vma, new_addr);

	move_ptes(vma, old_pmd, old_addr, old_addr + len, new_vma, new_pmd, new_addr);
	return len;
}

static unsigned long move_vma(struct vm_area_struct *vma, unsigned long old_addr, unsigned long len, unsigned long new_addr)
{
	struct vm_area_struct *new_vma = copy_vma(&vma, new_addr, len, 0);

	if (!new_vma)
		return -ENOMEM;
	move_page_tables(vma, old_addr, new_vma, new_addr, len);
	return new_addr;
}

SYSCALL_DEFINE3(mremap, unsigned long, addr, unsigned long, len, unsigned long, new_addr)
{
	struct vm_area_struct *vma;
	unsigned long ret;

	down_write(&current->mm->mmap_sem);
	vma = find_vma(current->mm, addr);
	ret = move_vma(vma, addr, len, new_addr);
	up_write(&current->mm->mmap_sem);
	return ret;
}
