/*
 * Rise/fall counting, pure: `rise` successes in a row bring a down state
 * up, `fall` failures in a row take an up state down (HAProxy's and
 * keepalived's meaning). fwd's server health and vrrpd's track scripts
 * both count this way.
 */
#ifndef COMMON_RISEFALL_H
#define COMMON_RISEFALL_H

#include <stdbool.h>

struct risefall {
	bool up;
	int streak; /* consecutive results that contradict `up` */
};

void risefall_init(struct risefall *rf, bool up);

/*
 * Feeds one result; rise and fall come from the (reloadable) config.
 * Returns true when rf->up flipped.
 */
bool risefall_step(struct risefall *rf, bool ok, int rise, int fall);

#endif
