/* track_script, track_interface and track_forwarder: what an instance
 * watches. vrrp_instance weighs each tracker; anycast_instance has no
 * priority to move, so any failing tracker withdraws its addresses and a
 * weight there is an error. */
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "conf_util.h"
#include "conf_vrrp_part.h"

static const char *const weight_keys[] = {"name", "weight", NULL};
static const char *const track_fwd_keys[] = {"weight", "timeout", "hold", NULL};
static const char *const anycast_fwd_keys[] = {"timeout", NULL};

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

/* Either "name" or { name = "..."; weight = N; } (no weight unless
 * weighted). False when the entry is to be skipped, reported. */
static bool parse_weighted(struct conf_ctx *ctx, const config_setting_t *e,
			   bool weighted, const char *inst, const char **name,
			   long *weight, bool *weight_set)
{
	config_setting_t *w;

	*weight_set = false;
	if (config_setting_type(e) == CONFIG_TYPE_STRING) {
		*name = config_setting_get_string(e);
		return true;
	}
	if (!config_setting_is_group(e)) {
		conf_error(ctx, e,
			   weighted
			       ? "expected \"name\" or { name = \"...\"; "
				 "weight = N; }"
			       : "expected \"name\" or { name = \"...\"; }");
		return false;
	}
	w = config_setting_get_member(e, "weight");
	if (weighted)
		conf_check_keys(ctx, e, weight_keys);
	else if (w)
		reject_weight(ctx, w, inst);
	if (!config_setting_lookup_string(e, "name", name)) {
		conf_error(ctx, e, "'name' (a string) is required here");
		return false;
	}
	if (w && !weighted)
		return false;
	if (w) {
		if (conf_get_int(ctx, e, "weight", -253, 253, weight) < 0)
			return false;
		*weight_set = true;
	}
	return true;
}

static config_setting_t *
list_member(struct conf_ctx *ctx, const config_setting_t *in, const char *key)
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

static void parse_track_scripts(struct conf_ctx *ctx,
				const config_setting_t *in,
				const struct conf *c, bool weighted,
				struct conf_instance *out)
{
	config_setting_t *s = list_member(ctx, in, "track_script");
	int i, n = s ? config_setting_length(s) : 0;

	out->track_scripts = calloc((size_t)n + 1, sizeof(*out->track_scripts));
	for (i = 0; out->track_scripts && i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct conf_track_script *t =
		    &out->track_scripts[out->n_track_scripts];
		const char *name;
		long w = 0;

		if (!parse_weighted(ctx, e, weighted, out->name, &name, &w,
				    &t->weight_set))
			continue;
		if (!conf_script_find(c, name)) {
			conf_error(ctx, e,
				   "track_script '%s' is not defined in "
				   "vrrp_script",
				   name);
			continue;
		}
		snprintf(t->name, sizeof(t->name), "%s", name);
		t->weight = (int)w;
		out->n_track_scripts++;
	}
}

static void parse_track_ifs(struct conf_ctx *ctx, const config_setting_t *in,
			    bool weighted, struct conf_instance *out)
{
	config_setting_t *s = list_member(ctx, in, "track_interface");
	int i, n = s ? config_setting_length(s) : 0;

	out->track_ifs = calloc((size_t)n + 1, sizeof(*out->track_ifs));
	for (i = 0; out->track_ifs && i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct conf_track_if *t = &out->track_ifs[out->n_track_ifs];
		const char *name;
		long w = 0;
		bool set;

		if (!parse_weighted(ctx, e, weighted, out->name, &name, &w,
				    &set))
			continue;
		if (!conf_copy_name(ctx, e, t->name, sizeof(t->name), name,
				    "track_interface"))
			continue;
		t->weight = (int)w;
		out->n_track_ifs++;
	}
}

static void parse_track_forwarder(struct conf_ctx *ctx,
				  const config_setting_t *in, bool weighted,
				  struct conf_instance *out)
{
	config_setting_t *s = config_setting_get_member(in, "track_forwarder");
	config_setting_t *w;
	long weight = 0;

	if (!s || !conf_is_group(ctx, s))
		return;
	w = config_setting_get_member(s, "weight");
	if (weighted) {
		conf_check_keys(ctx, s, track_fwd_keys);
		if (conf_get_int(ctx, s, "weight", -253, 253, &weight) == 0) {
			out->track_forwarder = true;
			out->track_forwarder_weight = (int)weight;
		}
	} else {
		if (w)
			reject_weight(ctx, w, out->name);
		else
			conf_check_keys(ctx, s, anycast_fwd_keys);
		out->track_forwarder = true;
	}
	/* 3 heartbeats; under 2 would count a late one as lost */
	out->track_forwarder_timeout_ms = 3 * CONF_FWD_HEARTBEAT_MS;
	conf_get_duration(ctx, s, "timeout", 2 * CONF_FWD_HEARTBEAT_MS, 60000,
			  &out->track_forwarder_timeout_ms);
	/* anycast has no hold: its hold_down damps recovery */
	if (weighted) {
		out->track_forwarder_hold_ms = CONF_FWD_HOLD_MS;
		conf_get_duration(ctx, s, "hold", 0, 3600000,
				  &out->track_forwarder_hold_ms);
	}
}

void conf_track_parse(struct conf_ctx *ctx, const config_setting_t *in,
		      const struct conf *c, bool weighted,
		      struct conf_instance *out)
{
	parse_track_scripts(ctx, in, c, weighted, out);
	parse_track_ifs(ctx, in, weighted, out);
	parse_track_forwarder(ctx, in, weighted, out);
}
