#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_WORDS 4

size_t cmd_split(char *buf, char **w, size_t max)
{
	char *save = NULL, *tok;
	size_t n = 0;

	for (tok = strtok_r(buf, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		w[n++] = tok;
	}
	return n;
}

bool cmd_split_target(const char *arg, char listen[CONF_NAME_MAX],
		      char server[CONF_NAME_MAX])
{
	const char *slash = strchr(arg, '/');

	if (!slash || slash == arg || !slash[1] ||
	    (size_t)(slash - arg) >= CONF_NAME_MAX ||
	    strlen(slash + 1) >= CONF_NAME_MAX)
		return false;
	memcpy(listen, arg, (size_t)(slash - arg));
	listen[slash - arg] = '\0';
	strcpy(server, slash + 1);
	return true;
}

static int parse_server(char **w, size_t n, struct cmd *c, char *err,
			size_t errlen)
{
	if (n != 3) {
		snprintf(err, errlen,
			 "usage: server LISTEN/SERVER enable|disable|drain");
		return -EINVAL;
	}
	if (!cmd_split_target(w[1], c->listen, c->server)) {
		snprintf(err, errlen, "'%s' is not LISTEN/SERVER", w[1]);
		return -EINVAL;
	}
	if (strcmp(w[2], "enable") == 0)
		c->action = CMD_ENABLE;
	else if (strcmp(w[2], "disable") == 0)
		c->action = CMD_DISABLE;
	else if (strcmp(w[2], "drain") == 0)
		c->action = CMD_DRAIN;
	else {
		snprintf(err, errlen,
			 "unknown action '%s'; use enable, disable or drain",
			 w[2]);
		return -EINVAL;
	}
	c->verb = CMD_SERVER;
	return 0;
}

int cmd_parse(const char *line, struct cmd *c, char *err, size_t errlen)
{
	char buf[512], *w[MAX_WORDS];
	size_t n;

	memset(c, 0, sizeof(*c));
	if (strlen(line) >= sizeof(buf)) {
		snprintf(err, errlen, "request too long");
		return -EINVAL;
	}
	strcpy(buf, line);
	n = cmd_split(buf, w, MAX_WORDS);
	if (n == 0) {
		snprintf(err, errlen, "empty request; try 'help'");
		return -EINVAL;
	}
	if (strcmp(w[0], "help") == 0 && n == 1) {
		c->verb = CMD_HELP;
		return 0;
	}
	if (strcmp(w[0], "stats") == 0 && n == 1) {
		c->verb = CMD_STATS;
		return 0;
	}
	if (strcmp(w[0], "reload") == 0 && n == 1) {
		c->verb = CMD_RELOAD;
		return 0;
	}
	if (strcmp(w[0], "server") == 0)
		return parse_server(w, n, c, err, errlen);
	if (strcmp(w[0], "help") == 0 || strcmp(w[0], "stats") == 0 ||
	    strcmp(w[0], "reload") == 0)
		snprintf(err, errlen, "'%s' takes no argument", w[0]);
	else
		snprintf(err, errlen, "unknown command '%.64s'; try 'help'",
			 w[0]);
	return -EINVAL;
}

int cmd_privileged(const struct cmd *c)
{
	return c->verb == CMD_SERVER || c->verb == CMD_RELOAD;
}
