/*
 * fwd's certificate expiry warning (issue #14), one line on the
 * forwarder's link, apart from fwdproto.c while that protocol is being
 * reworked:
 *   certwarn LISTENER SERVER DAYS NOT_AFTER
 * e.g. "certwarn web fe01 3 1765000000": the certificate fwd's TLS check
 * saw on web/fe01 expires in 3 days, at Unix time 1765000000. fwd sends
 * it at most once a day per server; vrrpd mails it when alerts are
 * configured and answers {"ok":true,"mailed":true|false}.
 */
#ifndef VRRPD_CERTWARN_H
#define VRRPD_CERTWARN_H

#include <stddef.h>

struct certwarn {
	char listener[64];
	char server[64];
	long days; /* negative: expired */
	long long not_after;
};

/* 0, or -EINVAL with a reason in why. Pure. */
int certwarn_parse(const char *line, struct certwarn *out, char *why,
		   size_t why_len);

#endif
