#include "priority.h"

#include "packet.h"

const char *track_kind_str(enum track_kind k)
{
	switch (k) {
	case TRACK_SCRIPT:
		return "script";
	case TRACK_IFACE:
		return "interface";
	case TRACK_FORWARDER:
		return "forwarder";
	}
	return "?";
}

int prio_contribution(const struct track_term *t)
{
	if (t->weight > 0 && t->ok)
		return t->weight;
	if (t->weight < 0 && !t->ok)
		return t->weight;
	return 0;
}

void prio_compute(uint8_t base, const struct track_term *terms, size_t n,
		  struct prio_result *out)
{
	int p = base;
	size_t i;

	out->fault = false;
	out->fault_by = NULL;
	for (i = 0; i < n; i++) {
		if (terms[i].weight == 0 && !terms[i].ok && !out->fault) {
			out->fault = true;
			out->fault_by = &terms[i];
		}
		p += prio_contribution(&terms[i]);
	}
	if (base == VRRP_PRIO_OWNER)
		p = VRRP_PRIO_OWNER;
	else if (p < 1)
		p = 1;
	else if (p > 254)
		p = 254;
	out->priority = (uint8_t)p;
}
