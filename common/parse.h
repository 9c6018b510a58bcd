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

/* Levenshtein distance, for "did you mean" suggestions. */
unsigned edit_distance(const char *a, const char *b);
/* The word of known (NULL-terminated) that word is plausibly a typo of,
 * or NULL. */
const char *closest_word(const char *word, const char *const *known);

#endif
