/*
 * Listening sockets: bound with IP_FREEBIND / IPV6_FREEBIND so a VIP
 * that is not (yet) on the host needs no ip_nonlocal_bind sysctl.
 * A listener leaves epoll while its maxconn (or the global one) is
 * reached, so extra clients wait in the kernel's backlog.
 */
#ifndef FWD_LISTENER_H
#define FWD_LISTENER_H

#include "fwd.h"

/* Binds every listen section's addresses. 0, or -errno (logged). */
int listener_open(struct fwd *f);
/* Puts listeners in or out of epoll according to maxconn and state. */
void listener_sync(struct fwd *f);
/* Out of fds (err): stops accepting for a moment instead of spinning. */
void listener_pause(struct fwd *f, int err);
/* Closes all listening sockets (SIGTERM: stop accepting). */
void listener_close(struct fwd *f);

#endif
