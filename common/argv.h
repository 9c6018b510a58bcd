/* Splitting a script command line into argv, as keepalived does. Pure. */
#ifndef COMMON_ARGV_H
#define COMMON_ARGV_H

#include <stdbool.h>

struct argv {
	char **v; /* NULL-terminated */
	int n;
	bool shell; /* the command needs /bin/sh -c (pipes, $VARS, ...) */
};

/*
 * Splits cmd on blanks, honouring '...' and "..." quoting and backslash
 * escapes. When unquoted shell syntax appears (| & ; < > ( ) $ ` * ? [ ]
 * { } ~ #), shell is set and v is {"/bin/sh", "-c", cmd}. Returns 0,
 * -EINVAL for an empty command or unbalanced quotes, -ENOMEM.
 */
int argv_split(const char *cmd, struct argv *out);
void argv_free(struct argv *a);

#endif
