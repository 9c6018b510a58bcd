#include "mailbackoff.h"

int64_t mailbackoff_next(unsigned *restarts, int64_t ran_ms)
{
	int64_t delay = MAILBACKOFF_MIN_MS;
	unsigned i;

	if (ran_ms >= MAILBACKOFF_STABLE_MS)
		*restarts = 0;
	for (i = 0; i < *restarts && delay < MAILBACKOFF_MAX_MS; i++)
		delay *= 2;
	if (delay > MAILBACKOFF_MAX_MS)
		delay = MAILBACKOFF_MAX_MS;
	(*restarts)++;
	return delay;
}
