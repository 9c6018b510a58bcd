/*
 * One running health check and the interface between check.c (which
 * connects, times out and records results) and the check types, one file
 * each: check_tcp.c, check_tls.c, check_http.c, check_smtp.c. A type gets
 * the connected socket, says which events it waits for, and ends with a
 * verdict. TLS (OpenSSL, non-blocking) is a transport the types share.
 */
#ifndef FWD_CHECK_RUN_H
#define FWD_CHECK_RUN_H

#include <stdint.h>
#include <sys/types.h>

#include "check_answer.h"

struct fwd_server;
struct ssl_st;

enum check_step {
	CHECK_STEP_WAIT, /* r->want holds the events to wait for */
	CHECK_STEP_DONE, /* r->v holds the verdict */
};

struct check_run {
	struct fwd_server *s;
	const struct conf_check_app *app;
	int fd;
	int layer;     /* 4 connecting, 6 in a TLS handshake, 7 talking */
	uint32_t want; /* EPOLLIN and/or EPOLLOUT */
	struct ssl_st *ssl;
	int phase; /* the type's own */
	struct check_verdict v;
	size_t in_len, out_len, out_off;
	char out[1024];
	char in[CHECK_ANSWER_MAX + 1]; /* NUL-terminated */
};

struct check_type {
	/* the TCP connection is up */
	enum check_step (*start)(struct check_run *r);
	/* r->fd is ready for what r->want asked */
	enum check_step (*io)(struct check_run *r);
};

extern const struct check_type check_type_tcp, check_type_tls, check_type_http,
    check_type_smtp;

/* Shared helpers (check.c): send r->out from out_off, read into r->in.
 * check_flush: 1 all sent, 0 wait, -1 failed (verdict set). */
int check_flush(struct check_run *r);
/* Queues a line to send; -1 when it does not fit. */
int check_queue(struct check_run *r, const char *text);
/* Reads what is there: >0 bytes, 0 closed, -1 wait, -2 failed (verdict
 * set), -3 the buffer is full. */
ssize_t check_fill(struct check_run *r);

/* TLS transport (check_tls.c). */
/* Starts a client handshake on r->fd (layer 6); -1 with a verdict. */
int check_tls_begin(struct check_run *r);
/* 1 done (layer 7, certificate expiry kept), 0 wait, -1 failed. */
int check_tls_handshake(struct check_run *r);
/* SSL_read/SSL_write with the same returns as read/write (errno EAGAIN
 * with r->want set when OpenSSL waits for the socket). */
ssize_t check_tls_read(struct check_run *r, void *buf, size_t n);
ssize_t check_tls_write(struct check_run *r, const void *buf, size_t n);
/* Sends close_notify once, without waiting, and frees the session. */
void check_tls_end(struct check_run *r);
/* The server's client context, freed by check_stop. */
void check_tls_ctx_free(struct fwd_server *s);

#endif
