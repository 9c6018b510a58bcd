/*
 * The status page's admin actions (stats.admin = true, HAProxy's "stats
 * admin"), pure: per-page-load CSRF tokens, the Origin check, and the
 * POSTed form. stats_http.c does the I/O; the action itself goes through
 * server_admin_by_name(), as the control socket's does.
 */
#ifndef FWD_STATSADMIN_H
#define FWD_STATSADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../conf/conf.h"

#define STATSADMIN_TOKENS    64		   /* page loads remembered */
#define STATSADMIN_TOKEN_MS  (3600 * 1000) /* a page's buttons work an hour */
#define STATSADMIN_TOKEN_LEN 32		   /* hex characters */
#define STATSADMIN_BODY_MAX  1024

struct statsadmin_token {
	char hex[STATSADMIN_TOKEN_LEN + 1];
	int64_t expire_ms; /* 0: free or used */
};

struct statsadmin {
	struct statsadmin_token t[STATSADMIN_TOKENS];
	unsigned next; /* the oldest slot, reused first */
};

enum statsadmin_action {
	STATSADMIN_ENABLE,  /* back to ready (from maint or drain) */
	STATSADMIN_DISABLE, /* maint: nothing new at all */
	STATSADMIN_DRAIN,   /* weight 0: sticky clients only, sessions finish */
};

struct statsadmin_form {
	char token[STATSADMIN_TOKEN_LEN + 1];
	char listen[CONF_NAME_MAX];
	char server[CONF_NAME_MAX];
	enum statsadmin_action action;
};

/* A fresh token from 16 random bytes, remembered until now + an hour. */
const char *statsadmin_token_new(struct statsadmin *a, const uint8_t rnd[16],
				 int64_t now_ms);
/* Whether tok was handed out and is still valid; a token works once. */
bool statsadmin_token_take(struct statsadmin *a, const char *tok,
			   int64_t now_ms);
/*
 * A POST must come from the page itself: Origin (or, without it, the
 * Referer) is http://HOST or https://HOST with HOST the request's Host.
 */
bool statsadmin_origin_ok(const char *origin, const char *referer,
			  const char *host);
/* application/x-www-form-urlencoded: token, listen, server, action.
 * 0, or -1 when a field is missing, too long or unknown. */
int statsadmin_form_parse(const char *body, size_t len,
			  struct statsadmin_form *f);
const char *statsadmin_action_str(enum statsadmin_action a);

#endif
