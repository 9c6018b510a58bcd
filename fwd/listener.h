/*
 * Listening sockets: bound with IP_FREEBIND / IPV6_FREEBIND so a VIP
 * that is not (yet) on the host needs no ip_nonlocal_bind sysctl.
 * A listener leaves epoll while its maxconn (or the global one) is
 * reached, so extra clients wait in the kernel's backlog.
 */
#ifndef FWD_LISTENER_H
#define FWD_LISTENER_H

#include "fwd.h"

/* Once, before the first sections are installed (reload.c). */
void listener_init(struct fwd *f);
/* Puts listeners in or out of epoll according to maxconn and state. */
void listener_sync(struct fwd *f);
/* Out of fds (err): stops accepting for a moment instead of spinning. */
void listener_pause(struct fwd *f, int err);
/* Closes all listening sockets (SIGTERM: stop accepting). */
void listener_close(struct fwd *f);

/* Run-time listen sections for c (no socket yet): *out and *n_out are
 * set even on -ENOMEM, for listener_free. */
int listener_build(struct fwd *f, const struct conf_fwd *c,
		   struct fwd_listen **out, size_t *n_out);
void listener_free(struct fwd_listen *ls, size_t n);
/* A bound, listening, non-blocking socket for b: fd, or -errno. */
int listener_bind(const struct conf_fwd_bind *b, int backlog);
int listener_backlog(const struct conf_fwd_listen *cl);
/* Makes fd (listening) b's socket; listener_sync puts it in epoll. */
void listener_attach(struct fwd_bind *b, int fd);
/* A session's first bytes came from the server (server_first) or the
 * client: turns TCP_DEFER_ACCEPT on or off for l's sockets. */
void listener_note_speaker(struct fwd_listen *l, bool server_first);
/* A socket new to its section (fresh, or kept from a section of another
 * name): TCP_DEFER_ACCEPT as its section has learnt, on only after its
 * run of client-first sessions. */
void listener_defer_sync(struct fwd_bind *b);
/* Closes one listening socket. */
void listener_close_bind(struct fwd *f, struct fwd_bind *b);

#endif
