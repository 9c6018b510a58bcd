#include "check_answer.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *check_status_str(enum check_status st)
{
	switch (st) {
	case CHECK_NONE:
		return "none";
	case CHECK_L4OK:
		return "L4OK";
	case CHECK_L4CON:
		return "L4CON";
	case CHECK_L4TOUT:
		return "L4TOUT";
	case CHECK_L6OK:
		return "L6OK";
	case CHECK_L6RSP:
		return "L6RSP";
	case CHECK_L6TOUT:
		return "L6TOUT";
	case CHECK_L7OK:
		return "L7OK";
	case CHECK_L7STS:
		return "L7STS";
	case CHECK_L7RSP:
		return "L7RSP";
	case CHECK_L7TOUT:
		return "L7TOUT";
	case CHECK_SOCKERR:
		return "SOCKERR";
	}
	return "?";
}

bool check_status_ok(enum check_status st)
{
	return st == CHECK_L4OK || st == CHECK_L6OK || st == CHECK_L7OK;
}

void check_verdict_set(struct check_verdict *v, enum check_status st,
		       const char *fmt, ...)
{
	va_list ap;

	v->st = st;
	v->err = 0;
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
}

/* Up to max printable bytes of s..e into out, for a log line. */
static void printable_copy(char *out, size_t max, const char *s, const char *e)
{
	size_t n = 0;

	for (; s < e && n + 1 < max; s++)
		out[n++] = isprint((unsigned char)*s) ? *s : '?';
	out[n] = '\0';
}

/* "HTTP/1.x DDD reason": the code, or -1. */
static int status_line(const char *s, const char *eol, char *reason,
		       size_t rsize)
{
	int code;

	reason[0] = '\0';
	if (eol - s < 12 || memcmp(s, "HTTP/1.", 7) != 0 ||
	    !isdigit((unsigned char)s[7]) || s[8] != ' ')
		return -1;
	s += 9;
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]) ||
	    (s + 3 < eol && s[3] != ' ' && s[3] != '\r'))
		return -1;
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (code < 100)
		return -1;
	s += 3;
	while (s < eol && *s == ' ')
		s++;
	if (eol > s && eol[-1] == '\r')
		eol--;
	printable_copy(reason, rsize, s, eol);
	return code;
}

/* The end of the header block (after the empty line), or NULL. */
static const char *headers_end(const char *buf, size_t len)
{
	const char *p = buf, *e = buf + len, *nl;

	while ((nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		const char *next = nl + 1;

		if (next < e && *next == '\n')
			return next + 1;
		if (next + 1 < e && next[0] == '\r' && next[1] == '\n')
			return next + 2;
		p = next;
	}
	return NULL;
}

/* The value of header name within [h, e), or NULL (with *vlen). */
static const char *header(const char *h, const char *e, const char *name,
			  size_t *vlen)
{
	size_t n = strlen(name);

	while (h < e) {
		const char *nl = memchr(h, '\n', (size_t)(e - h));
		const char *end = nl ? nl : e;

		if ((size_t)(end - h) > n && h[n] == ':' &&
		    strncasecmp(h, name, n) == 0) {
			const char *v = h + n + 1;

			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == '\r' || end[-1] == ' ' ||
					   end[-1] == '\t'))
				end--;
			*vlen = (size_t)(end - v);
			return v;
		}
		h = nl ? nl + 1 : e;
	}
	return NULL;
}

/* Decodes chunked data into out; returns true when the last chunk was
 * seen. Stops at the first malformed or incomplete chunk. */
static bool dechunk(const char *p, const char *e, char *out, size_t *olen)
{
	*olen = 0;
	while (p < e) {
		char *end;
		unsigned long n;
		const char *nl = memchr(p, '\n', (size_t)(e - p));

		if (!nl || !isxdigit((unsigned char)*p))
			return false;
		n = strtoul(p, &end, 16);
		if (end > nl || n > CHECK_ANSWER_MAX)
			return false;
		p = nl + 1;
		if (n == 0)
			return true;
		if (*olen + n > CHECK_ANSWER_MAX)
			return false;
		if ((size_t)(e - p) < n) {
			n = (size_t)(e - p);
			memcpy(out + *olen, p, n);
			*olen += n;
			return false;
		}
		memcpy(out + *olen, p, n);
		*olen += n;
		p += n;
		if (p < e && *p == '\r')
			p++;
		if (p < e && *p == '\n')
			p++;
	}
	return false;
}

static enum check_judge judge_body(const char *hdr, const char *body,
				   const char *e, bool end, int code,
				   const struct conf_check_app *a,
				   struct check_verdict *v)
{
	char dec[CHECK_ANSWER_MAX];
	const char *b = body, *te, *cl;
	size_t blen = (size_t)(e - body), telen = 0, cllen = 0;
	bool complete = false;

	te = header(hdr, body, "Transfer-Encoding", &telen);
	cl = header(hdr, body, "Content-Length", &cllen);
	if (te && telen >= 7 &&
	    strncasecmp(te + telen - 7, "chunked", 7) == 0) {
		complete = dechunk(body, e, dec, &blen);
		b = dec;
	} else if (cl && cllen > 0) {
		size_t n = 0, i;

		for (i = 0; i < cllen && isdigit((unsigned char)cl[i]) &&
			    n <= CHECK_ANSWER_MAX;
		     i++)
			n = n * 10 + (size_t)(cl[i] - '0');
		if (i == cllen && n <= blen) {
			blen = n;
			complete = true;
		}
	}
	if (memmem(b, blen, a->expect_body, strlen(a->expect_body))) {
		check_verdict_set(v, CHECK_L7OK, "status %d, body matched",
				  code);
		return CHECK_DONE;
	}
	if (!complete && !end)
		return CHECK_MORE;
	check_verdict_set(v, CHECK_L7RSP,
			  "body mismatch (status %d, no \"%s\")", code,
			  a->expect_body);
	return CHECK_DONE;
}

enum check_judge check_http_judge(const char *buf, size_t len, bool end,
				  const struct conf_check_app *a,
				  struct check_verdict *v)
{
	const char *eol = memchr(buf, '\n', len), *hend;
	char reason[64];
	int code;

	if (len >= CHECK_ANSWER_MAX)
		end = true;
	if (!eol) {
		if (!end)
			return CHECK_MORE;
		if (len == 0)
			check_verdict_set(v, CHECK_L7RSP,
					  "closed without an answer");
		else
			check_verdict_set(v, CHECK_L7RSP,
					  "no HTTP status line");
		return CHECK_DONE;
	}
	code = status_line(buf, eol, reason, sizeof(reason));
	if (code < 0) {
		printable_copy(reason, 40, buf,
			       eol > buf && eol[-1] == '\r' ? eol - 1 : eol);
		check_verdict_set(v, CHECK_L7RSP, "not an HTTP answer: \"%s\"",
				  reason);
		return CHECK_DONE;
	}
	if (!conf_status_match(&a->expect, code)) {
		check_verdict_set(v, CHECK_L7STS, "status %d%s%s", code,
				  reason[0] ? " " : "", reason);
		return CHECK_DONE;
	}
	if (!a->expect_body[0]) {
		check_verdict_set(v, CHECK_L7OK, "status %d", code);
		return CHECK_DONE;
	}
	hend = headers_end(buf, len);
	if (!hend) {
		if (!end)
			return CHECK_MORE;
		check_verdict_set(v, CHECK_L7RSP,
				  "headers cut short (status %d)", code);
		return CHECK_DONE;
	}
	return judge_body(eol + 1, hend, buf + len, end, code, a, v);
}

int check_http_request(char *out, size_t size, const struct conf_check_app *a,
		       const char *default_host)
{
	int n =
	    snprintf(out, size,
		     "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: "
		     "fwd-check\r\nAccept: */*\r\nConnection: close\r\n\r\n",
		     a->method, a->uri, a->host[0] ? a->host : default_host);

	return n < 0 || (size_t)n >= size ? -1 : n;
}

int check_smtp_reply(const char *buf, size_t len, int *code, size_t *used,
		     bool *starttls)
{
	const char *p = buf, *e = buf + len;
	int first = -1;

	*starttls = false;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *t, *te;
		int c;

		if (!nl)
			return 0;
		if (nl - p < 3 || !isdigit((unsigned char)p[0]) ||
		    !isdigit((unsigned char)p[1]) ||
		    !isdigit((unsigned char)p[2]))
			return -1;
		c = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
		if (c < 200 || c > 599 || (first >= 0 && c != first))
			return -1;
		first = c;
		t = p + 4 <= nl ? p + 4 : nl;
		te = nl > t && nl[-1] == '\r' ? nl - 1 : nl;
		while (te > t && te[-1] == ' ')
			te--;
		if (te - t == 8 && strncasecmp(t, "STARTTLS", 8) == 0)
			*starttls = true;
		if (p + 3 < nl && p[3] == '-') {
			p = nl + 1;
			continue;
		}
		if (p + 3 < nl && p[3] != ' ' && p[3] != '\r')
			return -1;
		*code = c;
		*used = (size_t)(nl + 1 - buf);
		return 1;
	}
	return 0;
}
