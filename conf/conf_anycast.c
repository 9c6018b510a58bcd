#include "conf_anycast.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_vrrp_part.h"

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

/* Anycast's own rules for an address: IPv4, best a /32. */
static void check_vip(struct conf_ctx *ctx, const config_setting_t *e,
		      const char *text, const struct conf_instance *in,
		      const struct conf_vip *vip)
{
	char ip[INET_ADDRSTRLEN];

	if (vip->family == AF_INET6) {
		conf_error(ctx, e,
			   "anycast_instance %s: \"%s\" is IPv6; "
			   "anycast instances take IPv4 addresses "
			   "only for now",
			   in->name, text);
		return;
	}
	if (vip->addr.s_addr && vip->prefix != 32) {
		inet_ntop(AF_INET, &vip->addr, ip, sizeof(ip));
		conf_warning(ctx, e,
			     "anycast_instance %s: %s/%d is not a "
			     "/32; the whole prefix becomes local "
			     "and the shipped FRR route-map "
			     "announces only /32s",
			     in->name, ip, vip->prefix);
	}
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
	conf_vips_parse(ctx, in, "anycast_instance", 0, check_vip, b);
	conf_track_parse(ctx, in, c, false, b);
	conf_get_duration(ctx, in, "hold_down", 0, 3600000, &out->hold_down_ms);
	conf_get_str(ctx, in, "notify", &b->notify);
	conf_get_str(ctx, in, "notify_announced", &out->notify_announced);
	conf_get_str(ctx, in, "notify_withdrawn", &out->notify_withdrawn);
	conf_alert_parse(ctx, in, c, "anycast_instance", b);
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
