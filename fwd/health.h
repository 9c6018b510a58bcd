/*
 * Health state machine, pure: rise consecutive successes bring a DOWN
 * server UP, fall consecutive failures take an UP server DOWN (HAProxy's
 * and keepalived's meaning). Active checks and passive failures on real
 * traffic feed the same machine.
 */
#ifndef FWD_HEALTH_H
#define FWD_HEALTH_H

#include <stdbool.h>

enum health_change {
	HEALTH_SAME,
	HEALTH_WENT_UP,
	HEALTH_WENT_DOWN,
};

struct health {
	bool up;
	int streak; /* consecutive results that contradict `up` */
};

/* Servers start UP, so traffic flows before the first check. */
void health_init(struct health *h);
enum health_change health_result(struct health *h, bool ok, int rise, int fall);

#endif
