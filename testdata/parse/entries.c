/* Definition macros: SYSCALL_DEFINEn, COMPAT_SYSCALL_DEFINEn, BPF_CALL_n
 * define entry points. */

SYSCALL_DEFINE0(getnothing)
{
	return 0;
}

SYSCALL_DEFINE3(lockrange, unsigned long, start, size_t, len,
		const char __user *, name)
{
	struct mm_struct *mm = current->mm;

	if (mmap_write_lock_killable(mm))
		return -EINTR;
	mm->locked_vm += len >> PAGE_SHIFT;
	mmap_write_unlock(mm);
	return 0;
}

COMPAT_SYSCALL_DEFINE2(lockrange32, compat_ulong_t, start, compat_size_t, len)
{
	return ksys_lockrange(start, len, NULL);
}

BPF_CALL_2(bpf_peek, struct bpf_map *, map, void *, key)
{
	return (unsigned long) map->ops->lookup(map, key);
}

/* A file-level macro without a semicolon must not swallow what follows. */
NOKPROBE_SYMBOL(bpf_peek)

STATIC int
helper_after_macro(int x)
{
	return x + 1;
}
