/*
 * What a TCP socket has queued and read, from TCP_INFO and the queue
 * ioctls, for the kernel data path (kpath_sess.c): the program moves a
 * session's bytes, and fwd learns how far they got from the sockets.
 */
#ifndef FWD_TCPCOUNT_H
#define FWD_TCPCOUNT_H

#include <linux/tcp.h>
#include <stdint.h>

/* TCP_INFO of fd; 0 or -errno. */
int tcpcount_info(int fd, struct tcp_info *ti);
/* Bytes ever queued for sending on fd (acknowledged + send queue). */
int tcpcount_written(int fd, uint64_t *out);
/* Bytes fd received that its reader took (received - receive queue). */
int tcpcount_read(int fd, uint64_t *out);

#endif
