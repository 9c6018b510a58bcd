#include "risefall.h"

void risefall_init(struct risefall *rf, bool up)
{
	rf->up = up;
	rf->streak = 0;
}

bool risefall_step(struct risefall *rf, bool ok, int rise, int fall)
{
	if (ok == rf->up) {
		rf->streak = 0;
		return false;
	}
	if (++rf->streak < (rf->up ? fall : rise))
		return false;
	rf->up = ok;
	rf->streak = 0;
	return true;
}
