/*
 * fwd's link to vrrpd (docs/vrrpd-interface.md, forwarder protocol;
 * common/fwdproto.h): one long-lived connection to vrrpd's control
 * socket, reconnected with backoff; it says hello (version 2, or 1 to an
 * older vrrpd), reports each listener's servers up whenever that changes,
 * and logs the state events vrrpd pushes. With version 2 it sends a
 * heartbeat every 100 ms from the event loop's timer, so a stopped or
 * stuck fwd goes silent and vrrpd moves the VIP as when fwd dies.
 */
#ifndef FWD_VRRPLINK_H
#define FWD_VRRPLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/json.h"
#include "../common/loop.h"
#include "../common/sbuf.h"
#include "statspage.h"

#define VRRPLINK_MAX_INST 16

struct fwd;

struct vrrplink {
	struct fwd *f;
	char *path; /* NULL: no link */
	struct loop_io io;
	struct loop_timer retry;
	struct loop_timer beat; /* heartbeats, version >= 2 */
	int64_t backoff_ms;
	bool connected;
	int connect_errno; /* the last failed connect's, logged then */
	int64_t connect_warned_ms;
	bool hello_pending;    /* reports wait for hello's reply */
	int hello_sent;	       /* the version of that hello */
	int version;	       /* agreed; 0 until then */
	unsigned replies_due;  /* lines sent that vrrpd answers */
	unsigned hello_behind; /* answers still due before hello's */
	struct sbuf in, out;
	unsigned *reported; /* per listen section: servers up we last sent */
	uint64_t connects, events, errors, heartbeats;
	struct {
		char name[64];
		char state[16]; /* ANNOUNCED, WITHDRAWN: anycast */
	} inst[VRRPLINK_MAX_INST];
	unsigned n_inst;
	/* vrrpd's last `status` answer, for the status page */
	struct json *status;
	int64_t status_ms, asked_ms;
	bool status_pending, status_stale;
};

/* Connects now (and keeps trying); path NULL or "" disables the link. */
void vrrplink_start(struct fwd *f, const char *path);
void vrrplink_stop(struct fwd *f);
/*
 * After a reload: another path reconnects; the same one keeps the
 * connection and reports every listener again (after a new hello when
 * forget is set, so vrrpd drops sections fwd no longer has).
 */
void vrrplink_reload(struct fwd *f, const char *path, bool forget);
/* A server changed state: report listeners whose count of servers up
 * changed. */
void vrrplink_health_changed(struct fwd *f);
/* Asks vrrpd to mail a certificate expiry warning for server s (issue
 * #14, vrrpd/certwarn.h); false when the link is down. */
struct fwd_server;
bool vrrplink_cert_warn(struct fwd *f, const struct fwd_server *s, long days);
/*
 * Asks vrrpd for `status` unless the cached answer is fresh (under 1 s
 * old, no state event since) or a question went out less than 1 s ago.
 * True when an answer is on its way: stats_http_status_arrived() follows.
 */
bool vrrplink_status_ask(struct fwd *f);
/* The link and its instances for a stats snapshot (allocates v->inst). */
int vrrplink_snap(const struct fwd *f, struct snap_vrrpd *v);

#endif
