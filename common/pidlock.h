/*
 * One daemon per control socket: an flock(2) on "SOCKET.lock", holding
 * the owner's PID. The kernel drops the lock when the owner dies, however
 * it dies, so a stale file never blocks a restart; the file itself is
 * left in place (unlinking a lock file races with the next taker).
 */
#ifndef COMMON_PIDLOCK_H
#define COMMON_PIDLOCK_H

#include <stddef.h>
#include <sys/types.h>

/* "SOCKET.lock" into buf. 0 or -ENAMETOOLONG. */
int pidlock_path(const char *sock_path, char *buf, size_t len);

/*
 * Takes the lock for sock_path without waiting (creating its directory
 * and file as needed) and writes our PID into it. Returns the descriptor
 * to keep open for as long as we run; -EWOULDBLOCK when another process
 * holds it, with its PID in *holder (0 if it wrote none); other -errno.
 */
int pidlock_take(const char *sock_path, pid_t *holder);

#endif
