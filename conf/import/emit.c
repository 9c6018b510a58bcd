#include "emit.h"

#include <stdlib.h>
#include <string.h>

void imp_out_init(struct imp_out *o, struct conf_diag *d)
{
	memset(o, 0, sizeof(*o));
	o->d = d;
	config_init(&o->cfg);
	config_set_options(&o->cfg, CONFIG_OPTION_SEMICOLON_SEPARATORS);
	config_set_tab_width(&o->cfg, 2);
}

void imp_out_free(struct imp_out *o)
{
	size_t i;

	for (i = 0; i < o->n_origins; i++)
		free(o->origins[i].path);
	free(o->origins);
	imp_strv_free(&o->header);
	config_destroy(&o->cfg);
}

/* "a.b.c" of s, from the root down */
static void setting_path(const config_setting_t *s, char *buf, size_t len)
{
	const char *names[16];
	int n = 0;
	size_t at = 0;

	for (; s && config_setting_name(s) && n < 16;
	     s = config_setting_parent(s))
		names[n++] = config_setting_name(s);
	buf[0] = '\0';
	while (n-- > 0 && at < len)
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
				       at ? "." : "", names[n]);
}

void imp_out_origin(struct imp_out *o, const config_setting_t *s,
		    struct imp_src at)
{
	struct imp_origin *v =
	    realloc(o->origins, (o->n_origins + 1) * sizeof(*v));
	char path[512];

	if (!v)
		return;
	o->origins = v;
	setting_path(s, path, sizeof(path));
	v[o->n_origins].path = strdup(path);
	v[o->n_origins].at = at;
	if (v[o->n_origins].path)
		o->n_origins++;
}

config_setting_t *imp_add_group(config_setting_t *parent, const char *name)
{
	config_setting_t *g = config_setting_get_member(parent, name);

	if (g)
		return g;
	return config_setting_add(parent, name, CONFIG_TYPE_GROUP);
}

void imp_add_str(config_setting_t *parent, const char *name, const char *v)
{
	config_setting_t *s;

	if (!v)
		return;
	s = config_setting_add(parent, name, CONFIG_TYPE_STRING);
	if (s)
		config_setting_set_string(s, v);
}

void imp_add_int(config_setting_t *parent, const char *name, long long v)
{
	config_setting_t *s = config_setting_add(parent, name, CONFIG_TYPE_INT);

	if (s)
		config_setting_set_int(s, (int)v);
}

void imp_add_bool(config_setting_t *parent, const char *name, bool v)
{
	config_setting_t *s =
	    config_setting_add(parent, name, CONFIG_TYPE_BOOL);

	if (s)
		config_setting_set_bool(s, v);
}

void imp_fmt_ms(long long ms, char *buf, size_t len)
{
	static const struct {
		long long ms;
		const char *unit;
	} units[] = {{86400000, "d"},
		     {3600000, "h"},
		     {60000, "m"},
		     {1000, "s"},
		     {1, "ms"}};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ms % units[i].ms == 0 && (ms || units[i].ms == 1)) {
			snprintf(buf, len, "%lld%s", ms / units[i].ms,
				 units[i].unit);
			break;
		}
}

void imp_add_ms(config_setting_t *parent, const char *name, long long ms)
{
	char buf[40];

	imp_fmt_ms(ms, buf, sizeof(buf));
	imp_add_str(parent, name, buf);
}

void imp_member_name(struct imp_out *o, const config_setting_t *parent,
		     const char *name, const char *prefix, const char *what,
		     struct imp_src at, char *out)
{
	bool changed = imp_setting_name(name, prefix, out);
	char base[52];
	int i;

	snprintf(base, sizeof(base), "%.50s", out);
	for (i = 2; config_setting_get_member(parent, out) && i < 1000; i++) {
		snprintf(out, CONF_NAME_MAX, "%.50s_%d", base, i);
		changed = true;
	}
	if (changed)
		imp_msg(o->d, IMP_NOTE, at,
			"%s '%s' is carried as '%s': vrrpd.conf names are "
			"letters, digits, '-' and '_', starting with a "
			"letter, unique, at most %d bytes",
			what, name, out, CONF_NAME_MAX - 1);
}

/* --- writing ---------------------------------------------------------- */

/*
 * The comment rule: libconfig writes one "NAME = {" line to open each
 * group. We follow the nesting through those lines and the "}" lines
 * (outside quoted strings) and, above the opening line of each group
 * named in origins, insert "# from FILE:LINE" with its indentation. The
 * result is read back with libconfig; if it were not equal in structure
 * the comments would be dropped rather than risk the file.
 */
static void annotate(const struct imp_out *o, const char *text,
		     struct sbuf *out)
{
	char path[1024] = "";
	size_t lens[32];
	int depth = 0;
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p + 1) : strlen(p);
		size_t ind = strspn(p, " ");
		const char *q = p + ind;
		size_t name_len = strspn(q, "abcdefghijklmnopqrstuvwxyz"
					    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789_-*");
		bool quoted = false;
		int opens = 0, closes = 0;

		for (size_t i = 0; i < len; i++) {
			if (p[i] == '\\' && quoted) {
				i++;
				continue;
			}
			if (p[i] == '"')
				quoted = !quoted;
			else if (!quoted && p[i] == '{')
				opens++;
			else if (!quoted && p[i] == '}')
				closes++;
		}
		if (opens == 1 && closes == 0 && name_len &&
		    strncmp(q + name_len, " = {", 4) == 0 && depth < 32) {
			size_t at = strlen(path);

			lens[depth++] = at;
			snprintf(path + at, sizeof(path) - at, "%s%.*s",
				 at ? "." : "", (int)name_len, q);
			for (size_t i = 0; i < o->n_origins; i++)
				if (strcmp(o->origins[i].path, path) == 0)
					sbuf_printf(out, "%*s# from %s:%d\n",
						    (int)ind, "",
						    o->origins[i].at.file,
						    o->origins[i].at.line);
		} else {
			/* groups inside lists and their closing lines */
			for (; opens > closes && depth < 32; opens--)
				lens[depth++] = strlen(path);
			for (; closes > opens && depth > 0; closes--)
				path[lens[--depth]] = '\0';
		}
		sbuf_add(out, p, len);
		p += len;
	}
}

int imp_write(struct imp_out *o, FILE *out)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *mem = open_memstream(&text, &len);
	struct sbuf sb;
	config_t check;
	int ok;

	if (!mem)
		return -1;
	config_write(&o->cfg, mem);
	if (fclose(mem) != 0 || !text) {
		free(text);
		return -1;
	}
	sbuf_init(&sb);
	for (i = 0; i < o->header.n; i++)
		sbuf_printf(&sb, "# %s\n", o->header.v[i]);
	sbuf_puts(&sb, "\n");
	annotate(o, text, &sb);
	config_init(&check);
	ok = config_read_string(&check, sbuf_str(&sb));
	config_destroy(&check);
	if (sb.oom || !ok) {
		sbuf_reset(&sb);
		for (i = 0; i < o->header.n; i++)
			sbuf_printf(&sb, "# %s\n", o->header.v[i]);
		sbuf_puts(&sb, "\n");
		sbuf_puts(&sb, text);
	}
	free(text);
	ok = fwrite(sbuf_str(&sb), 1, sb.len, out) == sb.len;
	sbuf_free(&sb);
	return ok ? 0 : -1;
}
