/* Today's shape: move_ptes takes the rmap locks when need_rmap_locks. */

static void take_rmap_locks(struct vm_area_struct *vma)
{
	if (vma->vm_file)
		i_mmap_lock_write(vma->vm_file->f_mapping);
	if (vma->anon_vma)
		anon_vma_lock_write(vma->anon_vma);
}

static void drop_rmap_locks(struct vm_area_struct *vma)
{
	if (vma->anon_vma)
		anon_vma_unlock_write(vma->anon_vma);
	if (vma->vm_file)
		i_mmap_unlock_write(vma->vm_file->f_mapping);
}

static int move_ptes(struct vm_area_struct *vma, pmd_t *old_pmd, unsigned long old_addr,
		     unsigned long old_end, pmd_t *new_pmd, unsigned long new_addr, bool need_rmap_locks)
{
	struct mm_struct *mm = vma->vm_mm;
	pte_t *old_pte, *new_pte, pte;
	spinlock_t *old_ptl, *new_ptl;

	if (need_rmap_locks)
		take_rmap_locks(vma);
	old_pte = pte_offset_map_lock(mm, old_pmd, old_addr, &old_ptl);
	new_pte = pte_offset_map(new_pmd, new_addr);
	new_ptl = pte_lockptr(mm, new_pmd);
	if (new_ptl != old_ptl)
		spin_lock_nested(new_ptl, SINGLE_DEPTH_NESTING);
	for (; old_addr < old_end; old_pte++, old_addr += PAGE_SIZE, new_pte++, new_addr += PAGE_SIZE) {
		pte = ptep_get_and_clear(mm, old_addr, old_pte);
		set_pte_at(mm, new_addr, new_pte, pte);
	}
	if (new_ptl != old_ptl)
		spin_unlock(new_ptl);
	pte_unmap_unlock(old_pte - 1, old_ptl);
	if (need_rmap_locks)
		drop_rmap_locks(vma);
	return 0;
}

SYSCALL_DEFINE2(mremapnow, unsigned long, addr, unsigned long, len)
{
	struct vm_area_struct *vma;

	if (mmap_write_lock_killable(current->mm))
		return -EINTR;
	vma = find_vma(current->mm, addr);
	move_ptes(vma, NULL, addr, addr + len, NULL, addr, true);
	mmap_write_unlock(current->mm);
	return 0;
}
