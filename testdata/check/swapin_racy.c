/* do_swap_page before the fix in seed 004: the KSM copy helper drops the
 * swapcache page's lock, so pte_same() later runs without it; the page is
 * trusted to be in swapcache before it is locked; and PageUptodate is
 * checked only after the copy.
 * Rules: swapin-pte-same-page-lock, swapcache-check-after-lock,
 * uptodate-before-ksm-copy. */

struct page *ksm_might_need_to_copy(struct page *page, struct vm_area_struct *vma, unsigned long address)
{
	struct page *new_page;

	unlock_page(page);	/* any racers will COW it, not modify it */
	new_page = alloc_page_vma(GFP_HIGHUSER_MOVABLE, vma, address);
	if (new_page) {
		copy_user_highpage(new_page, page, address, vma);
		__set_page_locked(new_page);
	}
	page_cache_release(page);
	return new_page;
}

static int do_swap_page(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
			pte_t *page_table, pmd_t *pmd, unsigned int flags, pte_t orig_pte)
{
	spinlock_t *ptl;
	struct page *page;
	swp_entry_t entry;
	pte_t pte;
	int ret = 0;

	entry = pte_to_swp_entry(orig_pte);
	page = lookup_swap_cache(entry);
	if (!page) {
		page = swapin_readahead(entry, GFP_HIGHUSER_MOVABLE, vma, address);
		if (!page)
			return VM_FAULT_OOM;
	}
	if (!PageSwapCache(page)) /* want "swapcache-check-after-lock" */
		goto out_release;
	lock_page(page);
	page = ksm_might_need_to_copy(page, vma, address); /* want "uptodate-before-ksm-copy" */
	if (!page) {
		ret = VM_FAULT_OOM;
		goto out;
	}
	page_table = pte_offset_map_lock(mm, pmd, address, &ptl);
	if (unlikely(!pte_same(*page_table, orig_pte))) /* want "swapin-pte-same-page-lock" */
		goto out_nomap;
	if (unlikely(!PageUptodate(page))) {
		ret = VM_FAULT_SIGBUS;
		goto out_nomap;
	}
	pte = mk_pte(page, vma->vm_page_prot);
	set_pte_at(mm, address, page_table, pte);
	swap_free(entry);
	unlock_page(page);
	pte_unmap_unlock(page_table, ptl);
out:
	return ret;
out_nomap:
	pte_unmap_unlock(page_table, ptl);
	unlock_page(page);
out_release:
	page_cache_release(page);
	return ret;
}
