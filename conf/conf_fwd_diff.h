/*
 * What changed in the forwarder section between two loads: the pure
 * half of fwd's reload, next to vrrpd's (conf_diff.h). No I/O; fwd maps
 * its run-time sections and servers with it and carries their state
 * over. At start-up the old load is NULL: everything is added.
 */
#ifndef CONF_CONF_FWD_DIFF_H
#define CONF_CONF_FWD_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "conf_fwd.h"

struct conf_fwd_tally {
	unsigned kept, added, removed;
};

struct conf_fwd_change {
	size_t n_old; /* old listen sections */
	int *lmap;    /* old listen -> new one by name, or -1 */
	int **smap;   /* per old listen: old server -> new, or -1 */
	struct conf_fwd_tally listens, servers;
	bool stats;	     /* the status page's address or uri */
	bool control_socket; /* takes effect at restart only */
	bool identity;	     /* user/group: at restart only */
};

/* Fills ch for old (NULL: start-up) -> new. 0, or -ENOMEM (ch is then
 * safe to free). */
int conf_fwd_change(const struct conf_fwd *old, const struct conf_fwd *new,
		    struct conf_fwd_change *ch);
void conf_fwd_change_free(struct conf_fwd_change *ch);

/* A server stays when its name and address stay (its section too). */
bool conf_fwd_server_same(const struct conf_fwd_server *a,
			  const struct conf_fwd_server *b);
/* The status page's socket is made again only when this is false. */
bool conf_fwd_stats_same(const struct conf_fwd_stats *a,
			 const struct conf_fwd_stats *b);

#endif
