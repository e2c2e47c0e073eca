/* do_swap_page after the fix in seed 004: the original page stays locked
 * (as swapcache) across the KSM copy until after pte_same(); swapcache
 * membership is checked under the page lock; PageUptodate comes first. */

struct page *ksm_does_need_to_copy(struct page *page, struct vm_area_struct *vma, unsigned long address)
{
	struct page *new_page;

	new_page = alloc_page_vma(GFP_HIGHUSER_MOVABLE, vma, address);
	if (new_page) {
		copy_user_highpage(new_page, page, address, vma);
		__set_page_locked(new_page);
	}
	return new_page;
}

static int do_swap_page(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
			pte_t *page_table, pmd_t *pmd, unsigned int flags, pte_t orig_pte)
{
	spinlock_t *ptl;
	struct page *page, *swapcache = NULL;
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
	lock_page(page);
	if (unlikely(!PageSwapCache(page)))
		goto out_page;
	if (unlikely(!PageUptodate(page))) {
		ret = VM_FAULT_SIGBUS;
		goto out_page;
	}
	if (ksm_might_need_to_copy(page, vma, address)) {
		swapcache = page;
		page = ksm_does_need_to_copy(page, vma, address);
		if (unlikely(!page)) {
			ret = VM_FAULT_OOM;
			page = swapcache;
			swapcache = NULL;
			goto out_page;
		}
	}
	page_table = pte_offset_map_lock(mm, pmd, address, &ptl);
	if (unlikely(!pte_same(*page_table, orig_pte)))
		goto out_nomap;
	pte = mk_pte(page, vma->vm_page_prot);
	set_pte_at(mm, address, page_table, pte);
	swap_free(entry);
	unlock_page(page);
	if (swapcache) {
		unlock_page(swapcache);
		page_cache_release(swapcache);
	}
	pte_unmap_unlock(page_table, ptl);
	return ret;
out_nomap:
	pte_unmap_unlock(page_table, ptl);
out_page:
	unlock_page(page);
	page_cache_release(page);
	if (swapcache) {
		unlock_page(swapcache);
		page_cache_release(swapcache);
	}
	return ret;
}
