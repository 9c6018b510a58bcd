/* The anycast_instance section: VIPs held while every tracker is healthy,
 * announced upstream by a BGP speaker watching the interface (DESIGN.md). */
#ifndef CONF_CONF_ANYCAST_H
#define CONF_CONF_ANYCAST_H

#include <libconfig.h>

#include "conf.h"
#include "conf_util.h"

/* Parses root's anycast_instance into c->anycast (after vrrp_script and
 * vrrp_instance, whose names it checks against); 0, or -1 reported. */
int conf_anycast_parse(struct conf_ctx *ctx, const config_setting_t *root,
		       struct conf *c);
void conf_anycast_free(struct conf_anycast *a);

#endif
