/*
 * Sessions on the kernel data path (issue 20). Once a session's back
 * end is connected and the first bytes went through fwd (PROXY header,
 * first-bytes wait, retries: all on the copy path), both sockets are
 * handed to the sockmap program (kpath.c) and fwd is woken only for
 * FIN, error, flow control and timeouts. The hooks below are called
 * from proxy.c; a session that cannot be handed off stays on the copy
 * path.
 */
#ifndef FWD_KPATH_SESS_H
#define FWD_KPATH_SESS_H

#include <stdint.h>

struct conf_fwd;
struct fwd;
struct session;
struct side;

/* At start, as root: forwarder.data_path. 0, or -1 ("kernel" but the
 * kernel path cannot be had; said why). */
int kpath_sess_start(struct fwd *f);
void kpath_sess_stop(struct fwd *f);
/* A reload to n: "copy" applies to new sessions at once, the kernel
 * path only if fwd started with it (else a warning). */
void kpath_sess_reload(const struct fwd *f, const struct conf_fwd *n);
/* "kernel" or "copy": what new sessions get (stats data_path). */
const char *kpath_sess_path(const struct fwd *f);
/* After a pump that left both directions waiting for bytes. */
void kpath_sess_try(struct session *s);
/* An event on a handed-off session's socket sd. */
void kpath_sess_event(struct session *s, struct side *sd, uint32_t ev);
/* The session timer of a handed-off session. */
void kpath_sess_timeout(struct session *s);
/* From session_close(): the program's byte counts into the session and
 * the stats, the sockets out of the maps. No-op on the copy path. */
void kpath_sess_end(struct session *s);

#endif
