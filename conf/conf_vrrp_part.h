/*
 * What vrrp_instance and anycast_instance parse alike: addresses
 * (conf_vrrp_vip.c) and trackers (conf_vrrp_track.c). Only conf/ files
 * include this header.
 */
#ifndef CONF_VRRP_PART_H
#define CONF_VRRP_PART_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "conf_util.h"

/* A caller's own rule for one parsed entry (e is where it stands). */
typedef void conf_vip_check_fn(struct conf_ctx *ctx, const config_setting_t *e,
			       const char *text, const struct conf_instance *in,
			       const struct conf_vip *vip);

/* in's virtual_ipaddress into out->vips: required, not empty, at most max
 * entries (0: no limit); kind ("vrrp_instance") starts the messages. */
void conf_vips_parse(struct conf_ctx *ctx, const config_setting_t *in,
		     const char *kind, size_t max, conf_vip_check_fn *check,
		     struct conf_instance *out);

/* track_script, track_interface and track_forwarder of in. weighted: a
 * vrrp_instance (each tracker may carry a weight); else an
 * anycast_instance, where a weight is an error. */
void conf_track_parse(struct conf_ctx *ctx, const config_setting_t *in,
		      const struct conf *c, bool weighted,
		      struct conf_instance *out);

/* smtp_alert of in (kind: "vrrp_instance"), with a warning when no
 * global_defs.smtp_server would send it. */
void conf_alert_parse(struct conf_ctx *ctx, const config_setting_t *in,
		      const struct conf *c, const char *kind,
		      struct conf_instance *out);

#endif
