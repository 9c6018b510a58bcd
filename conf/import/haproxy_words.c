/* The words of a haproxy.cfg keyword line: numbers, times and
 * addresses, each reported at its line when fwd cannot take it. Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxy_read.h"

static bool parse_port(const char *s, int *port)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 1 || v > 65535)
		return false;
	*port = (int)v;
	return true;
}

bool hap_split_addr(const char *s, char **host, int *port)
{
	const char *colon = strrchr(s, ':');
	size_t hl;

	if (!colon || !parse_port(colon + 1, port))
		return false;
	hl = (size_t)(colon - s);
	if (hl == 0 || (hl == 1 && s[0] == '*'))
		*host = strdup("");
	else if (s[0] == '[' && hl >= 2 && s[hl - 1] == ']')
		*host = strndup(s + 1, hl - 2);
	else
		*host = strndup(s, hl);
	return *host != NULL;
}

void hap_add_binds(struct hap_reader *r, struct hap_proxy *p, const char *list)
{
	char *copy = strdup(list), *save = NULL, *one;

	if (!copy)
		return;
	for (one = strtok_r(copy, ",", &save); one;
	     one = strtok_r(NULL, ",", &save)) {
		struct hap_bind *v =
		    realloc(p->binds, (p->n_binds + 1) * sizeof(*v));
		struct hap_bind *b;

		if (!v)
			break;
		p->binds = v;
		b = &p->binds[p->n_binds];
		if (strchr(one, '@') ||
		    !hap_split_addr(one, &b->host, &b->port)) {
			hap_msg(
			    r, IMP_WARNING,
			    "%s: bind '%s' not carried: fwd binds ADDR:PORT "
			    "(no port ranges, sockets or families)",
			    p->name, one);
			continue;
		}
		b->at = r->at;
		p->n_binds++;
	}
	free(copy);
}

bool hap_word_long(struct hap_reader *r, char **w, int n, int i, long min,
		   long max, long *out)
{
	char *end;
	long v;

	if (i >= n) {
		hap_msg(r, IMP_WARNING, "'%s' needs a value; ignored",
			w[i - 1]);
		return false;
	}
	v = strtol(w[i], &end, 10);
	if (end == w[i] || *end || v < min || v > max) {
		hap_msg(r, IMP_WARNING,
			"'%s %s': not a number from %ld to %ld; ignored",
			w[i - 1], w[i], min, max);
		return false;
	}
	*out = v;
	return true;
}

bool hap_word_ms(struct hap_reader *r, char **w, int n, int i, long long *out)
{
	long long v;

	if (i >= n) {
		hap_msg(r, IMP_WARNING, "'%s' needs a time; ignored", w[i - 1]);
		return false;
	}
	v = imp_parse_ms(w[i], 1);
	if (v < 0) {
		hap_msg(
		    r, IMP_WARNING,
		    "'%s %s' is not a time (bare milliseconds or us ms s m h "
		    "d); ignored",
		    w[i - 1], w[i]);
		return false;
	}
	*out = v;
	return true;
}
