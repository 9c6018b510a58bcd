/*
 * What a stats page request is answered (docs/stats-page.md): basic auth
 * with its failure log and back-off, the pages, the admin buttons' POST.
 */
#include "stats_client.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "../common/parse.h"
#include "server.h"
#include "stats.h"

/* From the complete head to the last byte of the answer. */
#define ANSWER_TIMEOUT_MS 10000
#define VRRP_WAIT_MS	  300 /* how long a page waits for vrrpd */

/* A fresh CSRF token for one page load (stats.admin). */
static const char *admin_token(struct stats_http *h)
{
	uint8_t rnd[16];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return NULL; /* no buttons rather than guessable ones */
	return statsadmin_token_new(&h->adm, rnd, h->f->loop.now_ms);
}

/* "user admin from 198.18.0.9:51234", for the log line of an action. */
static void admin_who(const struct stats_client *c, const char *auth, char *buf,
		      size_t len)
{
	unsigned char up[400];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char addr[80] = "?", *colon;
	long n = -1;

	if (strncmp(auth, "Basic ", 6) == 0)
		n = httpreq_b64_decode(auth + 6, strlen(auth + 6), up,
				       sizeof(up) - 1);
	up[n > 0 ? n : 0] = '\0';
	colon = strchr((char *)up, ':');
	if (colon)
		*colon = '\0';
	if (getpeername(c->io.fd, (struct sockaddr *)&ss, &sl) == 0)
		sockaddr_str((const struct sockaddr *)&ss, addr, sizeof(addr));
	snprintf(buf, len, "stats page (user %.64s from %s)", (char *)up, addr);
}

/*
 * stats.admin: a button's POST. Same site (Origin), a token of a page
 * this server served, then the action through server_admin_by_name(),
 * and 303 back to the page.
 */
static void admin_post(struct stats_client *c, const struct httpreq *req)
{
	static const enum server_admin to_admin[] = {
	    [STATSADMIN_ENABLE] = ADMIN_READY,
	    [STATSADMIN_DISABLE] = ADMIN_MAINT,
	    [STATSADMIN_DRAIN] = ADMIN_DRAIN,
	};
	struct stats_http *h = c->h;
	struct statsadmin_form form;
	char base[1100], path[1200], who[200], err[160], loc[1300];
	const char *body = c->in + req->head_len;
	int rc;

	memset(&form, 0, sizeof(form));
	stats_base(h->f->c->stats.uri, base, sizeof(base));
	snprintf(path, sizeof(path), "%sadmin", base);
	if (strcmp(req->path, path) != 0) {
		stats_http_respond_text(c, "404 Not Found", NULL, "not found");
		return;
	}
	if (!statsadmin_origin_ok(req->origin, req->referer, req->host)) {
		stats_http_respond_text(c, "403 Forbidden", NULL,
					"cross-site request refused");
		return;
	}
	/* the token first: a POST without one is refused as forbidden,
	 * whatever else its form holds */
	rc = req->content_length > 0
		 ? statsadmin_form_parse(body, (size_t)req->content_length,
					 &form)
		 : -1;
	if (!statsadmin_token_take(&h->adm, form.token, h->f->loop.now_ms)) {
		stats_http_respond_text(
		    c, "403 Forbidden", NULL,
		    "missing or stale token; reload the page");
		return;
	}
	if (rc < 0) {
		stats_http_respond_text(c, "400 Bad Request", NULL, "bad form");
		return;
	}
	admin_who(c, req->auth, who, sizeof(who));
	if (!server_admin_by_name(h->f, form.listen, form.server,
				  to_admin[form.action], who, err,
				  sizeof(err))) {
		stats_http_respond_text(c, "404 Not Found", NULL, err);
		return;
	}
	snprintf(loc, sizeof(loc), "Location: %s\r\n", h->f->c->stats.uri);
	stats_http_respond_text(c, "303 See Other", loc, "done");
}

void stats_http_serve_page(struct stats_client *c)
{
	static const char *const types[] = {
	    [STATS_PAGE_HTML] = "text/html; charset=utf-8",
	    [STATS_PAGE_JSON] = "application/json",
	    [STATS_PAGE_METRICS] = "text/plain; version=0.0.4; charset=utf-8",
	};
	struct stats_http *h = c->h;
	struct stats_snap snap;
	struct sbuf body;
	char base[1100];

	sbuf_init(&body);
	if (stats_snap_take(h->f, &snap) < 0) {
		stats_snap_free(&snap);
		sbuf_free(&body);
		stats_http_respond_text(c, "503 Service Unavailable", NULL,
					"out of memory");
		return;
	}
	if (c->page == STATS_PAGE_HTML && h->f->c->stats.admin)
		snap.admin_token = admin_token(h);
	if (c->page == STATS_PAGE_HTML)
		statspage_html(
		    &snap, stats_base(h->f->c->stats.uri, base, sizeof(base)),
		    h->f->c->stats.refresh_ms, &body);
	else if (c->page == STATS_PAGE_JSON) {
		statspage_json(&snap, &body);
		sbuf_puts(&body, "\n");
	} else
		statspage_prom(&snap, &body);
	stats_snap_free(&snap);
	stats_http_respond(c, "200 OK", types[c->page], NULL, &body);
	sbuf_free(&body);
}

/* A token bucket: a burst is logged line by line (fail2ban counts
 * lines), a flood from many sources is not. */
static bool auth_log_allow(struct stats_http *h, int64_t now)
{
	int64_t add = (now - h->log_refill_ms) / LOG_EVERY_MS;

	if (add > 0) {
		h->log_refill_ms += add * LOG_EVERY_MS;
		h->log_tokens = add >= LOG_BURST - h->log_tokens
				    ? LOG_BURST
				    : h->log_tokens + (unsigned)add;
	}
	if (!h->log_tokens) {
		h->log_unlogged++;
		return false;
	}
	h->log_tokens--;
	return true;
}

/*
 * A wrong password: counted against the source (loginguard) and logged
 * in one fixed shape for fail2ban (docs/security.md), at most LOG_BURST
 * lines at once and 10 a second over all sources; a source's own lines
 * are bounded by its back-off, since it gets no password checked while
 * that runs.
 */
static void note_failure(struct stats_client *c)
{
	struct stats_http *h = c->h;
	struct loginguard_verdict v = {.fails = 1};
	unsigned skipped;
	char next[64] = "";

	if (c->has_key)
		loginguard_fail(&h->guard, &c->key, h->f->loop.now_ms, &v);
	if (!auth_log_allow(h, h->f->loop.now_ms))
		return;
	skipped = h->log_unlogged;
	h->log_unlogged = 0;
	if (v.backoff_ms)
		snprintf(next, sizeof(next), ", refused for %lld ms",
			 (long long)v.backoff_ms);
	log_warn("stats: authentication failure from %s (%u in a row%s; "
		 "%u other lines suppressed)",
		 c->addr, v.fails, next, skipped);
}

/* With `auth` set: true to go on, false when it answered 401 or 429. */
static bool auth_pass(struct stats_client *c, const struct httpreq *req)
{
	struct stats_http *h = c->h;
	int64_t wait = 0;
	char extra[64];

	if (c->has_key)
		wait = loginguard_wait(&h->guard, &c->key, h->f->loop.now_ms);
	if (wait > 0) {
		/* refused before the password is even looked at */
		snprintf(extra, sizeof(extra), "Retry-After: %lld\r\n",
			 (long long)((wait + 999) / 1000));
		stats_http_respond_text(
		    c, "429 Too Many Requests", extra,
		    "too many failed logins; try again later");
		return false;
	}
	if (httpreq_auth_ok(req->auth, h->f->c->stats.auth)) {
		if (c->has_key && req->auth[0])
			loginguard_ok(&h->guard, &c->key);
		return true;
	}
	if (req->auth[0])
		note_failure(c); /* no credentials at all is no failure */
	stats_http_respond_text(c, "401 Unauthorized",
				"WWW-Authenticate: Basic realm=\"fwd stats\", "
				"charset=\"UTF-8\"\r\n",
				"authentication required");
	return false;
}

void stats_http_handle(struct stats_client *c, const struct httpreq *req)
{
	struct stats_http *h = c->h;
	const struct conf_fwd_stats *cs = &h->f->c->stats;

	bool post = cs->admin && strcmp(req->method, "POST") == 0;

	h->requests++;
	loop_timer_in(&h->f->loop, &c->timer, ANSWER_TIMEOUT_MS);
	c->head = strcmp(req->method, "HEAD") == 0;
	if (!c->head && !post && strcmp(req->method, "GET") != 0) {
		stats_http_respond_text(c, "405 Method Not Allowed",
					cs->admin ? "Allow: GET, HEAD, POST\r\n"
						  : "Allow: GET, HEAD\r\n",
					"only GET and HEAD");
		return;
	}
	if (cs->auth && *cs->auth && !auth_pass(c, req))
		return;
	if (post) {
		admin_post(c, req);
		return;
	}
	c->page = stats_route(cs->uri, req->path);
	if (c->page == STATS_PAGE_NONE) {
		stats_http_respond_text(c, "404 Not Found", NULL, "not found");
		return;
	}
	if (!vrrplink_status_ask(h->f)) {
		stats_http_serve_page(c);
		return;
	}
	/* a fresh vrrpd status is on its way: answer when it comes */
	c->state = CL_WAIT;
	loop_io_mod(&h->f->loop, &c->io, EPOLLRDHUP);
	if (!loop_timer_armed(&h->wait_timer))
		loop_timer_in(&h->f->loop, &h->wait_timer, VRRP_WAIT_MS);
}
