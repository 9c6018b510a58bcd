/*
 * The forwarder's lines to vrrpd (DESIGN.md "Control sockets"), version 1:
 *   hello fwd 1
 *   health LISTENER UP TOTAL BIND[,BIND...]   e.g. health web 2 3
 * 198.18.0.50:443 Parsing only; pure.
 */
#ifndef VRRPD_FWDPROTO_H
#define VRRPD_FWDPROTO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#define FWDPROTO_VERSION   1
#define FWDPROTO_MAX_BINDS 16

struct fwd_health {
	char listener[64];
	unsigned up, total;
	struct in_addr binds[FWDPROTO_MAX_BINDS]; /* IPv4 binds only */
	size_t n_binds;
};

/* "hello fwd N": 0 with *version, or -EINVAL. */
int fwdproto_parse_hello(const char *line, int *version);
/* 0, or -EINVAL with a reason in why. IPv6 binds are accepted and
 * skipped: VRRPv2 VIPs are IPv4. */
int fwdproto_parse_health(const char *line, struct fwd_health *out, char *why,
			  size_t why_len);
/* Whether a listener bound to bind serves the VIP vip: the same address,
 * or the wildcard 0.0.0.0 ("*:443"), which serves every VIP. */
bool fwdproto_bind_serves(struct in_addr bind, struct in_addr vip);

#endif
