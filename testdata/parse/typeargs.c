/* Types and other non-expressions written as macro arguments. */

static void release_obj(struct kref *ref)
{
	struct obj *o = container_of(ref, struct obj, refcount);
	struct page *first = list_first_entry(&o->pages, struct page, lru);
	unsigned long n = min_t(unsigned long, o->nr, 16);
	const size_t sz = max_t(const size_t, o->size, 8);
	typeof(o->nr) copy = n;
	size_t off = offsetof(struct obj, slots[2]);
	static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 10);

	free_obj(o, first, copy, sz, off);
}
