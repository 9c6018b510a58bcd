/*
 * What a health check says to a server (issue #14): its type (tcp, tls,
 * http, smtp) and the keys each type takes, parsed from a server's
 * `check` group. Apart from conf_fwd.c so that the forwarder's other
 * keys and these can change without stepping on each other.
 */
#ifndef CONF_CHECK_H
#define CONF_CHECK_H

#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf_util.h"

enum conf_check_type {
	CONF_CHECK_TCP, /* connect only (the default) */
	CONF_CHECK_TLS, /* a complete TLS handshake */
	CONF_CHECK_HTTP,
	CONF_CHECK_SMTP,
};

/* "tcp", "tls", "http", "smtp" (common/enum_name.h) */
extern const struct enum_name conf_check_type_names[];
const char *conf_check_type_str(enum conf_check_type t);

#define CONF_STATUS_RANGES 16

/* HTTP status codes a check accepts: "200-399", "200", "200,301-302". */
struct conf_status_set {
	int n;
	struct {
		int lo, hi;
	} r[CONF_STATUS_RANGES];
};

/* 0, or -1 when s is not a list of codes/ranges within 100..599. */
int conf_status_parse(const char *s, struct conf_status_set *out);
bool conf_status_match(const struct conf_status_set *set, int code);

struct conf_check_app {
	enum conf_check_type type;
	int64_t fastinter_ms; /* 0: inter (while the state is changing) */
	int64_t downinter_ms; /* 0: inter (while DOWN) */
	bool ssl;	      /* http over TLS; smtp: SMTPS */
	bool starttls;	      /* smtp: STARTTLS before judging */
	bool verify;	      /* check the certificate chain and name */
	char sni[256];	      /* "": none (tls), or host (verify) */
	char ca_file[256];    /* "": the system's store */
	char method[16];
	char uri[512];
	char host[256]; /* "": the server's address */
	char expect_body[256];
	struct conf_status_set expect;
};

/* True when the check speaks TLS at some point. */
bool conf_check_uses_tls(const struct conf_check_app *a);

/* Defaults for a server that has a check group or none. */
void conf_check_app_init(struct conf_check_app *out);
/* Reads the type-specific keys of check group c (keys are checked by
 * the caller); 0, or -1 with problems reported with FILE:LINE. */
int conf_check_app_parse(struct conf_ctx *ctx, const config_setting_t *c,
			 const char *listen, const char *server,
			 struct conf_check_app *out);

#endif
