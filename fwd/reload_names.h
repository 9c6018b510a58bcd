/*
 * The names in fwd's reload reply (common/reload_reply.h), read off
 * reload.c's plan before its commit moves the old sections away: which
 * sections, servers (LISTEN/SERVER) and binds (by address) were kept,
 * added or removed. Pure.
 */
#ifndef FWD_RELOAD_NAMES_H
#define FWD_RELOAD_NAMES_H

#include <stddef.h>

#include "../common/reload_reply.h"

struct fwd_listen;
struct fwd_bind;

/*
 * old, new: the sections; lmap[old] = new index or -1; smap[old][server]
 * = new server index or -1; src[k] = the old bind handing its socket to
 * the k-th new bind (in order), or NULL. a: listeners, servers, binds.
 */
void reload_names(const struct fwd_listen *old, size_t n_old,
		  const struct fwd_listen *new, size_t n_new, const int *lmap,
		  int *const *smap, struct fwd_bind *const *src,
		  struct reload_area a[3]);

#endif
