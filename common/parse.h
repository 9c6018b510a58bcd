/* Parsing of durations and addresses shared by both daemons. Pure. */
#ifndef COMMON_PARSE_H
#define COMMON_PARSE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * "500ms", "10s", "1m", "2h", "1d", or a bare number of seconds.
 * Returns 0, or -EINVAL for garbage, -ERANGE for overflow.
 */
int parse_duration_ms(const char *s, int64_t *ms);

/* "198.18.0.1/24": prefix defaults to 32 when *has_prefix is NULL-safe. */
int parse_ipv4_prefix(const char *s, struct in_addr *addr, int *prefix);

/*
 * "1.2.3.4:80", "[2001:db8::1]:80", "::1" not accepted without brackets
 * when a port is required. Port 0 is allowed only if allow_no_port and the
 * port is missing (then the port stays 0).
 */
int parse_sockaddr(const char *s, struct sockaddr_storage *ss, socklen_t *len,
		   bool allow_no_port);

/* "1.2.3.4:80" or "[::1]:80" into buf (at least 64 bytes). */
const char *sockaddr_str(const struct sockaddr *sa, char *buf, size_t len);

/*
 * "Same address", the one definition for both daemons. host_only: the
 * same family and IP address (fwd's health line names hosts; a port
 * range is one host). Else the same socket address, what bind() takes as
 * the same: also the port and, for IPv6, the scope id. An IPv4-mapped
 * IPv6 address never equals the IPv4 one.
 */
bool sockaddr_equal(const struct sockaddr *a, const struct sockaddr *b,
		    bool host_only);

/* '0'-'9', 'a'-'f', 'A'-'F' to 0..15; -1 for anything else. */
int parse_hexdigit(char c);

/* Levenshtein distance, for "did you mean" suggestions. */
unsigned edit_distance(const char *a, const char *b);
/* The word of known (NULL-terminated) that word is plausibly a typo of,
 * or NULL. */
const char *closest_word(const char *word, const char *const *known);

#endif
