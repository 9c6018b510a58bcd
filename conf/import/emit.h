/*
 * The writer of vrrpd-import: builds a libconfig config_t from what the
 * readers found (emit_vrrp.c, emit_fwd.c) and writes it with libconfig's
 * own writer (emit.c). libconfig's writer drops comments, so emit.c adds
 * them to its output afterwards, by a documented rule (see imp_write).
 */
#ifndef CONF_IMPORT_EMIT_H
#define CONF_IMPORT_EMIT_H

#include <libconfig.h>
#include <stdio.h>

#include "haproxy.h"
#include "keepalived.h"

/* A section of the output and the foreign line it came from. */
struct imp_origin {
	char *path; /* "vrrp_instance.VI_1" */
	struct imp_src at;
};

struct imp_out {
	config_t cfg;
	struct imp_origin *origins;
	size_t n_origins;
	struct imp_strv header; /* comment lines without '#' */
	struct conf_diag *d;
};

void imp_out_init(struct imp_out *o, struct conf_diag *d);
void imp_out_free(struct imp_out *o);
void imp_out_origin(struct imp_out *o, const config_setting_t *s,
		    struct imp_src at);

/* Group or scalar helpers: add name under parent. */
config_setting_t *imp_add_group(config_setting_t *parent, const char *name);
void imp_add_str(config_setting_t *parent, const char *name, const char *v);
void imp_add_int(config_setting_t *parent, const char *name, long long v);
void imp_add_bool(config_setting_t *parent, const char *name, bool v);
/* A duration as vrrpd.conf writes it: "500ms", "10s", "5m". */
void imp_fmt_ms(long long ms, char *buf, size_t len);
void imp_add_ms(config_setting_t *parent, const char *name, long long ms);
/* A setting name for name that is not yet a member of parent; notes a
 * rename. */
void imp_member_name(struct imp_out *o, const config_setting_t *parent,
		     const char *name, const char *prefix, const char *what,
		     struct imp_src at, char *out);

/* emit_vrrp.c / emit_fwd.c: 0, or -1 when nothing could be carried. */
int imp_emit_vrrp(struct imp_out *o, const struct ka_conf *ka,
		  const struct hap_conf *hap);
int imp_emit_fwd(struct imp_out *o, const struct hap_conf *hap);

/* Writes the header, then config_write's text with "# from FILE:LINE"
 * lines inserted above each section imp_out_origin named. */
int imp_write(struct imp_out *o, FILE *out);

#endif
