/*
 * Putting a configuration's sections in place, the same way at start
 * (over nothing) and at a reload (over the running ones): build the new
 * sections, map the old ones onto them (conf_fwd_change), bind or hand
 * over their sockets, then install them, carrying state and sessions
 * over. reload.c decides when, and what else a reload does.
 */
#ifndef FWD_INSTALL_H
#define FWD_INSTALL_H

#include "../conf/conf_fwd_diff.h"
#include "fwd.h"

struct tally {
	unsigned kept, added, removed;
};

/* What a new configuration means for the running one (none at start). */
struct plan {
	struct conf *conf;
	struct fwd_listen *ls; /* new sections */
	size_t n;
	struct conf_fwd_change ch; /* old sections and servers -> new ones */
	int *lmap;  /* ch.lmap: old section -> new one, or -1 (removed) */
	int **smap; /* ch.smap: per old section: old server -> new, or -1 */
	int *fds;   /* per new bind, in order: its socket */
	struct fwd_bind **src; /* per new bind: the old one handing its fd */
	size_t n_binds;
	struct tally listens, servers, binds;
	/* what install() replaced (NULL at start), for the caller to retire */
	struct conf *old_conf;
	struct fwd_listen *old_ls;
	size_t n_old;
};

/* Builds p for conf against f's running sections (none at start): the
 * new sections, their mapping from the old ones, their sockets. Takes
 * conf. On failure p is undone (conf freed) and err says why (path
 * names the file). 0 or -errno. */
int plan_make(struct fwd *f, struct plan *p, struct conf *conf,
	      const char *path, char *err, size_t len);
/* Puts p's sections in the place of f's; the old ones in p->old_*. */
void install(struct fwd *f, struct plan *p);
/* Frees what p still holds after install(). */
void plan_free(struct plan *p);

#endif
