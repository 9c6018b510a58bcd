/*
 * Messages between vrrpd's main process and its script spawner
 * (privsep.c), one per SOCK_SEQPACKET datagram. Pure: encode and decode
 * only, so a unit test can feed it anything.
 *
 * request: header, then NUL-terminated strings: tag, user name,
 *          argc arguments, envc environment entries.
 * reply:   fixed struct spawn_rep.
 */
#ifndef VRRPD_SPAWNMSG_H
#define VRRPD_SPAWNMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SPAWN_MSG_MAX  16384
#define SPAWN_MAX_ARGS 64
#define SPAWN_MAX_ENV  16

struct spawn_req {
	uint32_t id;
	uint32_t flags; /* PROC_OUTLIVE */
	int64_t limit_ms;
	bool user_set;
	uint32_t uid, gid;
	const char *tag, *user_name;
	size_t argc, envc;
	const char *argv[SPAWN_MAX_ARGS + 1]; /* NULL-terminated */
	const char *env[SPAWN_MAX_ENV + 1];   /* NULL-terminated */
};

struct spawn_rep {
	uint32_t id;
	int32_t pid;	/* the script's pid, 0 when it never started */
	int32_t status; /* a wait status */
	int32_t err;	/* -errno when it could not be started */
	uint8_t timed_out;
};

/* Bytes written, or -E2BIG (too many or too long strings). */
int spawn_req_encode(const struct spawn_req *r, uint8_t *buf, size_t cap);
/* Strings in r point into buf. 0 or -EBADMSG. */
int spawn_req_decode(const uint8_t *buf, size_t len, struct spawn_req *r);

int spawn_rep_encode(const struct spawn_rep *r, uint8_t *buf, size_t cap);
int spawn_rep_decode(const uint8_t *buf, size_t len, struct spawn_rep *r);

#endif
