/* Since 6.5 pte_offset_map_lock() may find no page table and return
 * NULL without taking the lock; pte_alloc_map_lock() does so when the
 * table cannot be allocated. The NULL branch holds nothing; the rest
 * holds the pte lock as before. */

static int count_none(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *pte;
	int n = 0;

	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return -EAGAIN;
	if (pte_none(*pte))
		n = 1;
	pte_unmap_unlock(pte, ptl);
	return n;
}

static void clear_one(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *start;

	start = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!start)
		return;
	set_pte_at(mm, addr, start, __pte(0));
	pte_unmap_unlock(start, ptl);
}

static int install_one(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, pte_t val)
{
	spinlock_t *ptl;
	pte_t *pte;

	pte = pte_alloc_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return -ENOMEM;
	if (!pte_none(*pte))
		return -EBUSY; /* want "lock-balance error" */
	set_pte_at(mm, addr, pte, val);
	pte_unmap_unlock(pte, ptl);
	return 0;
}

/* the 6.1 shape: the result is not tested, the lock is held */
static void clear_old(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *pte;

	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	set_pte_at(mm, addr, pte, __pte(0));
	pte_unmap_unlock(pte, ptl);
	pte_unmap_unlock(pte, ptl); /* want "release-unheld error" */
}

/* a NULL table is not a reason to unlock */
static void clear_null_unlock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *pte;

	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte) {
		pte_unmap_unlock(pte, ptl); /* want "release-unheld error" */
		return;
	}
	set_pte_at(mm, addr, pte, __pte(0));
	pte_unmap_unlock(pte, ptl);
}

/* the lock call inside the value stored (apply_to_pte_range) */
static int apply_one(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, bool create)
{
	spinlock_t *ptl;
	pte_t *pte;

	if (!create)
		return 0;
	pte = (mm == &init_mm) ? pte_alloc_kernel(pmd, addr) :
		pte_alloc_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return -ENOMEM;
	set_pte_at(mm, addr, pte, __pte(0));
	if (mm != &init_mm)
		pte_unmap_unlock(pte, ptl);
	return 0;
}
