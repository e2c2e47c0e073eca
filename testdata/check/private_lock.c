/* A lock the file keeps to itself (static): no caller elsewhere can name
 * it to drop it, so a function that returns it held on some paths leaks
 * it there, whatever the value tells the paths apart. */
struct job { int state, flags; };
bool job_ready(struct job *j);
void job_kick(struct job *j);

static DEFINE_SPINLOCK(queue_lock);

bool queue_job(struct job *j)
{
	unsigned long flags;

	spin_lock_irqsave(&queue_lock, flags);
	if (!job_ready(j))
		return false; /* want "lock-balance error" */
	job_kick(j);
	spin_unlock_irqrestore(&queue_lock, flags);
	return true;
}

/* a lock other files share: it may be the caller's to drop, as the value
 * says (quiet) */
extern spinlock_t shared_lock;

bool claim_job(struct job *j)
{
	spin_lock(&shared_lock);
	if (!job_ready(j))
		return false;
	job_kick(j);
	spin_unlock(&shared_lock);
	return true;
}

/* static, but the file hands it out and takes it back: begin/end are an
 * interface its callers use (quiet) */
static DEFINE_MUTEX(table_mutex);

bool table_begin(struct job *j)
{
	mutex_lock(&table_mutex);
	if (j->state)
		return true;
	mutex_unlock(&table_mutex);
	return false;
}

void table_end(void)
{
	mutex_unlock(&table_mutex);
}
