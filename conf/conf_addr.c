#include "conf_addr.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/parse.h"

/* Where the port part starts (after its ':'), or NULL when there is none:
 * "[v6]:p", "v4:p"; a bare IPv6 literal has no port. */
static const char *port_part(const char *s)
{
	const char *c;

	if (s[0] == '[') {
		c = strchr(s, ']');
		return c && c[1] == ':' ? c + 2 : NULL;
	}
	c = strchr(s, ':');
	if (!c || strchr(c + 1, ':'))
		return NULL;
	return c + 1;
}

static int number(const char *s, const char *end, long min, long max, long *out)
{
	char *e;
	long v;

	if (s == end || !isdigit((unsigned char)*s) || end - s > 6)
		return -EINVAL;
	v = strtol(s, &e, 10);
	if (e != end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Parses the host alone, with port 0. */
static int host_only(const char *s, size_t hl, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	char buf[80];

	if (hl == 0 || hl + 3 > sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, hl);
	buf[hl] = '\0';
	return parse_sockaddr(buf, ss, len, true);
}

int conf_addr_bind(const char *s, struct sockaddr_storage *ss, socklen_t *len,
		   int *lo, int *hi)
{
	const char *p = port_part(s), *dash;
	long a, b;

	if (!p)
		return -EINVAL;
	dash = strchr(p, '-');
	if (number(p, dash ? dash : p + strlen(p), 1, 65535, &a) < 0)
		return -EINVAL;
	b = a;
	if (dash &&
	    number(dash + 1, dash + 1 + strlen(dash + 1), 1, 65535, &b) < 0)
		return -EINVAL;
	if (host_only(s, (size_t)(p - 1 - s), ss, len) < 0)
		return -EINVAL;
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)a);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)a);
	*lo = (int)a;
	*hi = (int)b;
	if (b < a)
		return -ERANGE;
	if (b - a + 1 > CONF_BIND_RANGE_MAX)
		return -E2BIG;
	return 0;
}

int conf_addr_server(const char *s, struct sockaddr_storage *ss, socklen_t *len,
		     bool *follow, int *offset)
{
	const char *p = port_part(s);
	long v;

	*follow = false;
	*offset = 0;
	if (!p) {
		if (parse_sockaddr(s, ss, len, true) < 0)
			return -EINVAL;
		*follow = true;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return parse_sockaddr(s, ss, len, false) < 0 ? -EINVAL : 0;
	if (number(p + 1, p + strlen(p), 0, 65534, &v) < 0 ||
	    host_only(s, (size_t)(p - 1 - s), ss, len) < 0)
		return -EINVAL;
	*follow = true;
	*offset = *p == '-' ? -(int)v : (int)v;
	return 0;
}

int conf_addr_follow_port(int lport, int offset)
{
	int p = lport + offset;

	return p >= 1 && p <= 65535 ? p : -1;
}
