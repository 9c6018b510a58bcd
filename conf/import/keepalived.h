/*
 * Reads keepalived.conf as keepalived does: blocks in braces, one keyword
 * and its values per line, '#' and '!' comments, quoted strings, include
 * with globs. Pure: text in, typed structs and FILE:LINE messages out; the
 * include callback is the only way to more text (keepalived_io.c).
 */
#ifndef CONF_IMPORT_KEEPALIVED_H
#define CONF_IMPORT_KEEPALIVED_H

#include "import.h"

struct ka_script {
	char *name;
	struct imp_src at;
	char *script;
	long long interval_ms, timeout_ms; /* -1: unset */
	int weight;			   /* keepalived's default 0 */
	bool weight_set;
	int rise, fall; /* 0: unset */
	char *user;
};

struct ka_track {
	char *name;
	struct imp_src at;
	int weight;
	bool weight_set;
};

enum ka_notify {
	KA_NOTIFY_MASTER,
	KA_NOTIFY_BACKUP,
	KA_NOTIFY_FAULT,
	KA_NOTIFY_STOP,
	KA_NOTIFY,
	KA_NOTIFY_N
};

struct ka_instance {
	char *name;
	struct imp_src at;
	char *state, *interface;
	int vrid, priority, advert_int; /* -1: unset */
	char *auth_type, *auth_pass;
	struct imp_src auth_at;
	struct imp_strv vips; /* "ADDR[/LEN] [dev IF] [label L]" */
	bool nopreempt;
	long long preempt_delay_ms; /* -1: unset */
	char *unicast_src;
	struct imp_strv peers;
	long long garp_master_delay_ms; /* -1: unset */
	int garp_master_repeat;		/* -1: unset */
	struct ka_track *scripts, *ifs;
	size_t n_scripts, n_ifs;
	char *notify[KA_NOTIFY_N];
	bool smtp_alert;
};

struct ka_conf {
	bool has_global;
	struct imp_src global_at;
	char *router_id;
	struct imp_strv emails;
	char *email_from;
	char *smtp_server; /* "host" or "host:port" */
	struct imp_src smtp_server_at;
	int smtp_connect_timeout; /* 0: unset */
	char *script_user;
	struct ka_script *scripts;
	size_t n_scripts;
	struct ka_instance *instances;
	size_t n_instances;
	struct imp_strv files; /* names every imp_src.file points into */
};

struct ka_reader;

/* Called for "include PATTERN"; reads each file it names with
 * ka_reader_feed. at is where the include stands. */
typedef void (*ka_include_fn)(struct ka_reader *r, const char *pattern,
			      struct imp_src at, void *arg);

struct ka_reader *ka_reader_new(struct conf_diag *diag, ka_include_fn inc,
				void *arg);
/* Reads text as file (text need not be NUL-terminated). */
void ka_reader_feed(struct ka_reader *r, const char *text, size_t len,
		    const char *file);
/* Ends reading: the typed result (never NULL but on out of memory). */
struct ka_conf *ka_reader_finish(struct ka_reader *r);
struct conf_diag *ka_reader_diag(struct ka_reader *r);
int ka_reader_depth(const struct ka_reader *r);
void ka_conf_free(struct ka_conf *c);

/* true when a vrrp_script command only checks that HAProxy runs
 * (killall -0, pidof, pgrep [-x], systemctl is-active [--quiet]). */
bool ka_script_checks_haproxy(const char *cmd);

/* keepalived_io.c: reads path and its includes. */
struct ka_conf *ka_read_file(const char *path, struct conf_diag *diag);

#endif
