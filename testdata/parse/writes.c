/* Stores: assignments, compound assignments, ++/--, through pointers, to
 * nested fields and elements, and the store macros. */

struct counter {
	spinlock_t lock;
	struct vm_area_struct *vma;
	unsigned long hits;
};

static void stores(struct vm_area_struct *vma, struct counter *c, unsigned long *p)
{
	unsigned long start;

	start = vma->vm_start;
	vma->vm_end = start + PAGE_SIZE;
	vma->vm_flags &= ~VM_LOCKED;
	c->hits++;
	--c->vma->vm_pgoff;
	c->vma->vm_mm->map_count = 0;
	*p = 1;
	p[2] = 3;
	WRITE_ONCE(vma->vm_flags, 0);
	rcu_assign_pointer(c->vma, NULL);
	smp_store_release(&c->hits, 5);
	(*c).hits = 7;
}
