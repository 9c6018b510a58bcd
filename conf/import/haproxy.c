/* haproxy.cfg lines and sections to typed structs: global, defaults (as
 * HAProxy inherits them), and the proxies, whose keywords haproxy_proxy.c
 * reads. Pure. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxy_read.h"

#define MAX_WORDS 64

/*
 * HAProxy's words: blanks separate, '\' escapes the next character, '#'
 * starts a comment, "..." and '...' quote (2.x).
 */
static int split_line(const char *p, const char *end, char **words)
{
	int n = 0;

	while (p < end && n < MAX_WORDS) {
		char *w;
		size_t len = 0;
		char quote = 0;

		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p >= end || *p == '#')
			break;
		w = malloc((size_t)(end - p) + 1);
		if (!w)
			break;
		while (p < end &&
		       (quote || (!isspace((unsigned char)*p) && *p != '#'))) {
			if (!quote && (*p == '"' || *p == '\'')) {
				quote = *p++;
				continue;
			}
			if (quote && *p == quote) {
				quote = 0;
				p++;
				continue;
			}
			if (*p == '\\' && quote != '\'' && p + 1 < end) {
				p++;
				w[len++] = *p++;
				continue;
			}
			w[len++] = *p++;
		}
		w[len] = '\0';
		words[n++] = w;
	}
	return n;
}

void hap_msg(struct hap_reader *r, enum imp_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	imp_vmsg(r->d, kind, r->at, fmt, ap);
	va_end(ap);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void proxy_free_fields(struct hap_proxy *p)
{
	size_t i;

	free(p->name);
	for (i = 0; i < p->n_binds; i++)
		free(p->binds[i].host);
	free(p->binds);
	free(p->balance);
	for (i = 0; i < p->n_servers; i++) {
		free(p->servers[i].name);
		free(p->servers[i].host);
	}
	free(p->servers);
	free(p->backend);
	free(p->check_arg);
	free(p->check_expect);
	free(p->stats.uri);
	free(p->stats.auth);
	free(p->stats.realm);
}

static void defaults_reset(struct hap_proxy *d)
{
	proxy_free_fields(d);
	memset(d, 0, sizeof(*d));
	d->kind = HAP_DEFAULTS;
	d->name = strdup("defaults");
	d->stick_expire_ms = d->stick_size = -1;
	d->retries = -1;
	d->t.connect = d->t.client = d->t.server = d->t.tunnel = d->t.check =
	    -1;
	d->defsrv.weight = 1;
	d->defsrv.inter_ms = 2000;
	d->defsrv.rise = 2;
	d->defsrv.fall = 3;
}

/* A new proxy starts as a copy of the defaults in force (HAProxy). */
static struct hap_proxy *proxy_new(struct hap_reader *r, enum hap_kind kind,
				   const char *name)
{
	struct hap_conf *c = r->c;
	struct hap_proxy *v =
	    realloc(c->proxies, (c->n_proxies + 1) * sizeof(*v));
	struct hap_proxy *p;

	if (!v)
		return NULL;
	c->proxies = v;
	p = &c->proxies[c->n_proxies++];
	*p = r->defaults;
	p->kind = kind;
	p->name = strdup(name);
	p->at = r->at;
	p->binds = NULL;
	p->n_binds = 0;
	p->servers = NULL;
	p->n_servers = 0;
	p->backend = NULL;
	p->balance = dup_or_null(r->defaults.balance);
	p->check_arg = dup_or_null(r->defaults.check_arg);
	p->check_expect = dup_or_null(r->defaults.check_expect);
	p->stats.uri = dup_or_null(r->defaults.stats.uri);
	p->stats.auth = dup_or_null(r->defaults.stats.auth);
	p->stats.realm = dup_or_null(r->defaults.stats.realm);
	p->defsrv.name = p->defsrv.host = NULL;
	return p;
}

static void global_line(struct hap_reader *r, char **w, int n)
{
	struct hap_conf *c = r->c;
	const char *k = w[0];
	long v;

	if (strcmp(k, "maxconn") == 0) {
		if (hap_word_long(r, w, n, 1, 1, 1000000, &v)) {
			c->maxconn = v;
			c->maxconn_at = r->at;
		}
	} else if ((strcmp(k, "user") == 0 || strcmp(k, "group") == 0) &&
		   n > 1) {
		char **dst = k[0] == 'u' ? &c->user : &c->group;

		free(*dst);
		*dst = strdup(w[1]);
		c->user_at = r->at;
	} else if (strcmp(k, "uid") == 0 || strcmp(k, "gid") == 0) {
		hap_msg(r, IMP_WARNING,
			"%s not carried: fwd's user and group are names; write "
			"user/group",
			k);
	} else if (strcmp(k, "chroot") == 0) {
		hap_msg(r, IMP_WARNING,
			"chroot not carried: fwd runs in the sandbox of "
			"fwd.service (ProtectSystem, no capabilities) instead");
	} else if (strcmp(k, "daemon") == 0 || strcmp(k, "pidfile") == 0 ||
		   strcmp(k, "nbproc") == 0 || strcmp(k, "nbthread") == 0) {
		hap_msg(
		    r, IMP_NOTE,
		    "%s: nothing to carry: fwd is one process under systemd, "
		    "in the foreground",
		    k);
	} else if (strcmp(k, "stats") == 0) {
		hap_msg(r, IMP_NOTE,
			"stats %s: nothing to carry: fwd's control socket "
			"(forwarder.control_socket, vrrpctl) serves stats and "
			"server commands",
			n > 1 ? w[1] : "");
	} else if (strcmp(k, "ulimit-n") == 0) {
		hap_msg(r, IMP_NOTE,
			"ulimit-n: nothing to carry: fwd raises its open files "
			"limit to fit maxconn (fwd.service: LimitNOFILE)");
	} else if (strcmp(k, "log") == 0 || strcmp(k, "log-tag") == 0 ||
		   strcmp(k, "log-send-hostname") == 0) {
		hap_msg(
		    r, IMP_NOTE,
		    "%s: nothing to carry: fwd logs to stderr (the journal) "
		    "or syslog with -l",
		    k);
	} else {
		hap_msg(r, IMP_WARNING,
			"global %s not carried: fwd has no such setting", k);
	}
}

static void section_start(struct hap_reader *r, char **w, int n)
{
	const char *k = w[0];
	enum hap_kind kind;

	r->cur = NULL;
	if (strcmp(k, "global") == 0) {
		r->sec = SEC_GLOBAL;
		return;
	}
	if (strcmp(k, "defaults") == 0) {
		/* a new defaults section starts from HAProxy's own
		 * defaults, not from the previous one */
		r->sec = SEC_DEFAULTS;
		defaults_reset(&r->defaults);
		r->defaults.at = r->at;
		r->cur = &r->defaults;
		if (n > 1)
			hap_msg(r, IMP_NOTE,
				"defaults %s: named defaults are read as the "
				"defaults of the proxies below them",
				w[1]);
		return;
	}
	if (strcmp(k, "listen") == 0)
		kind = HAP_LISTEN;
	else if (strcmp(k, "frontend") == 0)
		kind = HAP_FRONTEND;
	else if (strcmp(k, "backend") == 0)
		kind = HAP_BACKEND;
	else {
		r->sec = SEC_OTHER;
		hap_msg(r, IMP_WARNING,
			"section %s%s%s not carried: fwd has no "
			"such section",
			k, n > 1 ? " " : "", n > 1 ? w[1] : "");
		return;
	}
	if (n < 2) {
		r->sec = SEC_OTHER;
		hap_msg(r, IMP_WARNING, "%s without a name; ignored", k);
		return;
	}
	r->sec = SEC_PROXY;
	r->cur = proxy_new(r, kind, w[1]);
	/* 1.x: "listen NAME ADDR:PORT[,...]" */
	if (r->cur && n > 2 && kind != HAP_BACKEND)
		hap_add_binds(r, r->cur, w[2]);
}

static bool is_section(const char *k)
{
	static const char *const s[] = {
	    "global",  "defaults", "listen",	     "frontend",
	    "backend", "userlist", "peers",	     "resolvers",
	    "mailers", "program",  "http-errors",    "ring",
	    "cache",   "fcgi-app", "namespace_list", NULL};
	size_t i;

	for (i = 0; s[i]; i++)
		if (strcmp(k, s[i]) == 0)
			return true;
	return false;
}

struct hap_conf *hap_parse(const char *text, size_t len, const char *file,
			   struct conf_diag *diag)
{
	struct hap_reader r = {.d = diag};
	const char *p = text, *end = text + len;

	r.c = calloc(1, sizeof(*r.c));
	if (!r.c)
		return NULL;
	defaults_reset(&r.defaults);
	r.defaults.mode = HAP_MODE_TCP;
	imp_strv_push(&r.c->files, file);
	r.at.file = r.c->files.n ? r.c->files.v[0] : "-";
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char *w[MAX_WORDS];
		int n, i;

		if (!eol)
			eol = end;
		r.at.line++;
		n = split_line(p, eol, w);
		if (n > 0) {
			if (is_section(w[0]))
				section_start(&r, w, n);
			else if (r.sec == SEC_GLOBAL)
				global_line(&r, w, n);
			else if (r.cur)
				hap_proxy_line(&r, r.cur, w, n);
			else if (r.sec == SEC_NONE)
				hap_msg(&r, IMP_WARNING,
					"'%s' outside any section; ignored",
					w[0]);
		}
		for (i = 0; i < n; i++)
			free(w[i]);
		p = eol + 1;
	}
	proxy_free_fields(&r.defaults);
	return r.c;
}

const struct hap_proxy *hap_find(const struct hap_conf *c, enum hap_kind kind,
				 const char *name)
{
	size_t i;

	for (i = 0; i < c->n_proxies; i++)
		if (c->proxies[i].kind == kind &&
		    strcmp(c->proxies[i].name, name) == 0)
			return &c->proxies[i];
	return NULL;
}

void hap_conf_free(struct hap_conf *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n_proxies; i++)
		proxy_free_fields(&c->proxies[i]);
	free(c->proxies);
	free(c->user);
	free(c->group);
	imp_strv_free(&c->files);
	free(c);
}
