/* Fragments of patches: __locklint_unseen() stands for the lines
 * between two hunks, which the tool did not see. */
struct mm_struct;
struct vm_area_struct { unsigned long vm_start, vm_end; struct mm_struct *vm_mm; };

void vmlist_modify_lock(struct mm_struct *mm);
void vmlist_modify_unlock(struct mm_struct *mm);

/* the write and the lock are in one hunk: the write was not locked */
void frag_same_hunk(struct vm_area_struct *vma, unsigned long end)
{
	vma->vm_end = end; /* want "vma-list-modify" */
	vmlist_modify_lock(vma->vm_mm);
	vmlist_modify_unlock(vma->vm_mm);
}

/* unseen code between the write and the lock may have dropped it */
void frag_two_hunks(struct vm_area_struct *vma, unsigned long end)
{
	vma->vm_end = end;
	__locklint_unseen();
	vmlist_modify_lock(vma->vm_mm);
	vmlist_modify_unlock(vma->vm_mm);
}

/* a lock taken before unseen code is not known to be held after it;
 * a release after a release still is one too many */
void frag_lock_then_unseen(struct vm_area_struct *vma, unsigned long end)
{
	vmlist_modify_lock(vma->vm_mm);
	__locklint_unseen();
	vmlist_modify_unlock(vma->vm_mm);
	vmlist_modify_unlock(vma->vm_mm); /* want "release-unheld" */
}

/* unseen code then a second lock of the same instance: no double-acquire */
void frag_unseen_relock(struct vm_area_struct *vma)
{
	vmlist_modify_lock(vma->vm_mm);
	__locklint_unseen();
	vmlist_modify_lock(vma->vm_mm);
	vmlist_modify_unlock(vma->vm_mm);
}
