#include "conf_fwd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/parse.h"
#include "conf_addr.h"

#define DEFAULT_MAXCONN 4096
#define MAX_MAXCONN	1000000
#define DAY_MS		86400000

static const char *const fwd_keys[] = {"control_socket",
				       "vrrpd_socket",
				       "maxconn",
				       "user",
				       "group",
				       "timeout",
				       "grace",
				       "shutdown_sessions_on_down",
				       "listen",
				       "stats",
				       "control_socket_group",
				       "cert_warn_days",
				       "data_path",
				       NULL};
static const char *const timeout_keys[] = {"connect", "client", "server",
					   "check", NULL};
static const char *const listen_keys[] = {
    "bind",   "balance", "stick", "retries",	  "redispatch", "maxconn",
    "server", "timeout", "log",	  "accept_proxy", NULL};
static const char *const listen_timeout_keys[] = {"connect", "client", "server",
						  NULL};
static const char *const stick_keys[] = {"on", "expire", "size", NULL};
static const char *const server_keys[] = {
    "address", "weight", "backup", "disabled", "check", "send_proxy", NULL};
static const char *const check_keys[] = {
    "port", "inter", "rise", "fall", "send_proxy",
    /* issue #14: check types (conf_check.c) */
    "type", "fastinter", "downinter", "ssl", "starttls", "verify", "sni",
    "ca_file", "method", "uri", "host", "expect_status", "expect_body", NULL};
static const char *const stats_keys[] = {"bind",    "uri",   "auth",
					 "refresh", "admin", NULL};

const char *conf_balance_str(enum conf_balance b)
{
	switch (b) {
	case CONF_BALANCE_ROUNDROBIN:
		return "roundrobin";
	case CONF_BALANCE_LEASTCONN:
		return "leastconn";
	case CONF_BALANCE_SOURCE:
		return "source";
	}
	return "?";
}

static config_setting_t *member(const config_setting_t *g, const char *name)
{
	return config_setting_get_member(g, name);
}

/* A group member that must itself be a group; NULL when absent or bad. */
static config_setting_t *subgroup(struct conf_ctx *ctx,
				  const config_setting_t *g, const char *name)
{
	config_setting_t *s = member(g, name);

	if (!s || !conf_is_group(ctx, s))
		return NULL;
	return s;
}

static void parse_timeouts(struct conf_ctx *ctx, const config_setting_t *fwd,
			   struct conf_fwd *out)
{
	config_setting_t *t = subgroup(ctx, fwd, "timeout");

	if (!t)
		return;
	conf_check_keys(ctx, t, timeout_keys);
	conf_get_duration_unit(ctx, t, "connect", 1, DAY_MS,
			       &out->timeout_connect_ms);
	conf_get_duration_unit(ctx, t, "client", 1, DAY_MS,
			       &out->timeout_client_ms);
	conf_get_duration_unit(ctx, t, "server", 1, DAY_MS,
			       &out->timeout_server_ms);
	conf_get_duration_unit(ctx, t, "check", 1, DAY_MS,
			       &out->timeout_check_ms);
}

/* listen.NAME.timeout: the forwarder's values unless set here. */
static void parse_listen_timeouts(struct conf_ctx *ctx,
				  const config_setting_t *l,
				  const struct conf_fwd *fwd,
				  struct conf_fwd_listen *out)
{
	config_setting_t *t = subgroup(ctx, l, "timeout");

	out->timeout_connect_ms = fwd->timeout_connect_ms;
	out->timeout_client_ms = fwd->timeout_client_ms;
	out->timeout_server_ms = fwd->timeout_server_ms;
	if (!t)
		return;
	conf_check_keys(ctx, t, listen_timeout_keys);
	conf_get_duration_unit(ctx, t, "connect", 1, DAY_MS,
			       &out->timeout_connect_ms);
	conf_get_duration_unit(ctx, t, "client", 1, DAY_MS,
			       &out->timeout_client_ms);
	conf_get_duration_unit(ctx, t, "server", 1, DAY_MS,
			       &out->timeout_server_ms);
}

static void parse_identity(struct conf_ctx *ctx, const config_setting_t *fwd,
			   struct conf_fwd *out)
{
	conf_get_str(ctx, fwd, "user", &out->user);
	conf_get_str(ctx, fwd, "group", &out->group);
	if (out->user) {
		struct passwd *pw = getpwnam(out->user);

		if (!pw) {
			conf_error(ctx, member(fwd, "user"),
				   "user '%s' does not exist on this host",
				   out->user);
		} else {
			out->uid = pw->pw_uid;
			out->gid = pw->pw_gid;
		}
	}
	if (out->group) {
		struct group *gr = getgrnam(out->group);

		if (!gr)
			conf_error(ctx, member(fwd, "group"),
				   "group '%s' does not exist on this host",
				   out->group);
		else
			out->gid = gr->gr_gid;
	}
}

static void parse_check(struct conf_ctx *ctx, const config_setting_t *srv,
			const char *listen, const char *server,
			struct conf_fwd_check *out)
{
	config_setting_t *c = subgroup(ctx, srv, "check");
	long v;

	out->inter_ms = 2000;
	out->rise = 2;
	out->fall = 3;
	conf_check_app_init(&out->app);
	if (!c)
		return;
	out->enabled = true;
	conf_check_keys(ctx, c, check_keys);
	v = 0;
	if (conf_get_int(ctx, c, "port", 1, 65535, &v) == 0)
		out->port = (int)v;
	conf_get_duration_unit(ctx, c, "inter", 100, DAY_MS, &out->inter_ms);
	v = out->rise;
	if (conf_get_int(ctx, c, "rise", 1, 1000, &v) == 0)
		out->rise = (int)v;
	v = out->fall;
	if (conf_get_int(ctx, c, "fall", 1, 1000, &v) == 0)
		out->fall = (int)v;
	conf_check_app_parse(ctx, c, listen, server, &out->app);
	conf_get_bool(ctx, c, "send_proxy", &out->send_proxy);
}

static void parse_send_proxy(struct conf_ctx *ctx, const config_setting_t *s,
			     const char *listen, struct conf_fwd_server *out)
{
	char *v = NULL;

	if (conf_get_str(ctx, s, "send_proxy", &v) < 0 || !v)
		return;
	if (strcmp(v, "v1") == 0)
		out->send_proxy = 1;
	else if (strcmp(v, "v2") == 0)
		out->send_proxy = 2;
	else
		conf_error(ctx, member(s, "send_proxy"),
			   "listen %s: server %s: send_proxy \"%s\" must be "
			   "\"v1\" or \"v2\"",
			   listen, out->name, v);
	free(v);
}

static void parse_server(struct conf_ctx *ctx, const config_setting_t *s,
			 const char *listen, struct conf_fwd_server *out)
{
	char *addr = NULL;
	long v;

	out->line = (int)config_setting_source_line(s);
	out->weight = 1;
	conf_copy_name(ctx, s, out->name, sizeof(out->name),
		       config_setting_name(s), "server name");
	if (!conf_is_group(ctx, s))
		return;
	conf_check_keys(ctx, s, server_keys);
	if (conf_get_str(ctx, s, "address", &addr) == 0) {
		if (!addr)
			conf_error(ctx, s,
				   "listen %s: server %s: 'address' is "
				   "required",
				   listen, out->name);
		else if (conf_addr_server(addr, &out->addr, &out->addrlen,
					  &out->port_follow,
					  &out->port_offset) < 0)
			conf_error(ctx, member(s, "address"),
				   "listen %s: server %s: address \"%s\" is "
				   "not \"ip:port\", \"ip\" (the client's "
				   "port) or \"ip:+N\" / \"ip:-N\"",
				   listen, out->name, addr);
	}
	free(addr);
	v = out->weight;
	if (conf_get_int(ctx, s, "weight", 0, 256, &v) == 0)
		out->weight = (int)v;
	conf_get_bool(ctx, s, "backup", &out->backup);
	conf_get_bool(ctx, s, "disabled", &out->disabled);
	parse_send_proxy(ctx, s, listen, out);
	parse_check(ctx, s, listen, out->name, &out->check);
}

static void parse_servers(struct conf_ctx *ctx, const config_setting_t *l,
			  struct conf_fwd_listen *out)
{
	config_setting_t *g = member(l, "server");
	int i, n;

	if (!g) {
		conf_error(ctx, l,
			   "listen %s: 'server' is required (at least "
			   "one back end)",
			   out->name);
		return;
	}
	if (!conf_is_group(ctx, g))
		return;
	n = config_setting_length(g);
	if (n == 0)
		conf_error(ctx, g, "listen %s: 'server' has no server",
			   out->name);
	out->servers = calloc((size_t)n + 1, sizeof(*out->servers));
	for (i = 0; out->servers && i < n; i++) {
		parse_server(ctx, config_setting_get_elem(g, (unsigned)i),
			     out->name, &out->servers[i]);
		out->n_servers++;
	}
}

/* The stats page's address; HAProxy's wildcards "*:443" and ":443" are
 * "0.0.0.0:443" (every IPv4 address of the host, so every VIP). */
static int parse_bind(const char *text, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	char any[24];

	if ((text[0] == '*' && text[1] == ':') ||
	    (text[0] == ':' && text[1] != ':')) {
		const char *port = strchr(text, ':') + 1;

		if (strlen(port) > 5)
			return -1;
		snprintf(any, sizeof(any), "0.0.0.0:%s", port);
		text = any;
	}
	return parse_sockaddr(text, ss, len, false);
}

/* One "bind" string: one entry per port of its range. HAProxy's wildcards
 * "*:443" and ":443" are "0.0.0.0:443" (every IPv4 address of the host,
 * so every VIP). */
static void add_bind(struct conf_ctx *ctx, const config_setting_t *e,
		     const char *str, struct conf_fwd_listen *out)
{
	struct conf_fwd_bind b = {.line = (int)config_setting_source_line(e)};
	struct conf_fwd_bind *nb;
	const char *text = str;
	char any[32];
	int lo = 0, hi = 0, rc, p;

	if ((str[0] == '*' && str[1] == ':') ||
	    (str[0] == ':' && str[1] != ':')) {
		const char *port = strchr(str, ':') + 1;

		if (strlen(port) <= 11) {
			snprintf(any, sizeof(any), "0.0.0.0:%s", port);
			text = any;
		}
	}
	rc = conf_addr_bind(text, &b.addr, &b.addrlen, &lo, &hi);
	if (rc == -ERANGE || rc == -E2BIG) {
		conf_error(ctx, e,
			   "listen %s: bind \"%s\": %s (at most %d ports "
			   "a range, each one is a socket)",
			   out->name, str,
			   rc == -ERANGE ? "the range ends below its start"
					 : "the range is too long",
			   CONF_BIND_RANGE_MAX);
		return;
	}
	if (rc < 0) {
		conf_error(ctx, e,
			   "listen %s: bind \"%s\" is not \"ip:port\", "
			   "\"[ipv6]:port\" or \"ip:first-last\"",
			   out->name, str);
		return;
	}
	nb = realloc(out->binds, (out->n_binds + (size_t)(hi - lo) + 2) *
				     sizeof(*out->binds));
	if (!nb) {
		conf_error(ctx, e, "out of memory");
		return;
	}
	out->binds = nb;
	for (p = lo; p <= hi; p++) {
		if (b.addr.ss_family == AF_INET)
			((struct sockaddr_in *)&b.addr)->sin_port =
			    htons((uint16_t)p);
		else
			((struct sockaddr_in6 *)&b.addr)->sin6_port =
			    htons((uint16_t)p);
		out->binds[out->n_binds++] = b;
	}
}

static void parse_binds(struct conf_ctx *ctx, const config_setting_t *l,
			struct conf_fwd_listen *out)
{
	config_setting_t *s = member(l, "bind");
	char **list = NULL;
	size_t n = 0, i;

	if (!s) {
		conf_error(ctx, l, "listen %s: 'bind' is required", out->name);
		return;
	}
	if (conf_get_str_list(ctx, l, "bind", &list, &n) < 0)
		return;
	if (n == 0)
		conf_error(ctx, s, "listen %s: 'bind' is empty", out->name);
	for (i = 0; i < n; i++)
		add_bind(ctx,
			 config_setting_is_aggregate(s)
			     ? config_setting_get_elem(s, (unsigned)i)
			     : s,
			 list[i], out);
	conf_str_list_free(list, n);
}

/* "10240k", "10m" as HAProxy users write them (k = 1024); -1 if not. */
static long size_count(const char *str)
{
	char *end;
	long v;

	if (*str < '0' || *str > '9')
		return -1;
	v = strtol(str, &end, 10);
	if (v > CONF_STICK_SIZE_MAX)
		return -1;
	if ((*end == 'k' || *end == 'K') && !end[1])
		v *= 1024;
	else if ((*end == 'm' || *end == 'M') && !end[1])
		v *= 1024 * 1024;
	else if (*end)
		return -1;
	return v;
}

static void parse_stick_size(struct conf_ctx *ctx, const config_setting_t *s,
			     struct conf_fwd_listen *out)
{
	config_setting_t *m = member(s, "size");
	long v;

	if (!m || config_setting_type(m) != CONFIG_TYPE_STRING) {
		conf_get_int(ctx, s, "size", 1, CONF_STICK_SIZE_MAX,
			     &out->stick_size);
		return;
	}
	v = size_count(config_setting_get_string(m));
	if (v < 1 || v > CONF_STICK_SIZE_MAX)
		conf_error(ctx, m,
			   "listen %s: stick size \"%s\" is not a count of "
			   "entries from 1 to 10m (10485760), such as 100000, "
			   "\"10240k\" or \"10m\" (k = 1024)",
			   out->name, config_setting_get_string(m));
	else
		out->stick_size = v;
}

static void parse_stick(struct conf_ctx *ctx, const config_setting_t *l,
			struct conf_fwd_listen *out)
{
	config_setting_t *s = subgroup(ctx, l, "stick");
	char *on = NULL;

	out->stick_expire_ms = 30 * 60 * 1000;
	out->stick_size = 100000;
	if (!s)
		return;
	conf_check_keys(ctx, s, stick_keys);
	if (conf_get_str(ctx, s, "on", &on) == 0) {
		if (!on)
			conf_error(ctx, s,
				   "listen %s: stick needs on = \"src\"",
				   out->name);
		else if (strcmp(on, "src") != 0)
			conf_error(ctx, member(s, "on"),
				   "listen %s: stick on \"%s\" is not "
				   "supported; use \"src\"",
				   out->name, on);
		else
			out->stick = true;
	}
	free(on);
	conf_get_duration_unit(ctx, s, "expire", 1000, 30LL * DAY_MS,
			       &out->stick_expire_ms);
	parse_stick_size(ctx, s, out);
}

static void parse_balance(struct conf_ctx *ctx, const config_setting_t *l,
			  struct conf_fwd_listen *out)
{
	char *b = NULL;

	if (conf_get_str(ctx, l, "balance", &b) < 0 || !b)
		return;
	if (strcmp(b, "roundrobin") == 0)
		out->balance = CONF_BALANCE_ROUNDROBIN;
	else if (strcmp(b, "leastconn") == 0)
		out->balance = CONF_BALANCE_LEASTCONN;
	else if (strcmp(b, "source") == 0)
		out->balance = CONF_BALANCE_SOURCE;
	else
		conf_error(ctx, member(l, "balance"),
			   "listen %s: balance \"%s\" must be \"roundrobin\", "
			   "\"leastconn\" or \"source\"",
			   out->name, b);
	free(b);
}

static int bind_port(const struct conf_fwd_bind *b)
{
	return ntohs(b->addr.ss_family == AF_INET
			 ? ((const struct sockaddr_in *)&b->addr)->sin_port
			 : ((const struct sockaddr_in6 *)&b->addr)->sin6_port);
}

/*
 * A server without a port goes to the port the client connected to (plus
 * its offset): every bind port must map into 1..65535, and its check needs
 * a port of its own unless the listener has only one.
 */
static void check_port_follow(struct conf_ctx *ctx, const config_setting_t *l,
			      struct conf_fwd_listen *out)
{
	config_setting_t *g = member(l, "server");
	size_t i, j;
	bool one_port = true;

	for (j = 1; j < out->n_binds; j++)
		if (bind_port(&out->binds[j]) != bind_port(&out->binds[0]))
			one_port = false;
	for (i = 0; g && i < out->n_servers; i++) {
		struct conf_fwd_server *sv = &out->servers[i];
		config_setting_t *s = member(g, sv->name);
		config_setting_t *at = s ? member(s, "address") : NULL;

		if (!sv->port_follow || !at)
			continue;
		for (j = 0; j < out->n_binds; j++) {
			int p = bind_port(&out->binds[j]);

			if (conf_addr_follow_port(p, sv->port_offset) > 0)
				continue;
			conf_error(ctx, at,
				   "listen %s: server %s: bind port %d %+d is "
				   "outside 1..65535",
				   out->name, sv->name, p, sv->port_offset);
			break;
		}
		if (!sv->check.enabled || sv->check.port || !out->n_binds)
			continue;
		if (one_port) {
			/* the only port a client can come in on */
			sv->check.port = conf_addr_follow_port(
			    bind_port(&out->binds[0]), sv->port_offset);
			continue;
		}
		conf_error(ctx, member(s, "check"),
			   "listen %s: server %s: check needs 'port': the "
			   "address has no port and the listen binds several "
			   "ports (as HAProxy's \"check port N\")",
			   out->name, sv->name);
	}
}

static void parse_listen(struct conf_ctx *ctx, const config_setting_t *l,
			 const struct conf_fwd *fwd,
			 struct conf_fwd_listen *out)
{
	long v;

	out->line = (int)config_setting_source_line(l);
	out->retries = 3;
	out->maxconn = fwd->maxconn;
	conf_copy_name(ctx, l, out->name, sizeof(out->name),
		       config_setting_name(l), "listen name");
	if (!conf_is_group(ctx, l))
		return;
	conf_check_keys(ctx, l, listen_keys);
	parse_binds(ctx, l, out);
	parse_balance(ctx, l, out);
	parse_stick(ctx, l, out);
	parse_listen_timeouts(ctx, l, fwd, out);
	v = out->retries;
	if (conf_get_int(ctx, l, "retries", 0, 100, &v) == 0)
		out->retries = (int)v;
	conf_get_bool(ctx, l, "redispatch", &out->redispatch);
	conf_get_bool(ctx, l, "log", &out->log);
	conf_get_bool(ctx, l, "accept_proxy", &out->accept_proxy);
	if (conf_get_int(ctx, l, "maxconn", 1, MAX_MAXCONN, &out->maxconn) ==
		0 &&
	    out->maxconn > fwd->maxconn)
		conf_warning(ctx, member(l, "maxconn"),
			     "listen %s: maxconn %ld is above the forwarder's "
			     "maxconn %ld, which limits it",
			     out->name, out->maxconn, fwd->maxconn);
	parse_servers(ctx, l, out);
	check_port_follow(ctx, l, out);
}

static bool same_addr(const struct sockaddr_storage *a, socklen_t alen,
		      const struct sockaddr_storage *b, socklen_t blen)
{
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;
	const struct sockaddr_in *b4 = (const struct sockaddr_in *)b;

	/* a wildcard takes the port on every address: binding one of them
	 * too fails with EADDRINUSE (IPv6 listeners are V6ONLY: apart) */
	if (a->ss_family == AF_INET && b->ss_family == AF_INET &&
	    a4->sin_port == b4->sin_port &&
	    (a4->sin_addr.s_addr == htonl(INADDR_ANY) ||
	     b4->sin_addr.s_addr == htonl(INADDR_ANY)))
		return true;
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* Two binds on one address would fail at start; say so at -t time. */
static void check_duplicates(struct conf_ctx *ctx, const config_setting_t *ls,
			     const struct conf_fwd *f)
{
	size_t i, j, a, b;
	char buf[80];

	for (i = 0; i < f->n_listens; i++) {
		const struct conf_fwd_listen *li = &f->listens[i];

		/* false positive: n_listens counts only allocated entries;
		 * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		for (a = 0; a < li->n_binds; a++) {
			for (j = 0; j <= i; j++) {
				const struct conf_fwd_listen *lj =
				    &f->listens[j];
				size_t end = j == i ? a : lj->n_binds;

				for (b = 0; b < end; b++) {
					if (!same_addr(&li->binds[a].addr,
						       li->binds[a].addrlen,
						       &lj->binds[b].addr,
						       lj->binds[b].addrlen))
						continue;
					conf_error(
					    ctx,
					    config_setting_get_elem(
						ls, (unsigned)i),
					    "listen %s: bind %s is already "
					    "used by listen %s (line %d)",
					    li->name,
					    sockaddr_str(
						(const struct sockaddr *)&li
						    ->binds[a]
						    .addr,
						buf, sizeof(buf)),
					    lj->name, lj->binds[b].line);
				}
			}
		}
		for (a = 0; a < li->n_servers; a++)
			for (b = 0; b < a; b++)
				/* false positive: n_servers counts only
				 * allocated entries; NOLINTNEXTLINE */
				if (strcmp(li->servers[a].name,
					   li->servers[b].name) == 0)
					conf_error(ctx,
						   config_setting_get_elem(
						       ls, (unsigned)i),
						   "listen %s: server %s is "
						   "defined twice",
						   li->name,
						   li->servers[a].name);
	}
}

static void parse_listens(struct conf_ctx *ctx, const config_setting_t *fwd,
			  struct conf_fwd *out)
{
	config_setting_t *ls = member(fwd, "listen");
	int i, n;

	if (!ls) {
		conf_error(ctx, fwd,
			   "forwarder: 'listen' is required (at "
			   "least one listen section)");
		return;
	}
	if (!conf_is_group(ctx, ls))
		return;
	n = config_setting_length(ls);
	if (n == 0)
		conf_error(ctx, ls, "forwarder: 'listen' has no section");
	out->listens = calloc((size_t)n + 1, sizeof(*out->listens));
	for (i = 0; out->listens && i < n; i++) {
		parse_listen(ctx, config_setting_get_elem(ls, (unsigned)i), out,
			     &out->listens[i]);
		out->n_listens++;
	}
	check_duplicates(ctx, ls, out);
}

/* Characters a stats uri may hold: a plain path, no query or escapes. */
static bool uri_ok(const char *u)
{
	if (u[0] != '/')
		return false;
	for (; *u; u++)
		if (*u <= ' ' || *u >= 127 || strchr("?#%\\\"<>", *u))
			return false;
	return true;
}

static void parse_stats_bind(struct conf_ctx *ctx, const config_setting_t *s,
			     struct conf_fwd *f)
{
	struct conf_fwd_stats *st = &f->stats;
	char *bind = NULL, buf[80];
	size_t i, j;

	if (conf_get_str(ctx, s, "bind", &bind) < 0)
		return;
	if (!bind) {
		conf_error(ctx, s, "stats: 'bind' is required (\"ip:port\")");
		return;
	}
	if (parse_bind(bind, &st->addr, &st->addrlen) < 0) {
		conf_error(ctx, member(s, "bind"),
			   "stats: bind \"%s\" is not \"ip:port\" or "
			   "\"[ipv6]:port\"",
			   bind);
		free(bind);
		return;
	}
	free(bind);
	for (i = 0; i < f->n_listens; i++)
		for (j = 0; j < f->listens[i].n_binds; j++)
			if (same_addr(&st->addr, st->addrlen,
				      &f->listens[i].binds[j].addr,
				      f->listens[i].binds[j].addrlen))
				conf_error(
				    ctx, member(s, "bind"),
				    "stats: bind %s is already used by listen "
				    "%s (line %d)",
				    sockaddr_str(
					(const struct sockaddr *)&st->addr, buf,
					sizeof(buf)),
				    f->listens[i].name,
				    f->listens[i].binds[j].line);
}

static void parse_stats(struct conf_ctx *ctx, const config_setting_t *fwd,
			struct conf_fwd *f)
{
	config_setting_t *s = subgroup(ctx, fwd, "stats");
	struct conf_fwd_stats *st = &f->stats;

	st->refresh_ms = 5000;
	if (!s)
		return;
	st->enabled = true;
	st->line = (int)config_setting_source_line(s);
	conf_check_keys(ctx, s, stats_keys);
	parse_stats_bind(ctx, s, f);
	if (conf_get_str(ctx, s, "uri", &st->uri) == 0 && st->uri &&
	    !uri_ok(st->uri))
		conf_error(ctx, member(s, "uri"),
			   "stats: uri \"%s\" must be a path starting with "
			   "'/' (no spaces, '?', '#' or '%%')",
			   st->uri);
	if (!st->uri)
		st->uri = strdup("/");
	if (conf_get_str(ctx, s, "auth", &st->auth) == 0 && st->auth &&
	    (!strchr(st->auth, ':') || st->auth[0] == ':'))
		conf_error(ctx, member(s, "auth"),
			   "stats: auth must be \"user:password\"");
	conf_get_duration_unit(ctx, s, "refresh", 1000, DAY_MS,
			       &st->refresh_ms);
	if (conf_get_bool(ctx, s, "admin", &st->admin) == 0 && st->admin &&
	    !st->auth)
		conf_error(ctx, member(s, "admin"),
			   "stats: admin needs auth = \"user:password\" (its "
			   "buttons take servers out of rotation)");
}

static void parse_data_path(struct conf_ctx *ctx, const config_setting_t *fwd,
			    struct conf_fwd *f)
{
	static const char *const names[] = {"auto", "kernel", "copy"};
	char *v = NULL;
	size_t i;

	if (conf_get_str(ctx, fwd, "data_path", &v) < 0 || !v)
		return;
	for (i = 0; i < 3 && strcmp(v, names[i]) != 0; i++)
		;
	if (i < 3)
		f->data_path = (enum conf_data_path)i;
	else
		conf_error(ctx, member(fwd, "data_path"),
			   "forwarder: data_path \"%s\" is not \"auto\", "
			   "\"kernel\" or \"copy\"",
			   v);
	free(v);
}

int conf_fwd_parse(struct conf_ctx *ctx, const config_setting_t *fwd,
		   struct conf_fwd **out)
{
	unsigned errors = ctx->diag->errors;
	struct conf_fwd *f;

	*out = NULL;
	if (!conf_is_group(ctx, fwd))
		return -1;
	f = calloc(1, sizeof(*f));
	if (!f) {
		conf_error(ctx, fwd, "out of memory");
		return -1;
	}
	f->maxconn = DEFAULT_MAXCONN;
	f->timeout_connect_ms = 5000;
	f->timeout_client_ms = 60000;
	f->timeout_server_ms = 60000;
	f->timeout_check_ms = -1;
	f->grace_ms = 30000;
	f->uid = (uid_t)-1;
	f->gid = (gid_t)-1;
	conf_check_keys(ctx, fwd, fwd_keys);
	conf_get_str(ctx, fwd, "control_socket", &f->control_socket);
	conf_get_str(ctx, fwd, "vrrpd_socket", &f->vrrpd_socket);
	conf_get_group(ctx, fwd, "control_socket_group",
		       &f->control_socket_group, &f->control_socket_gid);
	if (!f->control_socket)
		f->control_socket = strdup(CONF_FWD_DEFAULT_SOCKET);
	conf_get_int(ctx, fwd, "maxconn", 1, MAX_MAXCONN, &f->maxconn);
	parse_identity(ctx, fwd, f);
	parse_timeouts(ctx, fwd, f);
	conf_get_duration_unit(ctx, fwd, "grace", 0, DAY_MS, &f->grace_ms);
	conf_get_bool(ctx, fwd, "shutdown_sessions_on_down",
		      &f->shutdown_sessions_on_down);
	parse_data_path(ctx, fwd, f);
	parse_listens(ctx, fwd, f);
	parse_stats(ctx, fwd, f);
	{
		long days = 14; /* issue #14: certificate expiry warning */

		conf_get_int(ctx, fwd, "cert_warn_days", 0, 3650, &days);
		f->cert_warn_days = (int)days;
	}
	*out = f;
	return ctx->diag->errors == errors ? 0 : -1;
}

void conf_fwd_free(struct conf_fwd *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n_listens; i++) {
		free(f->listens[i].binds);
		free(f->listens[i].servers);
	}
	free(f->listens);
	free(f->control_socket);
	free(f->control_socket_group);
	free(f->vrrpd_socket);
	free(f->user);
	free(f->group);
	free(f->stats.uri);
	free(f->stats.auth);
	free(f);
}
