/*
 * fwd's statistics as the outside world reads them: a plain snapshot
 * (struct stats_snap, filled by stats.c from the live state and vrrpd's
 * last status answer) rendered as the control socket's JSON, the HTML
 * status page, or Prometheus text. Pure: no I/O, time passed in.
 */
#ifndef FWD_STATSPAGE_H
#define FWD_STATSPAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/sbuf.h"
#include "sesslog.h"

#define SNAP_ADDR_MAX  80
#define SNAP_DROPS_MAX 24

struct snap_server {
	const char *name;
	char address[SNAP_ADDR_MAX];
	const char *state;  /* UP, DOWN, DRAIN, MAINT */
	const char *health; /* UP, DOWN */
	const char *admin;
	const char *check; /* "ok", "none", "pending" or the error */
	int weight;
	bool backup;
	unsigned cur;
	uint64_t total, bytes_in, bytes_out, connect_fail;
	uint64_t checks_ok, checks_fail;
	int64_t check_ago_ms; /* -1: no check yet */
	int64_t last_change_wall, last_change_ago_ms;
	/* issue #14: check types; NULL/0 when there is nothing to say */
	const char *check_type;	  /* "tcp", "tls", "http", "smtp" */
	const char *check_status; /* "L7STS"...; NULL: no check yet */
	int64_t check_duration_ms;
	bool has_cert; /* a TLS check saw a certificate */
	int64_t cert_days_left;
};

struct snap_listen {
	const char *name;
	char (*binds)[SNAP_ADDR_MAX];
	uint64_t *bind_total; /* per bind (port): sessions; NULL: unknown */
	size_t n_binds;
	const char *state; /* OPEN, FULL, PAUSED, CLOSED */
	const char *balance;
	unsigned cur;
	long maxconn;
	uint64_t total, bytes_in, bytes_out, no_server;
	const char *first_speaker; /* client, server: learnt */
	size_t stick_entries;
	uint64_t ends[SESS_END_COUNT]; /* sessions by how they ended */
	struct snap_server *servers;
	size_t n_servers;
};

struct snap_drop {
	const char *reason;
	uint64_t n;
};

struct snap_inst {
	const char *name;
	const char *state; /* MASTER, BACKUP, FAULT, INIT */
	/* from vrrpd's status answer; detail false when there is none */
	bool detail;
	long priority, effective_priority;
	const char *master_ip;
	const char *last_reason;
	uint64_t transitions, adverts_sent, adverts_received;
	uint64_t addr_list_mismatch;
	struct snap_drop drops[SNAP_DROPS_MAX];
	size_t n_drops;
};

struct snap_vrrpd {
	bool enabled, connected;
	uint64_t connects, events, errors;
	const char *router_id; /* NULL: unknown */
	int64_t status_age_ms; /* -1: no status answer */
	struct snap_inst *inst;
	size_t n_inst;
};

struct stats_snap {
	char node[256]; /* host name */
	int64_t now_wall;
	unsigned cur;
	long maxconn;
	uint64_t total;
	bool stopping;
	size_t pipes_in_use, pipes_idle;
	uint64_t log_lines, log_dropped; /* session log */
	const char *data_path;		 /* "kernel" or "copy" (kpath_sess.c) */
	uint64_t kernel_sessions;	 /* handed to the kernel since start */
	uint64_t kernel_dup_bytes;	 /* repeats the program cut */
	const char *admin_token; /* stats.admin: this page load's CSRF token */
	struct snap_listen *listens;
	size_t n_listens;
	struct snap_vrrpd vrrpd;
};

/* The control socket's stats object (no trailing newline). */
void statspage_json(const struct stats_snap *s, struct sbuf *sb);
/* The HTML page; base is the uri with a trailing '/', for links. */
void statspage_html(const struct stats_snap *s, const char *base,
		    int64_t refresh_ms, struct sbuf *sb);
/* Prometheus text exposition format 0.0.4. */
void statspage_prom(const struct stats_snap *s, struct sbuf *sb);

/* Helpers, exported for tests. */
void statspage_html_esc(struct sbuf *sb, const char *s);
void statspage_prom_label(struct sbuf *sb, const char *s);
/* "1.5 KiB", "3.2 GiB". */
const char *statspage_bytes(uint64_t n, char *buf, size_t size);
/* "45s", "3m 12s", "2h 5m", "4d 3h". */
const char *statspage_ago(int64_t ms, char *buf, size_t size);

#endif
