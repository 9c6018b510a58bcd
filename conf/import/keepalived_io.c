/* The I/O around the pure keepalived.conf reader: files and include. */
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keepalived.h"

#define MAX_FILE (4 << 20)

static int read_whole(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 0;

	*text = NULL;
	*len = 0;
	if (!f)
		return -errno;
	for (;;) {
		char *t;
		size_t got;

		if (*len == cap) {
			if (cap >= MAX_FILE) {
				fclose(f);
				free(*text);
				*text = NULL;
				return -EFBIG;
			}
			cap = cap ? cap * 2 : 8192;
			t = realloc(*text, cap);
			if (!t) {
				fclose(f);
				free(*text);
				*text = NULL;
				return -ENOMEM;
			}
			*text = t;
		}
		got = fread(*text + *len, 1, cap - *len, f);
		*len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	return 0;
}

static void feed_file(struct ka_reader *r, const char *path, struct imp_src at)
{
	char *text;
	size_t len;
	int rc = read_whole(path, &text, &len);

	if (rc < 0) {
		imp_msg(ka_reader_diag(r), IMP_ERROR, at, "cannot read %s: %s",
			path, strerror(-rc));
		return;
	}
	ka_reader_feed(r, text, len, path);
	free(text);
}

/* keepalived: a relative include is relative to the including file's
 * directory; a pattern that matches nothing is not an error. */
static void include_glob(struct ka_reader *r, const char *pattern,
			 struct imp_src at, void *arg)
{
	char full[8200], dir[4096];
	glob_t g;
	size_t i;

	(void)arg;
	snprintf(dir, sizeof(dir), "%s", at.file ? at.file : ".");
	if (pattern[0] != '/' && strcmp(dirname(dir), ".") != 0) {
		snprintf(full, sizeof(full), "%s/%s", dir, pattern);
	} else {
		snprintf(full, sizeof(full), "%s", pattern);
	}
	if (glob(full, 0, NULL, &g) != 0) {
		imp_msg(ka_reader_diag(r), IMP_WARNING, at,
			"include %s matches no file", pattern);
		return;
	}
	for (i = 0; i < g.gl_pathc; i++)
		feed_file(r, g.gl_pathv[i], at);
	globfree(&g);
}

struct ka_conf *ka_read_file(const char *path, struct conf_diag *diag)
{
	struct ka_reader *r = ka_reader_new(diag, include_glob, NULL);
	struct imp_src at = {path, 0};

	if (!r)
		return NULL;
	feed_file(r, path, at);
	return ka_reader_finish(r);
}
