#include "conf_host.h"

#include <net/if.h>
#include <string.h>

/* One warning per name per instance: the line is the instance's. */
static void warn_missing_in(const struct conf *c,
			    const struct conf_instance *in, const char *kind,
			    const char *what, const char *name,
			    struct conf_diag *d)
{
	if (!*name || if_nametoindex(name) != 0)
		return;
	sbuf_printf(&d->text,
		    "%s:%d: warning: %s %s: %s '%s' does not exist "
		    "on this host (see ip link)\n",
		    c->file, in->line, kind, in->name, what, name);
	d->warnings++;
}

static void warn_missing(const struct conf *c, const struct conf_instance *in,
			 const char *what, const char *name,
			 struct conf_diag *d)
{
	warn_missing_in(c, in, "vrrp_instance", what, name, d);
}

void conf_check_host(const struct conf *c, struct conf_diag *d)
{
	size_t i, j;

	for (i = 0; i < c->n_instances; i++) {
		const struct conf_instance *in = &c->instances[i];

		warn_missing(c, in, "interface", in->interface, d);
		for (j = 0; j < in->n_vips; j++)
			if (strcmp(in->vips[j].dev, in->interface) != 0)
				warn_missing(c, in, "virtual_ipaddress dev",
					     in->vips[j].dev, d);
		for (j = 0; j < in->n_track_ifs; j++)
			warn_missing(c, in, "track_interface",
				     in->track_ifs[j].name, d);
	}
	for (i = 0; i < c->n_anycast; i++) {
		const struct conf_instance *in = &c->anycast[i].base;

		warn_missing_in(c, in, "anycast_instance", "interface",
				in->interface, d);
		for (j = 0; j < in->n_vips; j++)
			if (strcmp(in->vips[j].dev, in->interface) != 0)
				warn_missing_in(c, in, "anycast_instance",
						"virtual_ipaddress dev",
						in->vips[j].dev, d);
		for (j = 0; j < in->n_track_ifs; j++)
			warn_missing_in(c, in, "anycast_instance",
					"track_interface",
					in->track_ifs[j].name, d);
	}
}
