/*
 * What to do after a failed connect to a server, pure: try the same
 * server again, redispatch to another one, or give up. The I/O side
 * (connect.c) applies the answer.
 */
#ifndef FWD_RETRY_H
#define FWD_RETRY_H

#include <stdbool.h>

/* Whose fault a connect error is. */
enum connect_err_kind {
	CONNECT_ERR_LOCAL,  /* our shortage (EMFILE, ENOBUFS...): shed */
	CONNECT_ERR_SERVER, /* refused, timed out, unreachable: a passive
			     * health failure of the server */
	CONNECT_ERR_OTHER,  /* anything else: counted, not held against
			     * the server's health */
};

enum retry_action {
	RETRY_SAME,	  /* dial the same server again */
	RETRY_REDISPATCH, /* choose again, excluding the failed server */
	RETRY_GIVE_UP,	  /* no tries left: end as connect_failed */
	RETRY_SHED,	  /* local shortage: end this client, pause accept */
};

struct retry_input {
	int tries_left;		    /* retries still allowed (conf retries) */
	bool redispatch;	    /* listen's redispatch setting */
	enum connect_err_kind kind; /* connect_err_kind(errno) */
};

enum connect_err_kind connect_err_kind(int err);
enum retry_action retry_decide(const struct retry_input *in);
const char *retry_action_str(enum retry_action a);

#endif
