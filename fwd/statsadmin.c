#include "statsadmin.h"

#include <stdio.h>
#include <string.h>

#include "../common/parse.h"
#include "httpreq.h"

const char *statsadmin_token_new(struct statsadmin *a, const uint8_t rnd[16],
				 int64_t now_ms)
{
	struct statsadmin_token *t = &a->t[a->next];
	int i;

	a->next = (a->next + 1) % STATSADMIN_TOKENS;
	for (i = 0; i < 16; i++)
		snprintf(t->hex + 2 * i, 3, "%02x", rnd[i]);
	t->expire_ms = now_ms + STATSADMIN_TOKEN_MS;
	return t->hex;
}

bool statsadmin_token_take(struct statsadmin *a, const char *tok,
			   int64_t now_ms)
{
	bool found = false;
	int i;

	if (strlen(tok) != STATSADMIN_TOKEN_LEN)
		return false;
	/* every slot compared in constant time: no early exit on a match */
	for (i = 0; i < STATSADMIN_TOKENS; i++) {
		struct statsadmin_token *t = &a->t[i];
		bool eq = httpreq_secret_equal(tok, STATSADMIN_TOKEN_LEN,
					       t->hex, STATSADMIN_TOKEN_LEN);

		if (eq && t->expire_ms > now_ms) {
			t->expire_ms = 0;
			found = true;
		}
	}
	return found;
}

/* "http://HOST" or "https://HOST", then end (Origin) or '/' (Referer). */
static bool same_site(const char *url, const char *host, bool path_ok)
{
	size_t hl = strlen(host);

	if (strncmp(url, "http://", 7) == 0)
		url += 7;
	else if (strncmp(url, "https://", 8) == 0)
		url += 8;
	else
		return false;
	if (!hl || strncmp(url, host, hl) != 0)
		return false;
	return url[hl] == '\0' || (path_ok && url[hl] == '/');
}

bool statsadmin_origin_ok(const char *origin, const char *referer,
			  const char *host)
{
	if (!host[0])
		return false;
	if (origin[0])
		return same_site(origin, host, false);
	return referer[0] && same_site(referer, host, true);
}

/* URL-decodes [p, end) into dst; -1 if bad or too long. */
static int decode(const char *p, const char *end, char *dst, size_t size)
{
	size_t n = 0;

	for (; p < end; p++) {
		char c = *p;

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (end - p < 3 || (hi = parse_hexdigit(p[1])) < 0 ||
			    (lo = parse_hexdigit(p[2])) < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			p += 2;
		}
		if (c == '\0' || n + 1 >= size)
			return -1;
		dst[n++] = c;
	}
	dst[n] = '\0';
	return 0;
}

int statsadmin_form_parse(const char *body, size_t len,
			  struct statsadmin_form *f)
{
	char action[16] = "";
	const struct {
		const char *name;
		char *dst;
		size_t size;
	} fields[] = {
	    {"token", f->token, sizeof(f->token)},
	    {"listen", f->listen, sizeof(f->listen)},
	    {"server", f->server, sizeof(f->server)},
	    {"action", action, sizeof(action)},
	};
	const char *p = body, *end = body + len;
	unsigned seen = 0;
	size_t i;

	memset(f, 0, sizeof(*f));
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));

		if (!eq)
			return -1;
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			if ((size_t)(eq - p) != strlen(fields[i].name) ||
			    memcmp(p, fields[i].name, (size_t)(eq - p)) != 0)
				continue;
			if (decode(eq + 1, stop, fields[i].dst,
				   fields[i].size) < 0)
				return -1;
			seen |= 1u << i;
		}
		p = amp ? amp + 1 : end;
	}
	if (seen != 15 || !f->listen[0] || !f->server[0])
		return -1;
	if (strcmp(action, "enable") == 0)
		f->action = STATSADMIN_ENABLE;
	else if (strcmp(action, "disable") == 0)
		f->action = STATSADMIN_DISABLE;
	else if (strcmp(action, "drain") == 0)
		f->action = STATSADMIN_DRAIN;
	else
		return -1;
	return 0;
}

const char *statsadmin_action_str(enum statsadmin_action a)
{
	switch (a) {
	case STATSADMIN_ENABLE:
		return "enable";
	case STATSADMIN_DISABLE:
		return "disable";
	case STATSADMIN_DRAIN:
		return "drain";
	}
	return "?";
}
