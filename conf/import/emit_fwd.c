/* haproxy.cfg's proxies -> the forwarder group that fwd reads */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/parse.h"
#include "../conf_fwd.h"
#include "emit.h"

#define FWD_MAX_STICK	10000000
#define FWD_NOFILE_UNIT 1048576 /* LimitNOFILE in fwd.service */

/* One fwd listen: the proxy clients reach and the one holding servers
 * (the same for a listen section). */
struct svc {
	const struct hap_proxy *front, *back;
};

struct fwd_emit {
	struct imp_out *o;
	const struct hap_conf *hap;
	config_setting_t *fwd, *listens;
	bool have_timeouts;
	struct hap_timeouts t; /* the forwarder's, from the first listen */
	char t_from[CONF_NAME_MAX];
	long maxconn;	  /* the forwarder's */
	int reported[64]; /* lines already told about an inherited item */
	size_t n_reported;
};

/* Inherited settings are reported once, at the line they stand on. */
static bool first_report(struct fwd_emit *e, struct imp_src at, int what)
{
	int key = at.line * 8 + what;
	size_t i;

	for (i = 0; i < e->n_reported; i++)
		if (e->reported[i] == key)
			return false;
	if (e->n_reported < 64)
		e->reported[e->n_reported++] = key;
	return true;
}

/*
 * option httpchk [METH] [URI] [VER] (one word is the URI, none is HAProxy's
 * OPTIONS /) and http-check expect status|string, as the http check's keys.
 */
static void carry_httpchk(struct fwd_emit *e, const struct hap_proxy *b,
			  config_setting_t *c)
{
	char buf[256], *w[4] = {0}, *save = NULL, *t;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", b->check_arg ? b->check_arg : "");
	for (t = strtok_r(buf, " ", &save); t && n < 4;
	     t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	if (n == 1) {
		w[1] = w[0];
		w[0] = "OPTIONS";
	}
	imp_add_str(c, "method", n ? w[0] : "OPTIONS");
	if (n && w[1] && w[1][0] == '/' && !strpbrk(w[1], "\r\n\\"))
		imp_add_str(c, "uri", w[1]);
	else if (n && w[1] && first_report(e, b->check_at, 8))
		imp_msg(e->o->d, IMP_WARNING, b->check_at,
			"option httpchk URI '%s' carried as '/': fwd asks "
			"for a path",
			w[1]);
	if (n > 2 && strchr(w[2], '\\') && first_report(e, b->check_at, 9))
		imp_msg(
		    e->o->d, IMP_NOTE, b->check_at,
		    "option httpchk's extra headers are not carried; fwd "
		    "sends Host (check.host, default the server's address)");
	if (!b->check_expect)
		return;
	snprintf(buf, sizeof(buf), "%s", b->check_expect);
	save = NULL;
	t = strtok_r(buf, " ", &save);
	if (t && strcmp(t, "status") == 0 && save && *save)
		imp_add_str(c, "expect_status", save);
	else if (t && strcmp(t, "string") == 0 && save && *save)
		imp_add_str(c, "expect_body", save);
	else if (first_report(e, b->check_at, 10))
		imp_msg(e->o->d, IMP_WARNING, b->check_at,
			"http-check expect %s not carried: fwd expects a "
			"status (list or range) or a body substring; the "
			"check expects 200-399",
			b->check_expect);
}

/*
 * HAProxy's health-check options, as fwd's check types (fwd/check_*.c):
 * ssl-hello-chk is a real TLS handshake, smtpchk an EHLO, httpchk one
 * request with its expect; the rest (mysql-check, ...) have no fwd
 * counterpart and stay TCP connects, with a warning.
 */
static void carry_check_type(struct fwd_emit *e, const struct hap_proxy *b,
			     config_setting_t *c)
{
	switch (b->check_type) {
	case HAP_CHECK_TCP:
		return;
	case HAP_CHECK_SSL_HELLO:
		imp_add_str(c, "type", "tls");
		return;
	case HAP_CHECK_SMTP:
		imp_add_str(c, "type", "smtp");
		return;
	case HAP_CHECK_HTTP:
		imp_add_str(c, "type", "http");
		carry_httpchk(e, b, c);
		return;
	case HAP_CHECK_OTHER:
		break;
	}
	if (first_report(e, b->check_at, 1))
		imp_msg(e->o->d, IMP_WARNING, b->check_at,
			"option %s not carried: fwd has no such check type "
			"(tcp, tls, http, smtp); %s's servers are checked with "
			"a TCP connect",
			b->check_arg ? b->check_arg : "", b->name);
}

/* "... stats admin if TRUE": fwd's page buttons, which need auth. */
static void carry_stats_admin(struct fwd_emit *e, const struct hap_proxy *p,
			      config_setting_t *s)
{
	if (!p->stats.admin)
		return;
	if (config_setting_get_member(s, "auth"))
		imp_add_bool(s, "admin", true);
	else
		imp_msg(e->o->d, IMP_WARNING, p->stats.admin_at,
			"stats admin not carried: fwd's admin buttons need "
			"stats auth (a page without a password could take "
			"servers out of rotation)");
}

/* "ADDR:PORT" for fwd; host "" binds all addresses as HAProxy did */
static bool addr_str(const char *host, int port, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	if (!host[0])
		host = "0.0.0.0";
	if (strchr(host, ':'))
		snprintf(buf, len, "[%s]:%d", host, port);
	else
		snprintf(buf, len, "%s:%d", host, port);
	return parse_sockaddr(buf, &ss, &sl, false) == 0;
}

static const char *balance_of(struct fwd_emit *e, const struct hap_proxy *b)
{
	int v;

	if (!b->balance || enum_name_value(conf_balance_names, b->balance, &v))
		return b->balance;
	if (first_report(e, b->at, 3))
		imp_msg(e->o->d, IMP_WARNING, b->at,
			"%s: balance %s carried as roundrobin: fwd balances "
			"roundrobin, leastconn or source",
			b->name, b->balance);
	return "roundrobin";
}

/* A server without a port follows the client's (fwd's "ip" form). */
static bool server_addr(const struct hap_server *s, char *buf, size_t len)
{
	if (s->port)
		return addr_str(s->host, s->port, buf, len);
	if (!addr_str(s->host, 1, buf, len))
		return false;
	snprintf(buf, len, strchr(s->host, ':') ? "[%s]" : "%s", s->host);
	return true;
}

static void emit_server(struct fwd_emit *e, config_setting_t *servers,
			const struct hap_proxy *b, const struct hap_server *s,
			int n_ports)
{
	char addr[96], name[CONF_NAME_MAX];
	config_setting_t *g;

	if (!server_addr(s, addr, sizeof(addr))) {
		imp_msg(e->o->d, IMP_WARNING, s->at,
			"server %s: '%s' not carried: fwd connects to "
			"addresses, not host names",
			s->name, s->host);
		return;
	}
	imp_member_name(e->o, servers, s->name, "s", "server", s->at, name);
	g = imp_add_group(servers, name);
	if (!g)
		return;
	imp_out_origin(e->o, g, s->at);
	imp_add_str(g, "address", addr);
	imp_add_int(g, "weight", s->weight);
	if (s->backup)
		imp_add_bool(g, "backup", true);
	if (s->disabled)
		imp_add_bool(g, "disabled", true);
	if (s->send_proxy)
		imp_add_str(g, "send_proxy", "v1");
	if (s->check && !s->port && !s->check_port && n_ports > 1) {
		/* HAProxy refuses or disables it too: no port to check */
		if (first_report(e, s->at, 11))
			imp_msg(
			    e->o->d, IMP_WARNING, s->at,
			    "server %s: check not carried: the server has "
			    "no port and the listen binds several, so there "
			    "is no port to check (HAProxy says so too); add "
			    "'port N' to its check",
			    s->name);
	} else if (s->check) {
		config_setting_t *c = imp_add_group(g, "check");

		if (s->check_port)
			imp_add_int(c, "port", s->check_port);
		imp_add_ms(c, "inter", s->inter_ms < 100 ? 100 : s->inter_ms);
		imp_add_int(c, "rise", s->rise);
		imp_add_int(c, "fall", s->fall);
		carry_check_type(e, b, c);
		/* HAProxy: checks speak PROXY too unless they have a port */
		if (s->send_proxy && !s->check_port)
			imp_add_bool(c, "send_proxy", true);
	}
}

/* The effective timeouts of a service as HAProxy applies them in TCP
 * mode: tunnel overrides client and server. */
static struct hap_timeouts svc_timeouts(const struct svc *v)
{
	struct hap_timeouts t = {v->back->t.connect, v->front->t.client,
				 v->back->t.server, -1, v->back->t.check};
	long long tunnel =
	    v->back->t.tunnel >= 0 ? v->back->t.tunnel : v->front->t.tunnel;

	if (tunnel >= 0)
		t.client = t.server = tunnel;
	return t;
}

static void check_timeouts(struct fwd_emit *e, const struct svc *v,
			   const char *name, config_setting_t *l)
{
	static const char *const what[] = {"connect", "client", "server",
					   "tunnel", "check"};
	struct hap_timeouts t = svc_timeouts(v);
	const long long a[] = {t.connect, t.client, t.server, t.tunnel,
			       t.check};
	const long long b[] = {e->t.connect, e->t.client, e->t.server,
			       e->t.tunnel, e->t.check};
	int i;

	if (!e->have_timeouts) {
		e->have_timeouts = true;
		e->t = t;
		snprintf(e->t_from, sizeof(e->t_from), "%s", name);
		return;
	}
	for (i = 0; i < 5; i++) {
		config_setting_t *t;

		if (a[i] == b[i] || a[i] < 0)
			continue;
		if (i == 3 ||
		    i == 4) { /* tunnel is folded in; check is global */
			char ms[32];

			imp_fmt_ms(a[i], ms, sizeof(ms));
			imp_msg(e->o->d, IMP_WARNING, v->front->at,
				"%s: timeout %s %s not carried: fwd has one "
				"check timeout, taken from %s",
				name, what[i], ms, e->t_from);
			continue;
		}
		/* fwd's listen.NAME.timeout overrides the forwarder's */
		t = config_setting_get_member(l, "timeout");
		if (!t)
			t = imp_add_group(l, "timeout");
		if (t && a[i] > 0)
			imp_add_ms(t, what[i], a[i]);
	}
}

static void emit_stick(struct fwd_emit *e, const struct hap_proxy *b,
		       config_setting_t *l)
{
	config_setting_t *s;

	if (!b->stick)
		return;
	s = imp_add_group(l, "stick");
	imp_add_str(s, "on", "src");
	if (b->stick_expire_ms >= 1000)
		imp_add_ms(s, "expire", b->stick_expire_ms);
	else if (first_report(e, b->stick_at, 4))
		imp_msg(e->o->d, IMP_NOTE, b->stick_at,
			"stick-table without expire: HAProxy kept entries "
			"until the table was full; fwd forgets them after "
			"30m");
	if (b->stick_size > FWD_MAX_STICK) {
		if (first_report(e, b->stick_at, 5))
			imp_msg(e->o->d, IMP_NOTE, b->stick_at,
				"stick-table size %lld carried as %d, fwd's "
				"largest",
				b->stick_size, FWD_MAX_STICK);
		imp_add_int(s, "size", FWD_MAX_STICK);
	} else if (b->stick_size > 0) {
		imp_add_int(s, "size", b->stick_size);
	}
}

/* One fwd listen for all the binds of v (n_ports: their distinct ports). */
static void emit_listen(struct fwd_emit *e, const struct svc *v, int n_ports,
			const char *name)
{
	const struct hap_proxy *f = v->front, *b = v->back;
	config_setting_t *l, *a, *servers;
	const char *balance = balance_of(e, b);
	char addr[96];
	size_t i;

	l = imp_add_group(e->listens, name);
	if (!l)
		return;
	imp_out_origin(e->o, l, f->at);
	a = config_setting_add(l, "bind", CONFIG_TYPE_ARRAY);
	for (i = 0; a && i < f->n_binds; i++)
		if (addr_str(f->binds[i].host, f->binds[i].port, addr,
			     sizeof(addr)))
			config_setting_set_string_elem(a, -1, addr);
	if (balance)
		imp_add_str(l, "balance", balance);
	emit_stick(e, b, l);
	if (b->retries >= 0)
		imp_add_int(l, "retries", b->retries);
	if (b->redispatch)
		imp_add_bool(l, "redispatch", true);
	if (f->maxconn > 0) {
		long m = f->maxconn;

		if (m > e->maxconn) {
			if (first_report(e, f->at, 6))
				imp_msg(e->o->d, IMP_NOTE, f->at,
					"%s: maxconn %ld is above the global "
					"maxconn %ld, which limits it (as in "
					"HAProxy); carried as %ld",
					f->name, m, e->maxconn, e->maxconn);
			m = e->maxconn;
		}
		imp_add_int(l, "maxconn", m);
	}
	if (f->tcplog)
		imp_add_bool(l, "log", true); /* fwd's session log line */
	servers = imp_add_group(l, "server");
	for (i = 0; servers && i < b->n_servers; i++)
		emit_server(e, servers, b, &b->servers[i], n_ports);
	if (!servers || config_setting_length(servers) == 0) {
		imp_msg(e->o->d, IMP_WARNING, f->at,
			"%s not carried: no server fwd can connect to", name);
		config_setting_remove(e->listens, name);
		return;
	}
	check_timeouts(e, v, name, l);
}

/* A server without a port goes to the port the client came in on: fwd's
 * port-following servers ("ip"), one listen over all the binds, so the
 * stick table and maxconn span every port, as in HAProxy. */
static void emit_svc(struct fwd_emit *e, const struct svc *v)
{
	const struct hap_proxy *f = v->front;
	int ports[1024], n_ports = 0;
	char name[CONF_NAME_MAX];
	size_t i;
	int j;

	if (f->n_binds == 0) {
		imp_msg(e->o->d, IMP_WARNING, f->at,
			"%s not carried: it binds no address", f->name);
		return;
	}
	for (i = 0; i < f->n_binds && n_ports < 1024; i++) {
		for (j = 0; j < n_ports; j++)
			if (ports[j] == f->binds[i].port)
				break;
		if (j == n_ports)
			ports[n_ports++] = f->binds[i].port;
	}
	imp_member_name(e->o, e->listens, f->name, "L_", "listen", f->at, name);
	emit_listen(e, v, n_ports, name);
}

static void emit_stats(struct fwd_emit *e, const struct hap_proxy *p)
{
	config_setting_t *s;
	char addr[96];

	if (config_setting_get_member(e->fwd, "stats")) {
		imp_msg(e->o->d, IMP_WARNING, p->at,
			"%s: a second stats page not carried: fwd serves one",
			p->name);
		return;
	}
	if (p->n_binds == 0 ||
	    !addr_str(p->binds[0].host, p->binds[0].port, addr, sizeof(addr))) {
		imp_msg(e->o->d, IMP_WARNING, p->at,
			"%s: stats page not carried: it binds no address",
			p->name);
		return;
	}
	if (p->n_binds > 1)
		imp_msg(e->o->d, IMP_WARNING, p->binds[1].at,
			"%s: stats page carried on its first bind only",
			p->name);
	s = imp_add_group(e->fwd, "stats");
	imp_out_origin(e->o, s, p->at);
	imp_add_str(s, "bind", addr);
	if (!p->binds[0].host[0])
		imp_msg(e->o->d, IMP_NOTE, p->binds[0].at,
			"%s: bind :%d listens on all addresses, as HAProxy "
			"did",
			p->name, p->binds[0].port);
	if (p->stats.uri && p->stats.uri[0] == '/' &&
	    !strpbrk(p->stats.uri, "?#%\\\"<> "))
		imp_add_str(s, "uri", p->stats.uri);
	else
		imp_msg(e->o->d, IMP_NOTE, p->stats.at,
			"stats uri %s: the page answers at / (HAProxy's "
			"default was /haproxy?stats; fwd takes a plain path)",
			p->stats.uri ? p->stats.uri : "(default)");
	if (p->stats.auth && strchr(p->stats.auth, ':') &&
	    p->stats.auth[0] != ':')
		imp_add_str(s, "auth", p->stats.auth);
	if (p->stats.refresh_ms >= 1000)
		imp_add_ms(s, "refresh", p->stats.refresh_ms);
	if (p->stats.realm)
		imp_msg(e->o->d, IMP_NOTE, p->stats.at,
			"stats realm '%s': nothing to carry: the page's realm "
			"is \"fwd stats\"",
			p->stats.realm);
	carry_stats_admin(e, p, s);
}

static void emit_global(struct fwd_emit *e)
{
	const struct hap_conf *h = e->hap;
	size_t i;

	e->maxconn = h->maxconn;
	if (!e->maxconn) /* HAProxy sized it itself; fwd's is 4096 */
		for (i = 0; i < h->n_proxies; i++)
			if (h->proxies[i].maxconn > e->maxconn)
				e->maxconn = h->proxies[i].maxconn;
	if (e->maxconn) {
		long long need = (long long)e->maxconn * 4 + 1024;

		imp_add_int(e->fwd, "maxconn", e->maxconn);
		imp_msg(e->o->d, IMP_NOTE, h->maxconn_at,
			"maxconn %ld: fwd needs about %lld open files for it "
			"(4 per connection + 1024); %s",
			e->maxconn, need,
			need <= FWD_NOFILE_UNIT
			    ? "fwd.service's LimitNOFILE=1048576 covers it; "
			      "under another unit set LimitNOFILE= at least "
			      "that"
			    : "set LimitNOFILE= at least that in a drop-in "
			      "for fwd.service");
	} else {
		e->maxconn = 4096;
	}
	imp_add_str(e->fwd, "user", h->user);
	imp_add_str(e->fwd, "group", h->group);
}

static void emit_timeouts(struct fwd_emit *e)
{
	config_setting_t *t;

	if (!e->have_timeouts)
		return;
	t = imp_add_group(e->fwd, "timeout");
	if (e->t.connect > 0)
		imp_add_ms(t, "connect", e->t.connect);
	if (e->t.client > 0)
		imp_add_ms(t, "client", e->t.client);
	if (e->t.server > 0)
		imp_add_ms(t, "server", e->t.server);
	if (e->t.check > 0)
		imp_add_ms(t, "check", e->t.check);
	if (config_setting_length(t) == 0)
		config_setting_remove(e->fwd, "timeout");
}

static bool is_stats_only(const struct hap_proxy *p)
{
	return p->kind == HAP_LISTEN && p->stats.enable && p->n_servers == 0;
}

static void warn_http(struct fwd_emit *e, const struct hap_proxy *p)
{
	imp_msg(e->o->d, IMP_WARNING, p->at,
		"%s %s not carried: mode http (%s:%d); fwd forwards TCP and "
		"does not read HTTP. Write 'mode tcp' to forward it as bytes",
		p->kind == HAP_BACKEND	  ? "backend"
		: p->kind == HAP_FRONTEND ? "frontend"
					  : "listen",
		p->name, p->mode_at.file ? p->mode_at.file : p->at.file,
		p->mode_at.line);
}

static void emit_proxy(struct fwd_emit *e, const struct hap_proxy *p)
{
	struct svc v = {p, p};

	if (p->kind == HAP_BACKEND)
		return;
	if (p->disabled) {
		imp_msg(e->o->d, IMP_NOTE, p->at,
			"%s is disabled in haproxy.cfg: not carried", p->name);
		return;
	}
	if (is_stats_only(p)) {
		emit_stats(e, p);
		return;
	}
	if (p->mode != HAP_MODE_TCP) {
		warn_http(e, p);
		return;
	}
	if (p->stats.enable)
		imp_msg(e->o->d, IMP_WARNING, p->stats.at,
			"%s: stats in a tcp proxy not carried", p->name);
	if (p->kind == HAP_FRONTEND) {
		if (!p->backend) {
			imp_msg(e->o->d, IMP_WARNING, p->at,
				"frontend %s not carried: no default_backend "
				"or unconditional use_backend",
				p->name);
			return;
		}
		v.back = hap_find(e->hap, HAP_BACKEND, p->backend);
		if (!v.back) {
			imp_msg(e->o->d, IMP_WARNING, p->backend_at,
				"frontend %s not carried: backend %s is not "
				"defined",
				p->name, p->backend);
			return;
		}
		if (v.back->mode != HAP_MODE_TCP) {
			warn_http(e, v.back);
			return;
		}
	}
	emit_svc(e, &v);
}

int imp_emit_fwd(struct imp_out *o, const struct hap_conf *hap)
{
	struct fwd_emit e = {.o = o, .hap = hap};
	config_setting_t *root = config_root_setting(&o->cfg);
	size_t i;

	if (!hap)
		return 0;
	e.fwd = imp_add_group(root, "forwarder");
	if (!e.fwd)
		return -1;
	emit_global(&e);
	e.listens = imp_add_group(e.fwd, "listen");
	for (i = 0; e.listens && i < hap->n_proxies; i++)
		emit_proxy(&e, &hap->proxies[i]);
	emit_timeouts(&e);
	if (!e.listens || config_setting_length(e.listens) == 0) {
		imp_msg(
		    o->d, IMP_WARNING,
		    (struct imp_src){hap->files.n ? hap->files.v[0] : "-", 0},
		    "no listen could be carried: no forwarder section "
		    "written");
		config_setting_remove(root, "forwarder");
		return -1;
	}
	return 0;
}
