#include "conf_anycast.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_vrrp.h"

#define HOLD_DOWN_DEFAULT_MS 2000

static const char *const anycast_keys[] = {"virtual_ipaddress",
					   "interface",
					   "track_forwarder",
					   "track_script",
					   "track_interface",
					   "hold_down",
					   "notify",
					   "notify_announced",
					   "notify_withdrawn",
					   "smtp_alert",
					   NULL};

/* There is no priority to move: a weight would silently mean nothing. */
static void reject_weight(struct conf_ctx *ctx, const config_setting_t *w,
			  const char *inst)
{
	conf_error(ctx, w,
		   "anycast_instance %s: weights do not apply here (any "
		   "failing tracker withdraws the addresses); remove "
		   "'weight'",
		   inst);
}

/* "name" or { name = "..."; } */
static const char *tracked_name(struct conf_ctx *ctx, const config_setting_t *e,
				const char *inst)
{
	const char *name = NULL;
	config_setting_t *w;

	if (config_setting_type(e) == CONFIG_TYPE_STRING)
		return config_setting_get_string(e);
	if (!config_setting_is_group(e)) {
		conf_error(ctx, e, "expected \"name\" or { name = \"...\"; }");
		return NULL;
	}
	if ((w = config_setting_get_member(e, "weight")))
		reject_weight(ctx, w, inst);
	if (!config_setting_lookup_string(e, "name", &name))
		conf_error(ctx, e, "'name' (a string) is required here");
	return w ? NULL : name;
}

static config_setting_t *list_of(struct conf_ctx *ctx,
				 const config_setting_t *in, const char *key)
{
	config_setting_t *s = config_setting_get_member(in, key);

	if (s &&
	    (!config_setting_is_aggregate(s) || config_setting_is_group(s))) {
		conf_error(ctx, s, "'%s' must be a list [ ... ] or ( ... )",
			   key);
		return NULL;
	}
	return s;
}

static void parse_trackers(struct conf_ctx *ctx, const config_setting_t *in,
			   const struct conf *c, struct conf_instance *out)
{
	config_setting_t *s, *w;
	int i, n;

	s = list_of(ctx, in, "track_script");
	n = s ? config_setting_length(s) : 0;
	out->track_scripts = calloc((size_t)n + 1, sizeof(*out->track_scripts));
	for (i = 0; out->track_scripts && i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *name = tracked_name(ctx, e, out->name);

		if (!name)
			continue;
		if (!conf_script_find(c, name)) {
			conf_error(ctx, e,
				   "track_script '%s' is not defined in "
				   "vrrp_script",
				   name);
			continue;
		}
		snprintf(out->track_scripts[out->n_track_scripts++].name,
			 CONF_NAME_MAX, "%s", name);
	}
	s = list_of(ctx, in, "track_interface");
	n = s ? config_setting_length(s) : 0;
	out->track_ifs = calloc((size_t)n + 1, sizeof(*out->track_ifs));
	for (i = 0; out->track_ifs && i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *name = tracked_name(ctx, e, out->name);

		if (name && conf_copy_name(
				ctx, e, out->track_ifs[out->n_track_ifs].name,
				IF_NAMESIZE, name, "track_interface"))
			out->n_track_ifs++;
	}
	s = config_setting_get_member(in, "track_forwarder");
	if (s && conf_is_group(ctx, s)) {
		if ((w = config_setting_get_member(s, "weight")))
			reject_weight(ctx, w, out->name);
		else
			conf_check_keys(ctx, s,
					(const char *const[]){"timeout", NULL});
		out->track_forwarder = true;
		/* as vrrp_instance's; no hold: hold_down damps recovery */
		out->track_forwarder_timeout_ms = 3 * CONF_FWD_HEARTBEAT_MS;
		conf_get_duration(ctx, s, "timeout", 2 * CONF_FWD_HEARTBEAT_MS,
				  60000, &out->track_forwarder_timeout_ms);
	}
}

static void parse_vips(struct conf_ctx *ctx, const config_setting_t *in,
		       struct conf_instance *out)
{
	config_setting_t *s =
	    config_setting_get_member(in, "virtual_ipaddress");
	char **list = NULL, ip[INET_ADDRSTRLEN];
	size_t n = 0, i;

	if (!s) {
		conf_error(ctx, in,
			   "anycast_instance %s: 'virtual_ipaddress' is "
			   "required",
			   out->name);
		return;
	}
	if (conf_get_str_list(ctx, in, "virtual_ipaddress", &list, &n) < 0)
		return;
	if (n == 0)
		conf_error(ctx, s,
			   "anycast_instance %s: virtual_ipaddress is empty",
			   out->name);
	out->vips = calloc(n + 1, sizeof(*out->vips));
	for (i = 0; out->vips && i < n; i++) {
		config_setting_t *e =
		    config_setting_is_aggregate(s)
			? config_setting_get_elem(s, (unsigned)i)
			: s;

		conf_vip_parse(ctx, e, list[i], &out->vips[i]);
		out->n_vips++;
		if (out->vips[i].family == AF_INET6) {
			conf_error(ctx, e,
				   "anycast_instance %s: \"%s\" is IPv6; "
				   "anycast instances take IPv4 addresses "
				   "only for now",
				   out->name, list[i]);
			continue;
		}
		if (out->vips[i].addr.s_addr && out->vips[i].prefix != 32) {
			inet_ntop(AF_INET, &out->vips[i].addr, ip, sizeof(ip));
			conf_warning(ctx, e,
				     "anycast_instance %s: %s/%d is not a "
				     "/32; the whole prefix becomes local "
				     "and the shipped FRR route-map "
				     "announces only /32s",
				     out->name, ip, out->vips[i].prefix);
		}
	}
	conf_str_list_free(list, n);
}

static void parse_one(struct conf_ctx *ctx, const config_setting_t *in,
		      const struct conf *c, struct conf_anycast *out)
{
	struct conf_instance *b = &out->base;
	char *str = NULL;

	b->line = (int)config_setting_source_line(in);
	b->smtp_alert = c->global.smtp_alert;
	snprintf(b->interface, sizeof(b->interface), "lo");
	out->hold_down_ms = HOLD_DOWN_DEFAULT_MS;
	conf_copy_name(ctx, in, b->name, sizeof(b->name),
		       config_setting_name(in), "anycast_instance name");
	if (!conf_is_group(ctx, in))
		return;
	conf_check_keys(ctx, in, anycast_keys);
	if (conf_get_str(ctx, in, "interface", &str) == 0 && str)
		conf_copy_name(ctx, config_setting_get_member(in, "interface"),
			       b->interface, sizeof(b->interface), str,
			       "interface");
	free(str);
	parse_vips(ctx, in, b);
	parse_trackers(ctx, in, c, b);
	conf_get_duration(ctx, in, "hold_down", 0, 3600000, &out->hold_down_ms);
	conf_get_str(ctx, in, "notify", &b->notify);
	conf_get_str(ctx, in, "notify_announced", &out->notify_announced);
	conf_get_str(ctx, in, "notify_withdrawn", &out->notify_withdrawn);
	if (conf_get_bool(ctx, in, "smtp_alert", &b->smtp_alert) == 0 &&
	    config_setting_get_member(in, "smtp_alert") && b->smtp_alert &&
	    !c->global.smtp_server)
		conf_warning(ctx, config_setting_get_member(in, "smtp_alert"),
			     "anycast_instance %s: smtp_alert is on but "
			     "global_defs.smtp_server is not set; no alert "
			     "will be sent",
			     b->name);
}

static bool vip_in(const struct conf_instance *in, struct in_addr a)
{
	size_t i;

	for (i = 0; i < in->n_vips; i++)
		if (in->vips[i].addr.s_addr == a.s_addr)
			return true;
	return false;
}

/* Names are how status and reload find an instance; an address held by
 * two owners would be removed by one while the other wants it. */
static void check_clashes(struct conf_ctx *ctx, const config_setting_t *set,
			  const struct conf *c, size_t i)
{
	const struct conf_instance *a = &c->anycast[i].base;
	const config_setting_t *at = config_setting_get_elem(set, (unsigned)i);
	char ip[INET_ADDRSTRLEN];
	size_t j, k;

	for (j = 0; j < c->n_instances; j++)
		if (!strcmp(a->name, c->instances[j].name))
			conf_error(ctx, at,
				   "anycast_instance %s: the name is already "
				   "a vrrp_instance (line %d)",
				   a->name, c->instances[j].line);
	for (j = 0; j < i; j++)
		if (!strcmp(a->name, c->anycast[j].base.name))
			conf_error(ctx, at,
				   "anycast_instance %s is defined twice "
				   "(first at line %d)",
				   a->name, c->anycast[j].base.line);
	for (k = 0; k < a->n_vips; k++) {
		const struct conf_instance *other = NULL;

		for (j = 0; j < c->n_instances && !other; j++)
			if (vip_in(&c->instances[j], a->vips[k].addr))
				other = &c->instances[j];
		for (j = 0; j < i && !other; j++)
			if (vip_in(&c->anycast[j].base, a->vips[k].addr))
				other = &c->anycast[j].base;
		if (!other)
			continue;
		inet_ntop(AF_INET, &a->vips[k].addr, ip, sizeof(ip));
		conf_error(ctx, at,
			   "anycast_instance %s: %s is also a virtual address "
			   "of %s (line %d); an address has one owner",
			   a->name, ip, other->name, other->line);
	}
}

int conf_anycast_parse(struct conf_ctx *ctx, const config_setting_t *root,
		       struct conf *c)
{
	config_setting_t *set =
	    config_setting_get_member(root, "anycast_instance");
	unsigned errors = ctx->diag->errors;
	int i, n;

	if (!set || !conf_is_group(ctx, set))
		return conf_result(ctx, errors);
	n = config_setting_length(set);
	c->anycast = calloc((size_t)n + 1, sizeof(*c->anycast));
	for (i = 0; c->anycast && i < n; i++) {
		parse_one(ctx, config_setting_get_elem(set, (unsigned)i), c,
			  &c->anycast[i]);
		c->n_anycast++;
		check_clashes(ctx, set, c, (size_t)i);
	}
	return conf_result(ctx, errors);
}

void conf_anycast_free(struct conf_anycast *a)
{
	free(a->notify_announced);
	free(a->notify_withdrawn);
}
