#include "ctlcmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../common/fwdproto.h"

static const struct {
	const char *name;
	enum ctlcmd_verb verb;
	bool privileged;
} verbs[] = {
    {"status", CTLCMD_STATUS, false},
    {"ping", CTLCMD_PING, false},
    {"alert-test", CTLCMD_ALERT_TEST, true},
    {"reload", CTLCMD_RELOAD, true},
};

static const char *const names[] = {
    [CTLCMD_EMPTY] = "empty",		[CTLCMD_UNKNOWN] = "unknown",
    [CTLCMD_STATUS] = "status",		[CTLCMD_PING] = "ping",
    [CTLCMD_ALERT_TEST] = "alert-test", [CTLCMD_RELOAD] = "reload",
    [CTLCMD_HELLO] = "hello",		[CTLCMD_HEALTH] = "health",
    [CTLCMD_HEARTBEAT] = "heartbeat",	[CTLCMD_CERTWARN] = "certwarn",
};

const char *ctlcmd_verb_str(enum ctlcmd_verb v)
{
	return (unsigned)v < sizeof(names) / sizeof(names[0]) && names[v]
		   ? names[v]
		   : "?";
}

/* The n-th blank-separated word of line into out; its length, 0 if none. */
static size_t word(const char *line, int n, char *out, size_t len)
{
	const char *p = line;
	size_t w = 0;

	for (;;) {
		p += strspn(p, " \t");
		w = strcspn(p, " \t");
		if (!w || n-- == 0)
			break;
		p += w;
	}
	snprintf(out, len, "%.*s", (int)w, p);
	return w;
}

/* The forwarder's lines keep their spaces: their handlers parse them
 * whole (common/fwdproto.c); CTLCMD_EMPTY when line is none of them. */
static enum ctlcmd_verb fwd_line(const char *line)
{
	if (strncmp(line, "certwarn ", 9) == 0)
		return CTLCMD_CERTWARN;
	switch (fwdproto_classify(line)) {
	case FWDPROTO_HELLO:
		return CTLCMD_HELLO;
	case FWDPROTO_HEALTH:
		return CTLCMD_HEALTH;
	case FWDPROTO_HEARTBEAT:
		return CTLCMD_HEARTBEAT;
	case FWDPROTO_NONE:
		break;
	}
	return CTLCMD_EMPTY;
}

int ctlcmd_parse(const char *line, struct ctlcmd *c, char *err, size_t errlen)
{
	char verb[16];
	size_t i, n;

	memset(c, 0, sizeof(*c));
	c->line = line;
	c->verb = fwd_line(line);
	if (c->verb != CTLCMD_EMPTY) {
		/* they move priorities or send mail */
		c->privileged = true;
		return 0;
	}
	n = word(line, 0, verb, sizeof(verb));
	if (n == 0) {
		snprintf(err, errlen, "empty request; try 'status'");
		return -EINVAL;
	}
	for (i = 0; n < sizeof(verb) && i < sizeof(verbs) / sizeof(verbs[0]);
	     i++)
		if (strcmp(verb, verbs[i].name) == 0)
			break;
	if (n >= sizeof(verb) || i == sizeof(verbs) / sizeof(verbs[0])) {
		c->verb = CTLCMD_UNKNOWN;
		snprintf(err, errlen,
			 "unknown command; known: status [INSTANCE], ping, "
			 "alert-test, reload, hello, health, heartbeat");
		return -EINVAL;
	}
	c->verb = verbs[i].verb;
	c->privileged = verbs[i].privileged;
	if (c->verb == CTLCMD_STATUS &&
	    word(line, 1, c->instance, sizeof(c->instance)) >=
		sizeof(c->instance)) {
		snprintf(err, errlen, "no such instance");
		return -EINVAL;
	}
	return 0;
}
