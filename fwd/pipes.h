/*
 * A pool of idle pipes for splice(). A flow holds a pipe only while bytes
 * sit in it, so idle connections cost no pipe (two fds and up to 64 KiB
 * of kernel buffers each).
 */
#ifndef FWD_PIPES_H
#define FWD_PIPES_H

#include <stddef.h>

struct pipes {
	int (*free)[2];
	size_t n, cap;
	size_t in_use;
	/*
	 * Pipes open at most, in use and idle: the descriptors that maxconn
	 * did not promise to sockets (set by fwd_fit_maxconn, kept by
	 * pipes_init). Past it a flow
	 * copies instead; a pipe must never take the fd that a back-end
	 * socket needs (at 256 open files, splice sessions reset clients).
	 */
	size_t limit;
	int size; /* bytes per pipe (F_GETPIPE_SZ) */
};

void pipes_init(struct pipes *p, size_t cap);
void pipes_free(struct pipes *p);
/* 0 or -errno (-EMFILE past limit); fd[0] reads, fd[1] writes. */
int pipes_get(struct pipes *p, int fd[2]);
/* The pipe must be empty; it is kept for reuse or closed. */
void pipes_put(struct pipes *p, int fd[2]);

/* Closes a pipe that still holds bytes nobody will read. */
void pipes_discard(struct pipes *p, int fd[2]);

#endif
