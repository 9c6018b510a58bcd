#include "conf_fwd_diff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/parse.h"

/* the whole socket address: port and IPv6 scope too */
static bool addr_same(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	return sockaddr_equal((const struct sockaddr *)a,
			      (const struct sockaddr *)b, false);
}

bool conf_fwd_server_same(const struct conf_fwd_server *a,
			  const struct conf_fwd_server *b)
{
	return strcmp(a->name, b->name) == 0 && addr_same(&a->addr, &b->addr) &&
	       a->port_follow == b->port_follow &&
	       a->port_offset == b->port_offset;
}

bool conf_fwd_stats_same(const struct conf_fwd_stats *a,
			 const struct conf_fwd_stats *b)
{
	if (a->enabled != b->enabled)
		return false;
	if (!a->enabled)
		return true;
	if (!a->uri || !b->uri)
		return a->uri == b->uri && addr_same(&a->addr, &b->addr);
	return addr_same(&a->addr, &b->addr) && !strcmp(a->uri, b->uri);
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static int find_listen(const struct conf_fwd *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_listens; i++)
		if (strcmp(c->listens[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int find_server(const struct conf_fwd_listen *l,
		       const struct conf_fwd_server *s)
{
	size_t i;

	for (i = 0; i < l->n_servers; i++)
		if (conf_fwd_server_same(&l->servers[i], s))
			return (int)i;
	return -1;
}

int conf_fwd_change(const struct conf_fwd *old, const struct conf_fwd *new,
		    struct conf_fwd_change *ch)
{
	size_t n_old = old ? old->n_listens : 0, i, j;

	memset(ch, 0, sizeof(*ch));
	ch->lmap = calloc(n_old + 1, sizeof(*ch->lmap));
	ch->smap = calloc(n_old + 1, sizeof(*ch->smap));
	if (!ch->lmap || !ch->smap)
		return -ENOMEM;
	ch->n_old = n_old;
	for (i = 0; i < n_old; i++) {
		const struct conf_fwd_listen *ol = &old->listens[i];
		int ni = find_listen(new, ol->name);

		ch->lmap[i] = ni;
		ch->smap[i] = calloc(ol->n_servers + 1, sizeof(*ch->smap[i]));
		if (!ch->smap[i])
			return -ENOMEM;
		for (j = 0; j < ol->n_servers; j++) {
			ch->smap[i][j] = ni < 0 ? -1
						: find_server(&new->listens[ni],
							      &ol->servers[j]);
			if (ch->smap[i][j] < 0)
				ch->servers.removed++;
			else
				ch->servers.kept++;
		}
		if (ni < 0)
			ch->listens.removed++;
		else
			ch->listens.kept++;
	}
	ch->listens.added = (unsigned)new->n_listens - ch->listens.kept;
	for (i = 0; i < new->n_listens; i++)
		ch->servers.added += (unsigned)new->listens[i].n_servers;
	ch->servers.added -= ch->servers.kept;
	if (old) {
		ch->stats = !conf_fwd_stats_same(&old->stats, &new->stats);
		ch->control_socket =
		    strcmp(old->control_socket, new->control_socket) != 0;
		ch->identity = !str_same(old->user, new->user) ||
			       !str_same(old->group, new->group);
	}
	return 0;
}

void conf_fwd_change_free(struct conf_fwd_change *ch)
{
	size_t i;

	for (i = 0; ch->smap && i < ch->n_old; i++)
		free(ch->smap[i]);
	free(ch->smap);
	free(ch->lmap);
	ch->smap = NULL;
	ch->lmap = NULL;
}
