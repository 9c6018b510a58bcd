/*
 * The forwarder section's parser in parts, one file a job: conf_fwd.c
 * (the forwarder group), conf_fwd_listen.c, conf_fwd_server.c and
 * conf_fwd_stats.c. Only those files include this header.
 */
#ifndef CONF_FWD_PART_H
#define CONF_FWD_PART_H

#include "conf_fwd.h"

#define MAX_MAXCONN 1000000
#define DAY_MS	    86400000

/* A timeout group's connect, client and server (and check, unless check
 * is NULL: a listen's group has none); unknown keys are reported. */
void conf_fwd_timeouts_parse(struct conf_ctx *ctx, const config_setting_t *t,
			     int64_t *connect, int64_t *client, int64_t *server,
			     int64_t *check);

/* forwarder.listen into f->listens, with binds used twice reported. */
void conf_fwd_listens_parse(struct conf_ctx *ctx, const config_setting_t *fwd,
			    struct conf_fwd *f);
/* listen.NAME.server into l->servers. */
void conf_fwd_servers_parse(struct conf_ctx *ctx, const config_setting_t *l,
			    struct conf_fwd_listen *out);
/* forwarder.stats into f->stats (after the listens: it checks its bind
 * against theirs). */
void conf_fwd_stats_parse(struct conf_ctx *ctx, const config_setting_t *fwd,
			  struct conf_fwd *f);

/* Whether binding both addresses would clash: equal, or the same port
 * with an IPv4 wildcard on either side. */
bool conf_fwd_same_addr(const struct sockaddr_storage *a, socklen_t alen,
			const struct sockaddr_storage *b, socklen_t blen);

/* HAProxy's wildcards "*:PORT" and ":PORT" as "0.0.0.0:PORT" (every IPv4
 * address of the host, so every VIP) in buf when it fits; else text. */
const char *conf_fwd_wildcard(const char *text, char *buf, size_t size);

#endif
