/* forwarder.listen.NAME.server: the back ends and their checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_addr.h"
#include "conf_fwd_part.h"

static const char *const server_keys[] = {
    "address", "weight", "backup", "disabled", "check", "send_proxy", NULL};
static const char *const check_keys[] = {
    "port", "inter", "rise", "fall", "send_proxy",
    /* issue #14: check types (conf_check.c) */
    "type", "fastinter", "downinter", "ssl", "starttls", "verify", "sni",
    "ca_file", "method", "uri", "host", "expect_status", "expect_body", NULL};

static void parse_check(struct conf_ctx *ctx, const config_setting_t *srv,
			const char *listen, const char *server,
			struct conf_fwd_check *out)
{
	config_setting_t *c = conf_subgroup(ctx, srv, "check");
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
	char where[2 * CONF_NAME_MAX + 24];

	snprintf(where, sizeof(where), "listen %s: server %s: ", listen,
		 out->name);
	conf_get_enum(ctx, s, "send_proxy", conf_send_proxy_names, where,
		      "send_proxy", &out->send_proxy);
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
			conf_error(ctx, config_setting_get_member(s, "address"),
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

void conf_fwd_servers_parse(struct conf_ctx *ctx, const config_setting_t *l,
			    struct conf_fwd_listen *out)
{
	char where[CONF_NAME_MAX + 8];
	config_setting_t *g;
	int i, n;

	snprintf(where, sizeof(where), "listen %s", out->name);
	g = conf_entries(ctx, l, "server", where, "at least one back end",
			 "server", &n);
	if (!g)
		return;
	out->servers = calloc((size_t)n + 1, sizeof(*out->servers));
	for (i = 0; out->servers && i < n; i++) {
		parse_server(ctx, config_setting_get_elem(g, (unsigned)i),
			     out->name, &out->servers[i]);
		out->n_servers++;
	}
}
