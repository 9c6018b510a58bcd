/*
 * Control socket: a unix stream server speaking one request line in, one
 * JSON object per line out (DESIGN.md "Control sockets"). Shared by both
 * daemons; the protocol's verbs live with each daemon.
 */
#ifndef COMMON_CTL_H
#define COMMON_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "loop.h"
#include "sbuf.h"

#define CTL_MAX_LINE	4096
#define CTL_MAX_OUT	(1024 * 1024)
#define CTL_MAX_CLIENTS 64
/* A client that sends nothing for this long is dropped, unless the daemon
 * reserved it (vrrpd's forwarder link). A request/reply protocol: vrrpctl
 * waits milliseconds, not seconds. */
#define CTL_IDLE_MS 10000
/* A client let in on the reserved slot must reserve itself with its first
 * line within this time. */
#define CTL_PROBATION_MS 1000

struct ctl_server;

struct ctl_client {
	struct loop_io io;
	struct ctl_server *srv;
	struct sbuf in, out;
	uid_t uid;
	gid_t gid;
	bool privileged; /* see ctl_peer_privileged() */
	bool discarding; /* skipping the rest of an over-long line */
	bool closing;	 /* close once out is flushed */
	/* Dropped: its fd is closed and sends are no-ops, but the memory
	 * stays valid until the reap step at the start of the next loop
	 * iteration, so code that still holds the pointer after a
	 * ctl_send() cannot touch freed memory. ctl_client_gone() says
	 * whether it happened. */
	bool dead;
	bool reserved;	   /* ctl_client_reserve(): no idle timeout */
	bool probation;	   /* let in past the ordinary slots: reserve or go */
	int64_t active_ms; /* last bytes in, or accept */
	void *user;	   /* the daemon's per-client state */
	struct ctl_client *next;
};

struct ctl_stats {
	uint64_t accepted, refused, requests, bad_requests, overflows;
	uint64_t timed_out;
	uint64_t accept_paused; /* out of descriptors: accept paused 100 ms */
};

/* Called for each complete line (without the newline). */
typedef void (*ctl_line_cb)(struct ctl_client *c, char *line, void *arg);
/* Called before a client is freed. */
typedef void (*ctl_close_cb)(struct ctl_client *c, void *arg);

struct ctl_server {
	struct loop *loop;
	struct loop_io io;
	char *path;
	ctl_line_cb on_line;
	ctl_close_cb on_close;
	void *arg;
	struct ctl_client *clients;
	unsigned n_clients;
	struct ctl_stats stats;
	struct loop_timer reap;	  /* frees dead clients, armed when one dies */
	struct loop_timer sweep;  /* idle timeouts, armed while clients live */
	struct loop_timer resume; /* accept again after running out of fds */
	unsigned reserve;	  /* slots kept for reserving clients */
	unsigned n_reserved;	  /* live clients holding them */
	int64_t refused_log_ms;	  /* last refusal log line */
	int64_t paused_log_ms;	  /* last out-of-descriptors log line */
	uint64_t refused_logged;  /* stats.refused at that line */
	bool has_group; /* mode 0660, this group may connect and command */
	dev_t dev;	/* the socket file we bound: only that one is */
	ino_t ino;	/* unlinked at close */
	gid_t group;
};

/* Who is on the other end of a control connection (SO_PEERCRED,
 * SO_PEERGROUPS). */
struct ctl_peer {
	uid_t uid;
	gid_t gid;
	const gid_t *groups; /* supplementary groups */
	size_t n_groups;
};

/*
 * May this peer change state? uid 0, our own effective uid, or (when
 * has_group) a member of group by primary or supplementary gid. Pure.
 */
bool ctl_peer_privileged(const struct ctl_peer *p, uid_t self, bool has_group,
			 gid_t group);

/* Binds path (mode 0600, replacing a stale socket; -EADDRINUSE when a
 * server answers on it). 0 or -errno. */
int ctl_server_open(struct ctl_server *s, struct loop *loop, const char *path,
		    ctl_line_cb on_line, ctl_close_cb on_close, void *arg);
void ctl_server_close(struct ctl_server *s);
/* Opens the socket to a group: chown :gid, mode 0660; its members are
 * privileged. Call it after ctl_server_open (which binds 0600), while we
 * may still chown. 0 or -errno. */
int ctl_server_set_group(struct ctl_server *s, gid_t gid);

/*
 * Queues bytes for the client; a client that lets CTL_MAX_OUT pile up is
 * disconnected so a stuck reader cannot grow our memory.
 *
 * Ownership: no ctl_* call frees a client. A client that has to go (it
 * stopped reading, its socket failed, ctl_client_close) is marked dead
 * and freed by the server's reap step, a zero-delay timer that runs at
 * the start of the next loop iteration; on_close is called there, not
 * from inside ctl_send. So a caller may keep using the pointer for the
 * rest of its callback (ctl_client_gone() tells whether it is dead;
 * sending to a dead client does nothing), but must not keep it across
 * iterations without an on_close hook that forgets it.
 */
void ctl_send(struct ctl_client *c, const char *data, size_t len);
void ctl_send_sbuf(struct ctl_client *c, struct sbuf *sb);
/* A NUL-terminated reply, e.g. ctl_send_str(c, "{\"ok\":true}\n"). */
void ctl_send_str(struct ctl_client *c, const char *s);
/* {"ok":false,"error":"..."} */
void ctl_send_error(struct ctl_client *c, const char *msg);
/*
 * Keeps n of the CTL_MAX_CLIENTS slots for clients the daemon reserves
 * (vrrpd: the forwarder), so that idle or hostile clients holding every
 * other slot cannot keep it out. When only reserved slots are left, one
 * privileged client at a time is let in on probation (one more than
 * CTL_MAX_CLIENTS when all are taken): if its first line
 * does not make the daemon call ctl_client_reserve(), it gets that one
 * reply (an operator's `status` still works) and is closed; silent, it is
 * closed after CTL_PROBATION_MS.
 */
void ctl_server_reserve(struct ctl_server *s, unsigned n);
/* Moves the client to a reserved slot (no idle timeout). False when all
 * reserved slots are taken; it then stays an ordinary client. */
bool ctl_client_reserve(struct ctl_client *c);
/* Drops the client (deferred free, see ctl_send). */
void ctl_client_close(struct ctl_client *c);
bool ctl_client_gone(const struct ctl_client *c);

/*
 * Client side, blocking, for vrrpctl and tests: connects, sends line,
 * and returns the first reply line in *reply (malloc'd). 0 or -errno.
 */
int ctl_request(const char *path, const char *line, char **reply,
		int timeout_ms);

#endif
