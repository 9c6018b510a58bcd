/*
 * A server's run-time state (server.c): its admin wish and health
 * verdict, whether it may take clients, and the balancer's view of it.
 * struct fwd_server itself is in fwd.h, with the rest of the state tree.
 */
#ifndef FWD_SERVER_H
#define FWD_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "fwd.h"

const char *server_admin_str(enum server_admin a);
/* "UP", "DOWN", "DRAIN" or "MAINT", as reported by stats. */
const char *server_state_str(const struct fwd_server *s);
/* May take new (non-sticky) clients. */
bool server_usable(const struct fwd_server *s);
/* May take clients stuck to it. */
bool server_stick_ok(const struct fwd_server *s);
/* Applies a health check result (active or passive); why is the reason
 * for the log line ("L7STS status 503", "Connection refused"). */
void server_health_result(struct fwd_server *s, bool ok, const char *why,
			  const char *how);
void server_set_admin(struct fwd_server *s, enum server_admin a);
/*
 * The operator's change of a server by name, from the control socket or
 * the status page: finds it, logs who asked ("control (uid 0)", "stats
 * page (admin from 198.18.0.9)"), applies it. The server, or NULL with
 * err set ("no listen section 'x'", "listen x has no server 'y'").
 */
struct fwd_server *server_admin_by_name(struct fwd *f, const char *listen,
					const char *server, enum server_admin a,
					const char *who, char *err,
					size_t errlen);
/* Fresh state for l->servers[idx] (health UP, admin from the config). */
void server_init(struct fwd_server *s, struct fwd_listen *l, int idx,
		 const struct conf_fwd_server *c);
/* Refreshes the balancer's view of the server. */
void server_sync(struct fwd_server *s);

#endif
