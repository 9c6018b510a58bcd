/*
 * The forwarder's run-time state: one struct fwd (the daemon's top-level
 * context) owning listen sections, their bound sockets, servers and
 * sessions. Configuration stays in struct conf_fwd; this is what changes.
 */
#ifndef FWD_FWD_H
#define FWD_FWD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "../common/ctl.h"
#include "../common/list.h"
#include "../common/log.h"
#include "../common/loop.h"
#include "../common/risefall.h"
#include "../conf/conf.h"
#include "../conf/conf_fwd.h"
#include "check_answer.h"
#include "pipes.h"
#include "pool.h"
#include "sesslog.h"
#include "sesslog_out.h"
#include "stick.h"
#include "vrrplink.h"

struct fwd;
struct fwd_listen;
struct stats_http;
struct fwd_reload;
struct session;
struct kpath;

/* Operator's wish for a server (control socket); health is separate. */
enum server_admin {
	ADMIN_READY,
	ADMIN_DRAIN, /* no new clients, sticky ones still come */
	ADMIN_MAINT, /* nothing new at all */
};

struct fwd_server {
	struct fwd_listen *l;
	int idx; /* in l->servers and l->pool */
	const struct conf_fwd_server *conf;
	enum server_admin admin;
	struct risefall health;
	/* health checking */
	struct loop_timer check_timer;
	struct loop_io check_io;
	int64_t check_started_ms;
	int last_check_err; /* 0 ok, else errno; -1 none yet */
	int64_t last_check_ms;
	int64_t last_change_ms; /* monotonic */
	time_t last_change_wall;
	/* statistics */
	unsigned cur;
	uint64_t total, bytes_in, bytes_out, connect_fail;
	uint64_t checks_ok, checks_fail;
	struct list sessions; /* of struct session, attached to this server */
	/* issue #14: check types (check_run.h) */
	struct check_run *check_run; /* NULL: no check running */
	void *tls_ctx;		     /* SSL_CTX, made by the first TLS check */
	struct check_verdict last_verdict; /* st CHECK_NONE: none yet */
	int64_t last_check_dur_ms;
	int64_t cert_not_after; /* Unix time; 0: no certificate seen */
	int64_t cert_warned_ms; /* monotonic; 0: never warned */
	int64_t cert_mailed_ms; /* monotonic; 0: vrrpd never asked to mail */
};

struct fwd_bind {
	struct loop_io io;
	struct fwd_listen *l;
	const struct conf_fwd_bind *conf;
	bool active;	/* in epoll, i.e. accepting */
	bool deferred;	/* TCP_DEFER_ACCEPT is on (listener.c) */
	uint64_t total; /* sessions accepted on this port */
};

struct fwd_listen {
	struct fwd *f;
	const struct conf_fwd_listen *conf;
	struct fwd_bind *binds;
	size_t n_binds;
	struct fwd_server *servers;
	size_t n_servers;
	struct pool pool;
	struct stick_table stick;
	unsigned cur;
	uint64_t total, bytes_in, bytes_out, no_server;
	int client_first; /* learnt: >= 0 clients speak first (proxy.c) */
	unsigned
	    client_streak; /* client-first sessions in a row (listener.c) */
	uint64_t ends[SESS_END_COUNT]; /* sessions by how they ended */
};

struct fwd {
	struct loop loop;
	struct conf *conf;
	const struct conf_fwd *c;
	struct fwd_listen *listens;
	size_t n_listens;
	struct ctl_server ctl;
	bool ctl_open;
	struct pipes pipes;
	size_t idle_pipes;
	bool use_splice;
	unsigned cur;
	unsigned peak; /* most sessions since the last malloc_trim */
	long maxconn;  /* configured, lowered to fit the open files limit */
	uint64_t total;
	bool stopping;
	bool accept_paused; /* EMFILE/ENFILE: back off for a moment */
	struct loop_timer resume_timer, grace_timer, stick_timer;
	struct list sessions; /* of struct session: all, for shutdown */
	struct list again;    /* of struct session: yielded with work left */
	struct loop_timer again_timer;
	struct ratelimit rl_accept, rl_connect, rl_noserver, rl_proxy;
	struct vrrplink vrrp;
	struct stats_http *stats_http; /* NULL: no status page */
	/* reload.c: the file to re-read, sections still in use */
	struct fwd_reload *reload;
	struct sesslog_out slog; /* listen.NAME.log lines */
	int64_t start_ms;	 /* monotonic, for show info's Uptime */
	char scratch[65536];	 /* one read at a time, single thread */
	struct kpath *kpath;	 /* NULL: the copy path (kpath_sess.c) */
	struct loop_io kpath_io; /* its wake-ups (ring buffer) */
	uint64_t kpath_sessions; /* handed to the kernel since start */
	uint64_t kpath_dup;	 /* repeated bytes the program cut */
};

/* maxconn from the config, lowered to what nofile descriptors hold
 * (two a connection plus a reserve), with a warning (main.c) */
void fwd_fit_maxconn(struct fwd *f, rlim_t nofile);

#endif
