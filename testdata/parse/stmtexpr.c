/* GNU statement expressions are parsed on their own and their events
 * appear in the flow where the expression is. */

static int sum_locked(spinlock_t *lock, int *v)
{
	int total = ({
		int t;
		spin_lock(lock);
		t = v[0] + v[1];
		spin_unlock(lock);
		t;
	});

	return total + ({ int inner = ({ get_bias(); }); inner; });
}
