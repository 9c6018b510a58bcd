#include "argv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char shell_chars[] = "|&;<>()$`*?[]{}~#";

static int push(struct argv *a, const char *s, size_t len)
{
	char **v = realloc(a->v, (size_t)(a->n + 2) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	a->v = v;
	v[a->n] = strndup(s, len);
	if (!v[a->n])
		return -ENOMEM;
	v[++a->n] = NULL;
	return 0;
}

static int as_shell(const char *cmd, struct argv *out)
{
	argv_free(out);
	out->shell = true;
	if (push(out, "/bin/sh", 7) < 0 || push(out, "-c", 2) < 0 ||
	    push(out, cmd, strlen(cmd)) < 0) {
		argv_free(out);
		return -ENOMEM;
	}
	return 0;
}

int argv_split(const char *cmd, struct argv *out)
{
	size_t cap = strlen(cmd) + 1, len;
	char *word = malloc(cap);
	const char *p = cmd;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!word)
		return -ENOMEM;
	for (;;) {
		char quote = 0;
		bool have = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		len = 0;
		for (; *p; p++) {
			if (quote) {
				if (*p == quote) {
					quote = 0;
					continue;
				}
				if (quote == '"' && *p == '\\' && p[1])
					p++;
				word[len++] = *p;
				continue;
			}
			if (*p == ' ' || *p == '\t')
				break;
			if (*p == '\'' || *p == '"') {
				quote = *p;
				have = true;
				continue;
			}
			if (strchr(shell_chars, *p)) {
				free(word);
				return as_shell(cmd, out);
			}
			if (*p == '\\' && p[1])
				p++;
			word[len++] = *p;
		}
		if (quote) {
			rc = -EINVAL;
			break;
		}
		if (len || have) {
			rc = push(out, word, len);
			if (rc < 0)
				break;
		}
	}
	free(word);
	if (rc == 0 && out->n == 0)
		rc = -EINVAL;
	if (rc < 0)
		argv_free(out);
	return rc;
}

void argv_free(struct argv *a)
{
	int i;

	for (i = 0; a->v && i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
	a->shell = false;
}
