/* The vrrpd sections: global_defs, vrrp_script, vrrp_instance. */
#ifndef CONF_VRRP_H
#define CONF_VRRP_H

#include <libconfig.h>

#include "conf_util.h"

/*
 * Parses the sections into c. global_defs is always parsed (both daemons
 * read it); scripts and instances only when full is true (fwd ignores
 * them, as vrrpd ignores the forwarder section).
 */
void conf_vrrp_parse(struct conf_ctx *ctx, const config_setting_t *root,
		     struct conf *c, bool full);

/* One virtual_ipaddress entry, "ADDR[/LEN] [dev IF] [label NAME]"
 * (anycast_instance shares the syntax). */
void conf_vip_parse(struct conf_ctx *ctx, const config_setting_t *at,
		    const char *text, struct conf_vip *vip);

#endif
