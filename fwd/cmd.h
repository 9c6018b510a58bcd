/*
 * Control requests, pure: one line of words in, a typed command out,
 * or an error message for {"ok":false,"error":...}.
 */
#ifndef FWD_CMD_H
#define FWD_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "../conf/conf.h"

enum cmd_verb {
	CMD_HELP,
	CMD_STATS,
	CMD_SERVER,
	CMD_RELOAD,
};

enum cmd_action {
	CMD_ENABLE,
	CMD_DISABLE,
	CMD_DRAIN,
};

struct cmd {
	enum cmd_verb verb;
	enum cmd_action action;
	char listen[CONF_NAME_MAX];
	char server[CONF_NAME_MAX];
};

/* 0, or -EINVAL with a message in err. */
int cmd_parse(const char *line, struct cmd *c, char *err, size_t errlen);
/* Whether the verb changes state (needs a privileged peer). */
int cmd_privileged(const struct cmd *c);

/*
 * The pieces the HAProxy runtime API parser (hapcmd.c) shares:
 * splits buf in place at blanks into at most max words (max + 1 means
 * more), and "LISTEN/SERVER" into its two names (false when malformed or
 * too long).
 */
size_t cmd_split(char *buf, char **w, size_t max);
bool cmd_split_target(const char *arg, char listen[CONF_NAME_MAX],
		      char server[CONF_NAME_MAX]);

#endif
