/*
 * Checks of a loaded configuration against this host, for -t: what
 * keepalived's -t would warn about and the loader cannot know.
 */
#ifndef CONF_HOST_H
#define CONF_HOST_H

#include "conf.h"

/* Warns ("FILE:LINE: warning: ...") about each interface an instance
 * names (interface, virtual_ipaddress dev, track_interface) that does not
 * exist here. */
void conf_check_host(const struct conf *c, struct conf_diag *d);

#endif
