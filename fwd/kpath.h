/*
 * The kernel data path (issue 20): a sockmap program moves a session's
 * bytes from each socket straight to its peer. This is the only module
 * that talks to libbpf; the rest of fwd sees an opaque struct kpath and
 * a handle per session.
 */
#ifndef FWD_KPATH_H
#define FWD_KPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kpath;

/* A session in the maps: its two sockets' cookies. */
struct kpath_handle {
	uint64_t cli, srv;
};

/* What the verdict program counted for one session. */
struct kpath_counts {
	uint64_t up, down;	 /* bytes client->server, server->client */
	uint64_t up_ns, down_ns; /* CLOCK_MONOTONIC of the last; 0: none */
	uint64_t up_passed, down_passed; /* left to fwd (kpath_hold) */
	uint64_t dup;	  /* bytes the kernel handed over twice, cut */
	int broken;	  /* SPLICE_BROKEN_*: a repeat not cut; 0 none */
	uint64_t cut_max; /* the longest cut off one skb's head */
};

enum kpath_err {
	KPATH_OK,
	KPATH_NOT_PERMITTED, /* no CAP_BPF/NET_ADMIN/PERFMON, or locked down */
	KPATH_UNSUPPORTED,   /* no sockmap in this kernel */
	KPATH_FAILED,	     /* anything else (said in why) */
};

const char *kpath_err_str(enum kpath_err e);
/*
 * Loads and attaches the program, maps sized for max_sessions. On
 * failure *out is NULL and why says what the kernel refused.
 */
enum kpath_err kpath_open(struct kpath **out, size_t max_sessions, char *why,
			  size_t whylen);
void kpath_close(struct kpath *k);
/*
 * Hands a connected pair to the kernel: from now on bytes either socket
 * receives go to the other without waking fwd. limit: the first credit
 * of client->server [0] and server->client [1] (kpath_hold). 0, or -errno (the
 * session then stays on the copy path; nothing was changed).
 */
int kpath_adopt(struct kpath *k, int client_fd, int server_fd, uint64_t tag,
		const uint64_t limit[2], struct kpath_handle *h);
/*
 * Wake-ups: the program began to pass a socket's bytes to fwd (it ran
 * out of credit, SPLICE_CREDIT). The fd is readable when some wait;
 * kpath_wakes() calls cb with the adopted tag of each session still in
 * the maps (a session released since is skipped).
 */
int kpath_wake_fd(const struct kpath *k);
void kpath_wakes(struct kpath *k, void (*cb)(void *arg, uint64_t tag),
		 void *arg);
/* The session's counters so far; 0 or -errno. */
int kpath_counters(const struct kpath *k, const struct kpath_handle *h,
		   struct kpath_counts *c);
/*
 * Flow control of the bytes the client (or server) socket receives:
 * held, they are left in its own queue for fwd to read (bounded by the
 * receive buffer, so TCP holds the sender); consumed says how many of
 * those fwd has sent on. The program redirects again once not held and
 * consumed equals what it passed. limit: the credit (SPLICE_CREDIT),
 * bytes redirected plus consumed may reach it. 0 or -errno.
 */
int kpath_hold(struct kpath *k, const struct kpath_handle *h, bool client,
	       bool held, uint64_t consumed, uint64_t limit);
/* Forgets the session (before its sockets are closed). */
void kpath_release(struct kpath *k, const struct kpath_handle *h);

#endif
