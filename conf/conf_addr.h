/*
 * Listener and server addresses with HAProxy's port forms, pure:
 * "ip:lo-hi" port ranges for binds, and port-less or offset server
 * addresses ("ip", "ip:+1000", "ip:-1000") that follow the port the
 * client connected to.
 */
#ifndef CONF_ADDR_H
#define CONF_ADDR_H

#include <stdbool.h>
#include <sys/socket.h>

/* Ports one bind range may open (each one is a socket). */
#define CONF_BIND_RANGE_MAX 1024

/*
 * "ip:port" or "ip:lo-hi" ("[ipv6]:lo-hi"): the address with port lo,
 * and the range. 0, -EINVAL (not an address), -ERANGE (lo > hi) or
 * -E2BIG (more than CONF_BIND_RANGE_MAX ports).
 */
int conf_addr_bind(const char *s, struct sockaddr_storage *ss, socklen_t *len,
		   int *lo, int *hi);

/*
 * "ip:port", or "ip" / "[ipv6]" (follow the client's port) or
 * "ip:+N" / "ip:-N" (the client's port plus N). The port in ss is 0
 * when *follow. 0 or -EINVAL.
 */
int conf_addr_server(const char *s, struct sockaddr_storage *ss, socklen_t *len,
		     bool *follow, int *offset);

/* The back-end port for a client that connected to port lport, or -1
 * when the offset takes it out of 1..65535. */
int conf_addr_follow_port(int lport, int offset);

#endif
