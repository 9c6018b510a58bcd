#include "reload_names.h"

#include <stdio.h>
#include <string.h>

#include "../common/parse.h"
#include "fwd.h"

static long find(const struct fwd_listen *ls, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(ls[i].conf->name, name) == 0)
			return (long)i;
	return -1;
}

static const char *bind_name(const struct fwd_bind *b, char *buf, size_t len)
{
	return sockaddr_str((const struct sockaddr *)&b->conf->addr, buf, len);
}

/* The old sections' side: kept or removed. */
static void names_old(const struct fwd_listen *old, size_t n_old,
		      const int *lmap, int *const *smap,
		      struct fwd_bind *const *src, size_t n_src,
		      struct reload_area a[3])
{
	char name[2 * CONF_NAME_MAX + 2];
	size_t i, j, k;

	for (i = 0; i < n_old; i++) {
		const struct fwd_listen *ol = &old[i];

		reload_area_add(&a[0],
				lmap[i] < 0 ? RELOAD_REMOVED : RELOAD_KEPT,
				ol->conf->name);
		for (j = 0; j < ol->n_servers; j++) {
			snprintf(name, sizeof(name), "%s/%s", ol->conf->name,
				 ol->servers[j].conf->name);
			reload_area_add(&a[1],
					smap[i][j] < 0 ? RELOAD_REMOVED
						       : RELOAD_KEPT,
					name);
		}
		for (j = 0; j < ol->n_binds; j++) {
			for (k = 0; k < n_src && src[k] != &ol->binds[j]; k++)
				;
			if (k == n_src && ol->binds[j].io.fd >= 0)
				reload_area_add(&a[2], RELOAD_REMOVED,
						bind_name(&ol->binds[j], name,
							  sizeof(name)));
		}
	}
}

void reload_names(const struct fwd_listen *old, size_t n_old,
		  const struct fwd_listen *new, size_t n_new, const int *lmap,
		  int *const *smap, struct fwd_bind *const *src,
		  struct reload_area a[3])
{
	char name[2 * CONF_NAME_MAX + 2];
	size_t i, j, k, n_src = 0;

	for (i = 0; i < n_new; i++)
		n_src += new[i].n_binds;
	names_old(old, n_old, lmap, smap, src, n_src, a);
	for (i = 0, n_src = 0; i < n_new; i++) {
		const struct fwd_listen *nl = &new[i];
		long oi = find(old, n_old, nl->conf->name);

		if (oi < 0)
			reload_area_add(&a[0], RELOAD_ADDED, nl->conf->name);
		for (j = 0; j < nl->n_servers; j++) {
			bool kept = false;

			for (k = 0; oi >= 0 && k < old[oi].n_servers; k++)
				kept |= smap[oi][k] == (int)j;
			snprintf(name, sizeof(name), "%s/%s", nl->conf->name,
				 nl->servers[j].conf->name);
			if (!kept)
				reload_area_add(&a[1], RELOAD_ADDED, name);
		}
		for (j = 0; j < nl->n_binds; j++, n_src++)
			reload_area_add(
			    &a[2], src[n_src] ? RELOAD_KEPT : RELOAD_ADDED,
			    bind_name(&nl->binds[j], name, sizeof(name)));
	}
}
