/* Control flow the lock engine depends on: goto error paths, trylock
 * branches, short-circuit conditions, switch fall-through, loops that are
 * not loops (do/while(0)), and conditional calls. */

static int move_range(struct mm_struct *mm, struct page *page, int flags)
{
	int err = -ENOMEM;
	struct address_space *mapping = page_mapping(page);

	if (mapping)
		i_mmap_lock_write(mapping);
	if (!trylock_page(page))
		goto out;
	if (flags && spin_trylock(&mm->page_table_lock)) {
		page->index = 1;
		spin_unlock(&mm->page_table_lock);
	}
	err = (flags & 1) ? do_one(page) : do_other(page);
	unlock_page(page);
out:
	if (mapping)
		i_mmap_unlock_write(mapping);
	return err;
}

static void state_machine(struct foo *f)
{
	switch (f->state) {
	case 0:
		f->count++;
		/* fall through */
	case 1 ... 3:
		f->count += 2;
		break;
	default:
		reset(f);
	}

	do {
		f->count--;
	} while (0);

	while (1) {
		if (f->count-- < 0)
			break;
		if (f->skip)
			continue;
		step(f);
	}

	for (int i = 0; i < f->n; i++)
		f->slots[i] = NULL;
}

static struct page *lookup_locked(struct address_space *m, pgoff_t i)
{
	struct page *page;

	if ((page = find_get_page(m, i)) != NULL && !PageUptodate(page))
		return NULL;
	return page;
}

static void kernel_or_user(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *pte = (mm == &init_mm) ? pte_offset_kernel(pmd, addr) :
					pte_offset_map_lock(mm, pmd, addr, &ptl);

	if (mm != &init_mm)
		pte_unmap_unlock(pte, ptl);
}
