#include "httpreq.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Finds the end of the head: "\r\n\r\n" or a bare "\n\n". */
static const char *head_end(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return buf + i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return buf + i + 3;
	}
	return NULL;
}

/* One line of [p, end), without its CR LF; returns the next line. */
static const char *next_line(const char *p, const char *end, const char **eol)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	if (!nl)
		nl = end;
	*eol = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
	return nl < end ? nl + 1 : end;
}

static bool copy_token(char *dst, size_t size, const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	if (n == 0 || n >= size)
		return false;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return true;
}

static enum httpreq_result parse_request_line(const char *p, const char *eol,
					      struct httpreq *req)
{
	const char *sp1, *sp2, *q;
	size_t vlen;

	sp1 = memchr(p, ' ', (size_t)(eol - p));
	if (!sp1 || !copy_token(req->method, sizeof(req->method), p, sp1))
		return HTTPREQ_BAD;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || sp1[1] != '/')
		return HTTPREQ_BAD;
	vlen = (size_t)(eol - sp2 - 1);
	if (vlen != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    (sp2[8] != '0' && sp2[8] != '1'))
		return HTTPREQ_BAD;
	q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
	if (!copy_token(req->path, sizeof(req->path), sp1 + 1, q ? q : sp2))
		return HTTPREQ_BAD;
	for (q = req->path; *q; q++)
		if ((unsigned char)*q <= ' ' || *q == 127)
			return HTTPREQ_BAD;
	return HTTPREQ_OK;
}

/* RFC 9110 5.6.2: tchar, what a field name is made of */
static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token(const char *p, const char *end)
{
	for (; p < end; p++)
		if (!is_tchar((unsigned char)*p))
			return false;
	return true;
}

/* Where a header we keep goes (NULL: not kept); Content-Length's text
 * goes to clen (24 bytes). */
static char *header_slot(struct httpreq *req, char *clen, const char *name,
			 size_t n, size_t *size)
{
	static const struct {
		const char *name;
		size_t off, size;
	} kept[] = {
	    {"Authorization", offsetof(struct httpreq, auth),
	     sizeof(((struct httpreq *)0)->auth)},
	    {"Host", offsetof(struct httpreq, host),
	     sizeof(((struct httpreq *)0)->host)},
	    {"Origin", offsetof(struct httpreq, origin),
	     sizeof(((struct httpreq *)0)->origin)},
	    {"Referer", offsetof(struct httpreq, referer),
	     sizeof(((struct httpreq *)0)->referer)},
	};
	size_t i;

	if (n == 14 && strncasecmp(name, "Content-Length", 14) == 0) {
		*size = 24;
		return clen;
	}
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (strlen(kept[i].name) == n &&
		    strncasecmp(name, kept[i].name, n) == 0) {
			*size = kept[i].size;
			return (char *)req + kept[i].off;
		}
	return NULL;
}

/* Digits only, at most 9 of them: anything else is a bad request. */
static bool content_length(struct httpreq *req, const char *v)
{
	size_t i, n = strlen(v);

	if (!n)
		return true;
	if (n > 9)
		return false;
	for (i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	req->content_length = strtol(v, NULL, 10);
	return true;
}

enum httpreq_result httpreq_parse(const char *buf, size_t len,
				  struct httpreq *req)
{
	const char *end = head_end(buf, len), *p, *eol;
	char clen[24] = "", *dst;
	const char *seen[8];
	size_t size, n_seen = 0, i;

	memset(req, 0, sizeof(*req));
	req->content_length = -1;
	if (!end)
		return HTTPREQ_MORE;
	if (memchr(buf, '\0', (size_t)(end - buf)))
		return HTTPREQ_BAD;
	p = next_line(buf, end, &eol);
	if (parse_request_line(buf, eol, req) != HTTPREQ_OK)
		return HTTPREQ_BAD;
	while (p < end) {
		const char *line = p, *colon, *v;

		p = next_line(p, end, &eol);
		if (eol == line)
			break; /* the blank line */
		if (*line == ' ' || *line == '\t')
			return HTTPREQ_BAD; /* obsolete folding: RFC 9112 5.2 */
		colon = memchr(line, ':', (size_t)(eol - line));
		/* a space before the colon must be refused (RFC 9112 5.1):
		 * a proxy in front may read the name differently */
		if (!colon || colon == line || !is_token(line, colon))
			return HTTPREQ_BAD;
		dst =
		    header_slot(req, clen, line, (size_t)(colon - line), &size);
		if (!dst)
			continue;
		/* two credentials (or two Hosts): refuse rather than pick */
		for (i = 0; i < n_seen; i++)
			if (seen[i] == dst)
				return HTTPREQ_BAD;
		if (n_seen < sizeof(seen) / sizeof(seen[0]))
			seen[n_seen++] = dst;
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		while (eol > v && (eol[-1] == ' ' || eol[-1] == '\t'))
			eol--;
		if (v < eol && !copy_token(dst, size, v, eol))
			return HTTPREQ_BAD;
	}
	req->head_len = (size_t)(end - buf);
	return content_length(req, clen) ? HTTPREQ_OK : HTTPREQ_BAD;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long httpreq_b64_decode(const char *in, size_t inlen, unsigned char *out,
			size_t outcap)
{
	size_t i, o = 0, pad = 0;
	unsigned acc = 0;

	if (inlen % 4)
		return -1;
	for (i = 0; i < inlen; i++) {
		int v;

		if (in[i] == '=') {
			/* only at the end, at most two */
			if (i < inlen - 2 ||
			    (i == inlen - 2 && in[i + 1] != '='))
				return -1;
			pad++;
			v = 0;
		} else {
			v = b64_value((unsigned char)in[i]);
			if (v < 0)
				return -1;
		}
		acc = acc << 6 | (unsigned)v;
		if (i % 4 == 3) {
			size_t n = 3 - pad, k;

			if (o + n > outcap)
				return -1;
			for (k = 0; k < n; k++)
				out[o++] = (unsigned char)(acc >> (16 - 8 * k));
			acc = 0;
		}
	}
	return (long)o;
}

bool httpreq_secret_equal(const void *a, size_t alen, const void *b,
			  size_t blen)
{
	const unsigned char *x = a, *y = b;
	unsigned char diff = 0;
	size_t i;

	/* always all of b, whatever a holds and wherever they differ */
	for (i = 0; i < blen; i++)
		diff |= (unsigned char)((i < alen ? x[i] : 0) ^ y[i]);
	return diff == 0 && alen == blen;
}

bool httpreq_auth_ok(const char *authorization, const char *userpass)
{
	unsigned char dec[384];
	const char *p;
	long n;

	if (!userpass || !*userpass)
		return true;
	if (!authorization || strncasecmp(authorization, "Basic ", 6) != 0)
		return false;
	for (p = authorization + 6; *p == ' '; p++)
		;
	n = httpreq_b64_decode(p, strlen(p), dec, sizeof(dec));
	if (n < 0)
		return false;
	return httpreq_secret_equal(dec, (size_t)n, userpass, strlen(userpass));
}

const char *stats_base(const char *uri, char *buf, size_t size)
{
	size_t n = strlen(uri);

	snprintf(buf, size, "%s%s", uri, n && uri[n - 1] == '/' ? "" : "/");
	return buf;
}

enum stats_page stats_route(const char *uri, const char *path)
{
	char base[1100];
	size_t n;

	if (strcmp(path, uri) == 0)
		return STATS_PAGE_HTML;
	stats_base(uri, base, sizeof(base));
	n = strlen(base);
	if (strncmp(path, base, n) != 0)
		return STATS_PAGE_NONE;
	if (path[n] == '\0')
		return STATS_PAGE_HTML;
	if (strcmp(path + n, "stats.json") == 0)
		return STATS_PAGE_JSON;
	if (strcmp(path + n, "metrics") == 0)
		return STATS_PAGE_METRICS;
	return STATS_PAGE_NONE;
}
