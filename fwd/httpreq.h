/*
 * The pure half of fwd's status page server: HTTP/1.x request parsing,
 * Basic authentication and routing. No I/O; stats_http.c does that.
 */
#ifndef FWD_HTTPREQ_H
#define FWD_HTTPREQ_H

#include <stdbool.h>
#include <stddef.h>

#define HTTPREQ_MAX 8192 /* whole request head, request line included */

enum httpreq_result {
	HTTPREQ_MORE, /* no blank line yet */
	HTTPREQ_OK,
	HTTPREQ_BAD, /* answer 400 */
};

struct httpreq {
	char method[16];
	char path[1024]; /* without the query string */
	char auth[512];	 /* Authorization value, "" when absent */
	/* for stats.admin's POST (statsadmin.c); "" when absent */
	char host[256], origin[256], referer[512];
	long content_length; /* -1: none */
	size_t head_len;     /* the body starts here */
};

/*
 * Parses a request head from buf[0..len). HTTPREQ_MORE until the blank
 * line arrives; then HTTPREQ_OK with req filled, or HTTPREQ_BAD.
 */
enum httpreq_result httpreq_parse(const char *buf, size_t len,
				  struct httpreq *req);

/*
 * Decodes standard base64 (with padding) into out. Returns the decoded
 * length, or -1 when in is not base64 or out is too small.
 */
long httpreq_b64_decode(const char *in, size_t inlen, unsigned char *out,
			size_t outcap);

/* Constant-time comparison: the time depends only on blen (the secret's). */
bool httpreq_secret_equal(const void *a, size_t alen, const void *b,
			  size_t blen);

/*
 * Checks an Authorization value ("Basic base64(user:password)") against
 * "user:password". NULL or "" userpass means no authentication.
 */
bool httpreq_auth_ok(const char *authorization, const char *userpass);

enum stats_page {
	STATS_PAGE_NONE,
	STATS_PAGE_HTML,
	STATS_PAGE_JSON,
	STATS_PAGE_METRICS,
};

/*
 * Which page path asks for, given the configured uri: uri itself (and
 * uri + "/") is the HTML page; base + "stats.json" and base + "metrics"
 * the others, where base is uri with a trailing '/'.
 */
enum stats_page stats_route(const char *uri, const char *path);
/* uri with a trailing '/', into buf. */
const char *stats_base(const char *uri, char *buf, size_t size);

#endif
