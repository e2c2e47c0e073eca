/* Two walks with the same iterator macro in one function: the first
 * one's end says nothing of the second, whose body runs as well. */
struct zone { spinlock_t lock; int nr_free; const char *name; };
void show_zone(struct zone *z);

void show_zones(void)
{
	struct zone *zone;
	unsigned long total = 0;

	for_each_populated_zone(zone)
		total += zone->nr_free;

	for_each_populated_zone(zone) {
		spin_lock(&zone->lock);
		msleep(1); /* want "sleep-under-spinlock" */
		show_zone(zone);
		spin_unlock(&zone->lock);
	}
}

/* the same with the sleep outside the lock: quiet */
void show_zones_fixed(void)
{
	struct zone *zone;
	unsigned long total = 0;

	for_each_populated_zone(zone)
		total += zone->nr_free;

	for_each_populated_zone(zone) {
		msleep(1);
		spin_lock(&zone->lock);
		show_zone(zone);
		spin_unlock(&zone->lock);
	}
}
