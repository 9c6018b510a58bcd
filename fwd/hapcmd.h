/*
 * A subset of HAProxy's runtime API (its "stats socket") on fwd's control
 * socket, so tools written for HAProxy (socat one-liners, Ansible's
 * haproxy module, monitoring plugins) work unchanged: show info, show
 * stat (HAProxy 2.6's CSV columns, in its order, filled as far as fwd has
 * the data), show servers state, set server L/S state, disable/enable
 * server. Pure: a line in, a typed command out; a snapshot in, text out.
 */
#ifndef FWD_HAPCMD_H
#define FWD_HAPCMD_H

#include <stddef.h>
#include <stdint.h>

#include "../conf/conf.h"
#include "statspage.h"

enum hap_verb {
	HAP_SHOW_INFO,
	HAP_SHOW_STAT,
	HAP_SHOW_SERVERS_STATE,
	HAP_SET_STATE, /* set server, disable server, enable server */
};

enum hap_state { HAP_READY, HAP_DRAIN, HAP_MAINT };

struct hap_cmd {
	enum hap_verb verb;
	enum hap_state state;
	char listen[CONF_NAME_MAX]; /* "": all (show servers state) */
	char server[CONF_NAME_MAX];
};

/*
 * 1: an HAProxy command, in c; 0: not one (the JSON protocol's); -1: an
 * HAProxy command with an error, HAProxy's text in err (with newline).
 */
int hapcmd_parse(const char *line, struct hap_cmd *c, char *err, size_t errlen);

/* What show info says beyond the snapshot. */
struct hap_info {
	const char *version;
	long pid;
	int64_t uptime_sec;
	long nofile;
};

void hapcmd_show_info(const struct stats_snap *s, const struct hap_info *i,
		      struct sbuf *sb);
void hapcmd_show_stat(const struct stats_snap *s, struct sbuf *sb);
/* listen "" for every listener; -1 when the listener does not exist. */
int hapcmd_show_servers_state(const struct stats_snap *s, const char *listen,
			      struct sbuf *sb);

#endif
