/*
 * Reads haproxy.cfg, 1.x and 2.x: sections global, defaults (inherited as
 * HAProxy inherits them: each proxy copies the defaults section above
 * it), listen, frontend, backend. Pure: text in, typed structs and
 * FILE:LINE messages out. What only HTTP mode means is reported here, at
 * its line; what fwd cannot do yet is reported by the writer (emit_fwd.c).
 */
#ifndef CONF_IMPORT_HAPROXY_H
#define CONF_IMPORT_HAPROXY_H

#include "import.h"

enum hap_kind { HAP_DEFAULTS, HAP_LISTEN, HAP_FRONTEND, HAP_BACKEND };
enum hap_mode { HAP_MODE_TCP, HAP_MODE_HTTP, HAP_MODE_HEALTH };
enum hap_check {
	HAP_CHECK_TCP,
	HAP_CHECK_SSL_HELLO,
	HAP_CHECK_HTTP,
	HAP_CHECK_SMTP,
	HAP_CHECK_OTHER, /* mysql-check, ldap-check, ...: name in check_arg */
};

struct hap_bind {
	char *host; /* "" : all addresses */
	int port;
	struct imp_src at;
};

struct hap_server {
	char *name;
	struct imp_src at;
	char *host;
	int port; /* 0: none, the client's destination port */
	int weight;
	bool backup, disabled, check, send_proxy;
	int check_port;
	long long inter_ms;
	int rise, fall;
};

struct hap_timeouts {
	long long connect, client, server, tunnel, check; /* -1: unset */
};

struct hap_stats {
	bool enable, admin;
	char *uri, *auth, *realm;
	long long refresh_ms; /* 0: unset */
	struct imp_src at, admin_at;
};

struct hap_proxy {
	enum hap_kind kind;
	char *name;
	struct imp_src at;
	enum hap_mode mode;
	struct imp_src mode_at; /* line 0: HAProxy's default, tcp */
	struct hap_bind *binds;
	size_t n_binds;
	char *balance;
	bool stick;
	struct imp_src stick_at;
	long long stick_expire_ms; /* -1: unset */
	long long stick_size;	   /* -1: unset */
	int retries;		   /* -1: unset */
	bool redispatch;
	long maxconn; /* 0: unset */
	struct hap_timeouts t;
	struct hap_server defsrv; /* default-server */
	struct hap_server *servers;
	size_t n_servers;
	char *backend; /* default_backend or unconditional use_backend */
	struct imp_src backend_at;
	enum hap_check check_type;
	char *check_arg; /* httpchk: "METH URI"; http-check expect: expect */
	char *check_expect;
	struct imp_src check_at;
	bool tcplog;
	struct imp_src tcplog_at;
	bool disabled; /* "disabled": HAProxy does not start it */
	struct hap_stats stats;
};

struct hap_conf {
	long maxconn; /* global; 0: unset */
	struct imp_src maxconn_at;
	char *user, *group;
	struct imp_src user_at;
	struct hap_proxy *proxies; /* listen, frontend, backend in order */
	size_t n_proxies;
	struct imp_strv files;
};

/* Reads text (need not be NUL-terminated) as file. */
struct hap_conf *hap_parse(const char *text, size_t len, const char *file,
			   struct conf_diag *diag);
void hap_conf_free(struct hap_conf *c);
const struct hap_proxy *hap_find(const struct hap_conf *c, enum hap_kind kind,
				 const char *name);

#endif
