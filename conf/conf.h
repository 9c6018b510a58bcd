/*
 * Configuration: one libconfig file, keepalived vocabulary (DESIGN.md).
 * conf_load() turns it into validated typed structs or a list of
 * "FILE:LINE: message" problems; nothing is half-loaded.
 */
#ifndef CONF_CONF_H
#define CONF_CONF_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/sbuf.h"
#include "conf_vrrp.h" /* the vrrpd sections' types */

/* Problems found while loading, one "FILE:LINE: ..." line each. */
struct conf_diag {
	struct sbuf text;
	unsigned errors, warnings;
};

void conf_diag_init(struct conf_diag *d);
void conf_diag_free(struct conf_diag *d);

struct conf_fwd; /* conf/conf_fwd.h */

struct conf {
	char *file;
	struct conf_global global;
	struct conf_script *scripts;
	size_t n_scripts;
	struct conf_instance *instances;
	size_t n_instances;
	struct conf_anycast *anycast;
	size_t n_anycast;
	struct conf_fwd *fwd; /* NULL when the file has no forwarder section */
};

/* Which sections to turn into structs; the others are only recognised. */
enum {
	CONF_VRRP = 1 << 0,
	CONF_FWD = 1 << 1,
	CONF_ALL = CONF_VRRP | CONF_FWD,
};

/* The largest configuration file conf_load reads (docs/security.md). */
#define CONF_MAX_BYTES (4 * 1024 * 1024)

/*
 * Loads path: only a regular file of at most CONF_MAX_BYTES, opened
 * without blocking. Returns 0 and *out, or -1 with the problems in diag
 * (warnings may be present either way).
 */
int conf_load(const char *path, unsigned sections, struct conf **out,
	      struct conf_diag *diag);
void conf_free(struct conf *c);

const struct conf_script *conf_script_find(const struct conf *c,
					   const char *name);

#endif
