/*
 * One stats page connection, shared by stats_http.c (accepting, reading
 * the request, writing the answer, the connection limits) and
 * stats_handler.c (what a request is answered: auth, pages, admin).
 */
#ifndef FWD_STATS_CLIENT_H
#define FWD_STATS_CLIENT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/loop.h"
#include "../common/sbuf.h"
#include "fwd.h"
#include "httpreq.h"
#include "loginguard.h"
#include "statsadmin.h"
#include "statspage.h"

/* Failed-login lines: bursts of LOG_BURST, then one per LOG_EVERY_MS. */
#define LOG_BURST    20
#define LOG_EVERY_MS 100

enum client_state {
	CL_HEAD,   /* reading the request head */
	CL_WAIT,   /* for vrrpd's status */
	CL_SEND,   /* writing the answer */
	CL_LINGER, /* answered: draining input until EOF */
};

struct stats_client {
	struct stats_http *h;
	struct loop_io io;
	struct loop_timer timer;
	struct stats_client *next, **pprev;
	enum stats_page page;
	enum client_state state;
	bool head, has_key;
	struct loginguard_key key;
	char addr[INET6_ADDRSTRLEN];
	int64_t since_ms;
	size_t in_len, out_off;
	struct sbuf out;
	char in[HTTPREQ_MAX];
};

struct stats_http {
	struct fwd *f;
	struct loop_io lio;
	struct loop_timer wait_timer;
	struct loop_timer resume_timer;
	struct stats_client *clients;
	unsigned n_clients;
	uint64_t requests, refused, evicted;
	struct ratelimit rl_evict, rl_accept;
	unsigned log_tokens, log_unlogged; /* failed-login lines */
	int64_t log_refill_ms;
	struct loginguard guard;
	struct statsadmin adm; /* stats.admin: tokens handed out */
};

/* stats_http.c: queues the answer and sends it (frees c on failure). */
void stats_http_respond(struct stats_client *c, const char *status,
			const char *type, const char *extra, struct sbuf *body);
void stats_http_respond_text(struct stats_client *c, const char *status,
			     const char *extra, const char *text);

/* stats_handler.c: answers a complete request, or parks it (CL_WAIT)
 * until vrrpd's status arrives. */
void stats_http_handle(struct stats_client *c, const struct httpreq *req);
/* Renders the requested page from a fresh snapshot and answers it. */
void stats_http_serve_page(struct stats_client *c);

#endif
