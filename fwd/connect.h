/*
 * Connecting a session to a server (connect.c): choosing one, the
 * non-blocking connect, retries and redispatch.
 */
#ifndef FWD_CONNECT_H
#define FWD_CONNECT_H

#include "proxy.h"

/* Connects s to srv, or to a server chosen now (srv NULL) other than
 * exclude (an index or -1); may close s. */
void session_connect(struct session *s, struct fwd_server *srv, int exclude);
/* The connect failed or timed out: retry, redispatch or close s. */
void connect_failure(struct session *s, int err);
/* Uncounts s from its server, if any. */
void detach_server(struct session *s);

#endif
