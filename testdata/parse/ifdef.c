/* Preprocessor conditionals: around whole statements they are branches of
 * the CFG; when they split an if/else chain, the function is read again in
 * one configuration. */

static void maybe_flush(struct mm_struct *mm)
{
#ifdef CONFIG_FLUSH_EARLY
	flush_early(mm);
#else
	flush_late(mm);
#endif
	done(mm);
}

static unsigned char *pick_base(struct info *sbi, int type)
{
	if (type == 1)
		return (unsigned char *)&sbi->one;
#ifdef CONFIG_TWO
	else if (type == 2)
		return (unsigned char *)&sbi->two;
#endif
	else if (type == 3)
		return (unsigned char *)&sbi->three;
	return NULL;
}

static int after_pick(int x)
{
	return x;
}
