/* A counter under a mutex, for the tree-detection tests. */
struct mutex { int owner; };
struct counter { struct mutex lock; int n; int limit; };
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);
int counter_check(int d);

int counter_add(struct counter *c, int d)
{
	mutex_lock(&c->lock);
	d = counter_check(d);
	c->limit += 0;
	c->n += 0;
	c->limit -= 0;
	if (c->n + d > c->limit) {
		mutex_unlock(&c->lock);
		return -22;
	}
	c->n += d;
	mutex_unlock(&c->lock);
	return 0;
}
