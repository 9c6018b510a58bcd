/*
 * vrrpd's control requests, pure: one line in, a typed command out (or
 * the error message for {"ok":false,"error":...}), with whether the verb
 * needs a privileged peer. control.c dispatches on the verb; the
 * forwarder's lines (hello, health, heartbeat) and certwarn are parsed
 * further by their handlers, from the whole line.
 */
#ifndef VRRPD_CTLCMD_H
#define VRRPD_CTLCMD_H

#include <stdbool.h>
#include <stddef.h>

#include "../conf/conf.h"

enum ctlcmd_verb {
	CTLCMD_EMPTY,	/* nothing but blanks */
	CTLCMD_UNKNOWN, /* counted as a bad request */
	CTLCMD_STATUS,
	CTLCMD_PING,
	CTLCMD_ALERT_TEST,
	CTLCMD_RELOAD,
	CTLCMD_HELLO, /* the forwarder's lines (common/fwdproto.h) */
	CTLCMD_HEALTH,
	CTLCMD_HEARTBEAT,
	CTLCMD_CERTWARN, /* fwd's certificate warning (issue #14) */
};

struct ctlcmd {
	enum ctlcmd_verb verb;
	/* it sends mail, moves priorities or VIPs: root, our uid or the
	 * control_socket_group only */
	bool privileged;
	char instance[CONF_NAME_MAX]; /* status: this one only; "" all */
	const char *line; /* the whole request, for the fwd lines' parsers */
};

/* 0, or -EINVAL with the reply's message in err (verb EMPTY, UNKNOWN, or
 * STATUS with a name no instance can have). Words after the ones a verb
 * takes are ignored. c->line points into line. */
int ctlcmd_parse(const char *line, struct ctlcmd *c, char *err, size_t errlen);
const char *ctlcmd_verb_str(enum ctlcmd_verb v);

#endif
