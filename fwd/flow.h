/*
 * The byte pump of a session (flow.c): what session.c and connect.c call.
 */
#ifndef FWD_FLOW_H
#define FWD_FLOW_H

#include "proxy.h"

/* Gives back fl's pipe and buffer (the session ends). */
void flow_release(struct fwd *f, struct flow *fl);
/* Counts n bytes of fl as sent, on the listener and the server. */
void account(struct session *s, struct flow *fl, size_t n);
/* One recv from in, sent on to out as far as it goes: 1 moved, 0
 * nothing now, -errno. */
int flow_fill_copy(struct session *s, struct flow *fl, struct side *in,
		   struct side *out);
/* Moves bytes both ways; may close s. */
void session_pump(struct session *s);

#endif
