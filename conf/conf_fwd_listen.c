/* forwarder.listen: binds, balance, stickiness and the checks across
 * listens (a bind used twice, a following port out of range). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/parse.h"
#include "conf_addr.h"
#include "conf_fwd_part.h"

static const char *const listen_keys[] = {
    "bind",   "balance", "stick", "retries",	  "redispatch", "maxconn",
    "server", "timeout", "log",	  "accept_proxy", NULL};
static const char *const stick_keys[] = {"on", "expire", "size", NULL};

/* listen.NAME.timeout: the forwarder's values unless set here. */
static void parse_listen_timeouts(struct conf_ctx *ctx,
				  const config_setting_t *l,
				  const struct conf_fwd *fwd,
				  struct conf_fwd_listen *out)
{
	config_setting_t *t = conf_subgroup(ctx, l, "timeout");

	out->timeout_connect_ms = fwd->timeout_connect_ms;
	out->timeout_client_ms = fwd->timeout_client_ms;
	out->timeout_server_ms = fwd->timeout_server_ms;
	if (t)
		conf_fwd_timeouts_parse(ctx, t, &out->timeout_connect_ms,
					&out->timeout_client_ms,
					&out->timeout_server_ms, NULL);
}

const char *conf_fwd_wildcard(const char *text, char *buf, size_t size)
{
	if ((text[0] == '*' && text[1] == ':') ||
	    (text[0] == ':' && text[1] != ':')) {
		const char *port = strchr(text, ':') + 1;

		if (strlen(port) + sizeof("0.0.0.0:") <= size) {
			snprintf(buf, size, "0.0.0.0:%s", port);
			return buf;
		}
	}
	return text;
}

/* One "bind" string: one entry per port of its range. */
static void add_bind(struct conf_ctx *ctx, const config_setting_t *e,
		     const char *str, struct conf_fwd_listen *out)
{
	struct conf_fwd_bind b = {.line = (int)config_setting_source_line(e)};
	struct conf_fwd_bind *nb;
	char any[20]; /* a port range of up to 11 characters */
	int lo = 0, hi = 0, rc, p;

	rc = conf_addr_bind(conf_fwd_wildcard(str, any, sizeof(any)), &b.addr,
			    &b.addrlen, &lo, &hi);
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
	config_setting_t *s = config_setting_get_member(l, "bind");
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
	config_setting_t *m = config_setting_get_member(s, "size");
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
	config_setting_t *s = conf_subgroup(ctx, l, "stick");
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
			conf_error(ctx, config_setting_get_member(s, "on"),
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
	char where[CONF_NAME_MAX + 16];
	int b = (int)out->balance;

	snprintf(where, sizeof(where), "listen %s: ", out->name);
	if (conf_get_enum(ctx, l, "balance", conf_balance_names, where,
			  "balance", &b) == 0)
		out->balance = (enum conf_balance)b;
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
	config_setting_t *g = config_setting_get_member(l, "server");
	size_t i, j;
	bool one_port = true;

	for (j = 1; j < out->n_binds; j++)
		if (bind_port(&out->binds[j]) != bind_port(&out->binds[0]))
			one_port = false;
	for (i = 0; g && i < out->n_servers; i++) {
		struct conf_fwd_server *sv = &out->servers[i];
		config_setting_t *s = config_setting_get_member(g, sv->name);
		config_setting_t *at =
		    s ? config_setting_get_member(s, "address") : NULL;

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
		conf_error(ctx, config_setting_get_member(s, "check"),
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
		conf_warning(ctx, config_setting_get_member(l, "maxconn"),
			     "listen %s: maxconn %ld is above the forwarder's "
			     "maxconn %ld, which limits it",
			     out->name, out->maxconn, fwd->maxconn);
	conf_fwd_servers_parse(ctx, l, out);
	check_port_follow(ctx, l, out);
}

bool conf_fwd_same_addr(const struct sockaddr_storage *a, socklen_t alen,
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
					if (!conf_fwd_same_addr(
						&li->binds[a].addr,
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

void conf_fwd_listens_parse(struct conf_ctx *ctx, const config_setting_t *fwd,
			    struct conf_fwd *out)
{
	config_setting_t *ls;
	int i, n;

	ls = conf_entries(ctx, fwd, "listen", "forwarder",
			  "at least one listen section", "section", &n);
	if (!ls)
		return;
	out->listens = calloc((size_t)n + 1, sizeof(*out->listens));
	for (i = 0; out->listens && i < n; i++) {
		parse_listen(ctx, config_setting_get_elem(ls, (unsigned)i), out,
			     &out->listens[i]);
		out->n_listens++;
	}
	check_duplicates(ctx, ls, out);
}
