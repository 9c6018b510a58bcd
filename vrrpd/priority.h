/*
 * Effective priority from the configured one and the trackers (scripts,
 * interfaces, the forwarder), with keepalived's rules. Pure.
 */
#ifndef VRRPD_PRIORITY_H
#define VRRPD_PRIORITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum track_kind { TRACK_SCRIPT, TRACK_IFACE, TRACK_FORWARDER };

const char *track_kind_str(enum track_kind k);

struct track_term {
	enum track_kind kind;
	const char *name;
	int weight; /* 0: failure means Fault */
	bool ok;
};

/* What one term adds to the priority: a healthy positive weight, or a
 * failed negative one. */
int prio_contribution(const struct track_term *t);

struct prio_result {
	uint8_t priority;
	bool fault;
	const struct track_term *fault_by; /* the first weight-0 failure */
};

/*
 * base + contributions, clamped to 1..254; a failed weight-0 term puts the
 * instance in Fault; priority 255 (the address owner) is never adjusted.
 */
void prio_compute(uint8_t base, const struct track_term *terms, size_t n,
		  struct prio_result *out);

#endif
