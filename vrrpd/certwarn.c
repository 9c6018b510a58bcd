#include "certwarn.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A name as fwd's config allows it: printable, no spaces. */
static int word(const char **p, char *out, size_t size)
{
	size_t n = 0;

	while (**p && **p != ' ') {
		if ((unsigned char)**p <= ' ' || (unsigned char)**p >= 127 ||
		    n + 1 >= size)
			return -1;
		out[n++] = *(*p)++;
	}
	out[n] = '\0';
	if (n == 0)
		return -1;
	if (**p == ' ')
		(*p)++;
	return 0;
}

static int number(const char **p, long long *out, bool last)
{
	char *end;

	if (!**p || **p == ' ')
		return -1;
	errno = 0;
	*out = strtoll(*p, &end, 10);
	if (errno || end == *p || (last ? *end != '\0' : *end != ' '))
		return -1;
	*p = last ? end : end + 1;
	return 0;
}

int certwarn_parse(const char *line, struct certwarn *out, char *why,
		   size_t why_len)
{
	const char *p = line;
	long long days;

	memset(out, 0, sizeof(*out));
	if (strncmp(p, "certwarn ", 9) != 0) {
		snprintf(why, why_len, "not a certwarn line");
		return -EINVAL;
	}
	p += 9;
	if (word(&p, out->listener, sizeof(out->listener)) < 0 ||
	    word(&p, out->server, sizeof(out->server)) < 0 ||
	    number(&p, &days, false) < 0 ||
	    number(&p, &out->not_after, true) < 0 || days < -100000 ||
	    days > 100000 || out->not_after < 0) {
		snprintf(why, why_len,
			 "certwarn: expected 'certwarn LISTENER SERVER DAYS "
			 "NOT_AFTER'");
		return -EINVAL;
	}
	out->days = (long)days;
	return 0;
}
