#include "conf_fwd.h"

#include <stdlib.h>

int conf_fwd_parse(struct conf_ctx *ctx, const config_setting_t *fwd,
		   struct conf_fwd **out)
{
	if (!conf_is_group(ctx, fwd))
		return -1;
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -1;
}

void conf_fwd_free(struct conf_fwd *f)
{
	free(f);
}
