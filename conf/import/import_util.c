#include "import.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/parse.h"

static const char *const kind_str[] = {"error: ", "warning: ", "note: "};

void imp_vmsg(struct conf_diag *d, enum imp_kind kind, struct imp_src at,
	      const char *fmt, va_list ap)
{
	char msg[600];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* a foreign file's words may hold control bytes: one line each */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	sbuf_printf(&d->text, "%s:%d: %s%s\n", at.file ? at.file : "-", at.line,
		    kind_str[kind], msg);
	if (kind == IMP_ERROR)
		d->errors++;
	else if (kind == IMP_WARNING)
		d->warnings++;
}

void imp_msg(struct conf_diag *d, enum imp_kind kind, struct imp_src at,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	imp_vmsg(d, kind, at, fmt, ap);
	va_end(ap);
}

void imp_strv_push(struct imp_strv *s, const char *str)
{
	char **v = realloc(s->v, (s->n + 1) * sizeof(*v));
	char *copy = strdup(str);

	if (!v || !copy) {
		if (v)
			s->v = v;
		free(copy);
		return;
	}
	s->v = v;
	s->v[s->n++] = copy;
}

void imp_strv_free(struct imp_strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

long long imp_parse_ms(const char *s, long long unit_ms)
{
	static const struct {
		const char *suffix;
		long long num, den; /* ms = n * num / den */
	} units[] = {{"us", 1, 1000}, {"ms", 1, 1},	 {"s", 1000, 1},
		     {"m", 60000, 1}, {"h", 3600000, 1}, {"d", 86400000, 1},
		     {"", 0, 1}};
	char *end;
	long long n;
	size_t i;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	n = strtoll(s, &end, 10);
	if (n < 0 || n > 100000000000LL)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (!*end)
			return n * unit_ms;
		return n * units[i].num / units[i].den;
	}
	return -1;
}

bool imp_setting_name(const char *name, const char *prefix, char *out)
{
	size_t n = 0, i;
	bool changed = false;

	if (!name[0]) {
		snprintf(out, CONF_NAME_MAX, "%sunnamed", prefix);
		return true;
	}
	if (!isalpha((unsigned char)name[0]) && name[0] != '*') {
		n = (size_t)snprintf(out, CONF_NAME_MAX, "%s", prefix);
		changed = true;
	}
	for (i = 0; name[i] && n < CONF_NAME_MAX - 1; i++) {
		char ch = name[i];

		if (!isalnum((unsigned char)ch) && ch != '-' && ch != '_' &&
		    ch != '*') {
			ch = '_';
			changed = true;
		}
		out[n++] = ch;
	}
	if (name[i])
		changed = true;
	out[n] = '\0';
	return changed;
}

struct msg_line {
	const char *text;
	size_t len, seq;
	size_t file; /* order of the file's first message */
	long line;
};

static int msg_cmp(const void *a, const void *b)
{
	const struct msg_line *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* "FILE:LINE: ..." -> the length of FILE and LINE, or -1 */
static long msg_split(const char *p, size_t len, size_t *flen)
{
	const char *end = p + len;

	for (const char *c = p; c < end; c++) {
		char *num_end;
		long line;

		if (*c != ':')
			continue;
		line = strtol(c + 1, &num_end, 10);
		if (num_end > c + 1 && num_end < end && *num_end == ':') {
			*flen = (size_t)(c - p);
			return line;
		}
	}
	return -1;
}

void imp_sort_messages(struct sbuf *text)
{
	const char *p = sbuf_str(text);
	struct msg_line *v = NULL;
	const char **files = NULL;
	size_t *flens = NULL, n = 0, nf = 0, i;
	struct sbuf out;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p + 1) : strlen(p), flen = 0;
		struct msg_line *nv = realloc(v, (n + 1) * sizeof(*v));
		long line = msg_split(p, len, &flen);

		if (!nv)
			goto out;
		v = nv;
		for (i = 0; i < nf; i++)
			if (flens[i] == flen && strncmp(files[i], p, flen) == 0)
				break;
		if (i == nf) {
			const char **nfiles =
			    realloc(files, (nf + 1) * sizeof(*files));
			size_t *nflens;

			if (!nfiles)
				goto out;
			files = nfiles;
			nflens = realloc(flens, (nf + 1) * sizeof(*flens));
			if (!nflens)
				goto out;
			flens = nflens;
			files[nf] = p;
			flens[nf++] = flen;
		}
		v[n] = (struct msg_line){p, len, n, i, line};
		n++;
		p += len;
	}
	if (n == 0)
		goto out;
	qsort(v, n, sizeof(*v), msg_cmp);
	sbuf_init(&out);
	for (i = 0; i < n; i++)
		sbuf_add(&out, v[i].text, v[i].len);
	if (!out.oom) {
		sbuf_free(text);
		*text = out;
	} else {
		sbuf_free(&out);
	}
out:
	free(v);
	free(files);
	free(flens);
}
