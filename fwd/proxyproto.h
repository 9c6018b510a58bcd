/*
 * The PROXY protocol (HAProxy's proxy-protocol.txt, versions 1 and 2),
 * pure: headers built from two addresses, and parsed from the first
 * bytes of a connection. No I/O.
 */
#ifndef FWD_PROXYPROTO_H
#define FWD_PROXYPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* v1: 107 bytes at most (spec 2.1); v2 with IPv6: 16 + 36. */
#define PP_V1_MAX 107
#define PP_V2_MAX 52
/* Longest header we accept (v2 TLVs included); longer is malformed. */
#define PP_READ_MAX 536

enum pp_version { PP_NONE, PP_V1, PP_V2 };

struct pp_info {
	bool local; /* v2 LOCAL or v1 UNKNOWN: keep the connection's own */
	struct sockaddr_storage src, dst;
};

/* The header for a connection from src to dst (same family, AF_INET or
 * AF_INET6; anything else gives "UNKNOWN" / LOCAL). Returns its length;
 * buf holds at least PP_V1_MAX + 1 (v1) or PP_V2_MAX (v2) bytes. */
size_t pp_encode_v1(const struct sockaddr *src, const struct sockaddr *dst,
		    char *buf);
size_t pp_encode_v2(const struct sockaddr *src, const struct sockaddr *dst,
		    uint8_t *buf);

/*
 * Parses a header at the start of buf: the header's length (> 0), 0 if
 * more bytes are needed, or -1 with *why set when buf does not start with
 * a valid header (then the connection must be closed).
 */
int pp_decode(const uint8_t *buf, size_t len, struct pp_info *out,
	      const char **why);

#endif
