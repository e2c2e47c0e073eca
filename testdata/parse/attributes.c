/* Attributes and sparse annotations are blanked before parsing; the lock
 * annotations are kept on the function. */

static int __init __must_check setup_area(struct vm_area_struct *vma)
{
	vma->vm_flags |= VM_LOCKED;
	return 0;
}

asmlinkage long __weak __cold old_entry(unsigned long __user *uaddr)
{
	return put_user(0, uaddr);
}

static __always_inline void take_both(struct mm_struct *mm)
	__acquires(&mm->page_table_lock)
	__acquires(mm->mmap_lock)
{
	mmap_write_lock(mm);
	spin_lock(&mm->page_table_lock);
}

static void drop_ptl(struct mm_struct *mm) __releases(&mm->page_table_lock)
{
	spin_unlock(&mm->page_table_lock);
}

static void needs_ptl(struct mm_struct *mm, struct page __rcu *p)
	__must_hold(&mm->page_table_lock)
{
	p->index = 0;
}

int __attribute__((noinline)) __printf(2, 3) log_it(int level, const char *fmt, ...)
{
	return level;
}
