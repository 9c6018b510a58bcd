/* The forwarder section of the configuration (fwd). */
#ifndef CONF_FWD_H
#define CONF_FWD_H

#include <libconfig.h>

#include "conf_util.h"

struct conf_fwd {
	int placeholder_until_fwd_lands;
};

/* Parses the "forwarder" group; 0, or -1 with problems reported. */
int conf_fwd_parse(struct conf_ctx *ctx, const config_setting_t *fwd,
		   struct conf_fwd **out);
void conf_fwd_free(struct conf_fwd *f);

#endif
