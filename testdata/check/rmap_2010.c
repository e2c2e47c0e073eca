/* Migration and rmap locking, 2.6.34-era shapes (seeds 000, 001, 002).
 * Rules: rmap-walk-anon-vma, vma-adjust-anon-vma, anon-vma-chain-append,
 * migration-page-locked, rmap-lock-before-ptl. */

/* rmap_walk_anon must hold the anon_vma lock while it visits the vmas. */
static int rmap_walk_anon(struct page *page, int (*rmap_one)(struct page *, struct vm_area_struct *, unsigned long, void *), void *arg)
{
	struct anon_vma *anon_vma;
	struct anon_vma_chain *avc;
	int ret = SWAP_AGAIN;

	anon_vma = page_anon_vma(page);
	if (!anon_vma)
		return ret;
	list_for_each_entry(avc, &anon_vma->head, same_anon_vma) {
		struct vm_area_struct *vma = avc->vma;
		unsigned long address = vma_address(page, vma);
		ret = rmap_one(page, vma, address, arg); /* want "rmap-walk-anon-vma" */
		if (ret != SWAP_AGAIN)
			break;
	}
	return ret;
}

static int rmap_walk_ksm(struct page *page, int (*rmap_one)(struct page *, struct vm_area_struct *, unsigned long, void *), void *arg)
{
	struct anon_vma *anon_vma = page_anon_vma(page);
	struct anon_vma_chain *avc;
	int ret = SWAP_AGAIN;

	spin_lock(&anon_vma->lock);
	list_for_each_entry(avc, &anon_vma->head, same_anon_vma) {
		ret = rmap_one(page, avc->vma, avc->vma->vm_start, arg);
		if (ret != SWAP_AGAIN)
			break;
	}
	spin_unlock(&anon_vma->lock);
	return ret;
}

/* vma_adjust changes the bounds under the anon_vma lock when there is an
 * anon_vma: the taken-when-needed shape is fine. */
void vma_adjust(struct vm_area_struct *vma, unsigned long start, unsigned long end, pgoff_t pgoff)
{
	struct anon_vma *anon_vma = NULL;

	if (vma->anon_vma) {
		anon_vma = vma->anon_vma;
		spin_lock(&anon_vma->lock);
	}
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = pgoff;
	if (anon_vma)
		spin_unlock(&anon_vma->lock);
}

/* New vmas go at the tail of the anon_vma list. */
static void anon_vma_chain_link(struct vm_area_struct *vma, struct anon_vma_chain *avc, struct anon_vma *anon_vma)
{
	avc->vma = vma;
	avc->anon_vma = anon_vma;
	list_add(&avc->same_vma, &vma->anon_vma_chain);
	spin_lock(&anon_vma->lock);
	list_add(&avc->same_anon_vma, &anon_vma->head); /* want "anon-vma-chain-append" */
	spin_unlock(&anon_vma->lock);
}

/* Migration keeps the page locked from unmap to remap. */
static int unmap_and_move(struct page *newpage, struct page *page, int force)
{
	int rc = -EAGAIN;

	if (!trylock_page(page)) {
		if (!force)
			goto out;
		lock_page(page);
	}
	try_to_unmap(page, TTU_MIGRATION);
	rc = move_to_new_page(newpage, page);
	unlock_page(page);
	remove_migration_ptes(page, newpage); /* want "migration-page-locked" */
out:
	return rc;
}

/* Lock order: i_mmap, then anon_vma, then the page-table lock. */
static void wrong_order(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, struct anon_vma *anon_vma)
{
	spinlock_t *ptl;
	pte_t *pte = pte_offset_map_lock(mm, pmd, addr, &ptl);

	anon_vma_lock_write(anon_vma); /* want "rmap-lock-before-ptl" "order-inversion" */
	anon_vma_unlock_write(anon_vma);
	pte_unmap_unlock(pte, ptl);
}

static void right_order(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, struct anon_vma *anon_vma)
{
	spinlock_t *ptl;
	pte_t *pte;

	anon_vma_lock_write(anon_vma);
	pte = pte_offset_map_lock(mm, pmd, addr, &ptl); /* want "order-inversion" */
	pte_unmap_unlock(pte, ptl);
	anon_vma_unlock_write(anon_vma);
}
