#include "health.h"

void health_init(struct health *h)
{
	h->up = true;
	h->streak = 0;
}

enum health_change health_result(struct health *h, bool ok, int rise, int fall)
{
	if (ok == h->up) {
		h->streak = 0;
		return HEALTH_SAME;
	}
	h->streak++;
	if (h->streak < (h->up ? fall : rise))
		return HEALTH_SAME;
	h->up = ok;
	h->streak = 0;
	return ok ? HEALTH_WENT_UP : HEALTH_WENT_DOWN;
}
