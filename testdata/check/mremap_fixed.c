/* move_ptes after the fix (3.x): it takes the rmap locks itself; and the
 * modern shape, where take_rmap_locks runs when the caller asks. */

static void move_ptes(struct vm_area_struct *vma, pmd_t *old_pmd, unsigned long old_addr,
		      unsigned long old_end, pmd_t *new_pmd, unsigned long new_addr)
{
	struct address_space *mapping = NULL;
	struct anon_vma *anon_vma = NULL;
	struct mm_struct *mm = vma->vm_mm;
	pte_t *old_pte, *new_pte, pte;
	spinlock_t *old_ptl;

	if (vma->vm_file) {
		mapping = vma->vm_file->f_mapping;
		mutex_lock(&mapping->i_mmap_mutex);
	}
	if (vma->anon_vma) {
		anon_vma = vma->anon_vma;
		anon_vma_lock(anon_vma);
	}
	old_pte = pte_offset_map_lock(mm, old_pmd, old_addr, &old_ptl);
	new_pte = pte_offset_map(new_pmd, new_addr);
	for (; old_addr < old_end; old_pte++, old_addr += PAGE_SIZE, new_pte++, new_addr += PAGE_SIZE) {
		pte = ptep_get_and_clear(mm, old_addr, old_pte);
		set_pte_at(mm, new_addr, new_pte, pte);
	}
	pte_unmap_unlock(old_pte - 1, old_ptl);
	if (anon_vma)
		anon_vma_unlock(anon_vma);
	if (mapping)
		mutex_unlock(&mapping->i_mmap_mutex);
}

SYSCALL_DEFINE2(mremap3x, unsigned long, addr, unsigned long, len)
{
	struct vm_area_struct *vma = find_vma(current->mm, addr);

	move_ptes(vma, NULL, addr, addr + len, NULL, addr);
	return 0;
}
