/* A list macro whose lines carry comments before their continuations,
 * as drivers write flag tables: the definitions after it are code. */
#define COLOR_LIST					\
	col(RED)	/* the first one */		\
	col(GREEN)	/* isn't it? */			\
	col(BLUE)	/* a comment that goes
			   on over two lines */		\

#define col(c)	c##_IDX,
enum colors { COLOR_LIST };
#undef col

#define ONE_LINE 1 /* a comment that starts here
		      and ends here */

struct box { struct mutex lock; int n; };

static void box_bump(struct box *b)
{
	mutex_lock(&b->lock);
	b->n++;
	mutex_unlock(&b->lock);
}

static int box_read(struct box *b)
{
	return b->n;
}
