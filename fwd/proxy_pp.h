/*
 * The PROXY protocol on sessions: reading a client's header
 * (listen.NAME.accept_proxy) and putting one in front of the client's
 * bytes to a server (server.NAME.send_proxy). The codec is proxyproto.c.
 */
#ifndef FWD_PROXY_PP_H
#define FWD_PROXY_PP_H

#include "proxy.h"

/* Reads the header from the client: 1 read (s->peer is now the
 * header's source), 0 more bytes needed, -1 the session must close
 * (*why says why; errno-like err set for socket errors). */
int pp_session_read(struct session *s, const char **why, int *err);
/* Puts s->srv's header (or none) in front of the bytes waiting for the
 * server. 0 or -ENOMEM. */
int pp_session_prepare(struct session *s);
/* The header checks send (check.send_proxy): LOCAL / UNKNOWN. */
size_t pp_check_header(int version, char *buf, size_t len);

#endif
