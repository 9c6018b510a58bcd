#include "conf_util.h"

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/parse.h"

static void diag_add(struct conf_ctx *ctx, const config_setting_t *at,
		     const char *kind, const char *fmt, va_list ap)
{
	int line = at ? (int)config_setting_source_line(at) : 0;
	struct sbuf *t = &ctx->diag->text;

	sbuf_printf(t, "%s:%d: %s", ctx->file, line, kind);
	{
		char msg[512];

		vsnprintf(msg, sizeof(msg), fmt, ap);
		/* the file's own strings may hold newlines: one problem, one
		 * line (found by fuzz_conf) */
		for (char *p = msg; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = '?';
		sbuf_puts(t, msg);
	}
	sbuf_puts(t, "\n");
}

void conf_error(struct conf_ctx *ctx, const config_setting_t *at,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_add(ctx, at, "", fmt, ap);
	va_end(ap);
	ctx->diag->errors++;
}

void conf_warning(struct conf_ctx *ctx, const config_setting_t *at,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_add(ctx, at, "warning: ", fmt, ap);
	va_end(ap);
	ctx->diag->warnings++;
}

int conf_result(const struct conf_ctx *ctx, unsigned errors_before)
{
	return ctx->diag->errors == errors_before ? 0 : -1;
}

bool conf_check_keys(struct conf_ctx *ctx, const config_setting_t *group,
		     const char *const *known)
{
	int i, n = config_setting_length(group);
	bool ok = true;

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, i);
		const char *name = config_setting_name(s);
		const char *hint;
		size_t k;
		bool found = false;

		if (!name)
			continue;
		for (k = 0; known[k]; k++)
			if (strcmp(known[k], name) == 0)
				found = true;
		if (found)
			continue;
		ok = false;
		hint = closest_word(name, known);
		if (hint)
			conf_error(ctx, s,
				   "unknown key '%s' (did you mean '%s'?)",
				   name, hint);
		else
			conf_error(ctx, s, "unknown key '%s'", name);
	}
	return ok;
}

bool conf_is_group(struct conf_ctx *ctx, const config_setting_t *s)
{
	if (config_setting_is_group(s))
		return true;
	conf_error(ctx, s, "'%s' must be a group { ... }",
		   config_setting_name(s) ? config_setting_name(s) : "value");
	return false;
}

config_setting_t *conf_entries(struct conf_ctx *ctx,
			       const config_setting_t *parent, const char *key,
			       const char *where, const char *needs,
			       const char *each, int *n)
{
	config_setting_t *g = config_setting_get_member(parent, key);

	*n = 0;
	if (!g) {
		conf_error(ctx, parent, "%s: '%s' is required (%s)", where, key,
			   needs);
		return NULL;
	}
	if (!conf_is_group(ctx, g))
		return NULL;
	*n = config_setting_length(g);
	if (*n == 0)
		conf_error(ctx, g, "%s: '%s' has no %s", where, key, each);
	return g;
}

config_setting_t *conf_subgroup(struct conf_ctx *ctx, const config_setting_t *g,
				const char *name)
{
	config_setting_t *s = config_setting_get_member(g, name);

	if (!s || !conf_is_group(ctx, s))
		return NULL;
	return s;
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "something else";
	}
}

int conf_get_int(struct conf_ctx *ctx, const config_setting_t *group,
		 const char *name, long min, long max, long *out)
{
	config_setting_t *s = config_setting_get_member(group, name);
	long long v;

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		conf_error(ctx, s, "'%s' must be an integer, not %s", name,
			   type_name(config_setting_type(s)));
		return -1;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		conf_error(ctx, s, "'%s' is %lld; must be %ld..%ld", name, v,
			   min, max);
		return -1;
	}
	*out = (long)v;
	return 0;
}

int conf_get_bool(struct conf_ctx *ctx, const config_setting_t *group,
		  const char *name, bool *out)
{
	config_setting_t *s = config_setting_get_member(group, name);

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		conf_error(ctx, s, "'%s' must be true or false, not %s", name,
			   type_name(config_setting_type(s)));
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 0;
}

int conf_get_str(struct conf_ctx *ctx, const config_setting_t *group,
		 const char *name, char **out)
{
	config_setting_t *s = config_setting_get_member(group, name);
	char *dup;

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_error(ctx, s, "'%s' must be a string, not %s", name,
			   type_name(config_setting_type(s)));
		return -1;
	}
	dup = strdup(config_setting_get_string(s));
	if (!dup) {
		conf_error(ctx, s, "out of memory");
		return -1;
	}
	free(*out);
	*out = dup;
	return 0;
}

int conf_get_enum(struct conf_ctx *ctx, const config_setting_t *group,
		  const char *name, const struct enum_name *table,
		  const char *where, const char *what, int *out)
{
	config_setting_t *s = config_setting_get_member(group, name);
	char *v = NULL, names[256];
	int rc = 0;

	if (!s || conf_get_str(ctx, group, name, &v) < 0)
		return s ? -1 : 0;
	if (!enum_name_value(table, v, out)) {
		enum_name_list(table, names, sizeof(names));
		conf_error(ctx, s, "%s%s \"%s\" must be %s", where, what, v,
			   names);
		rc = -1;
	}
	free(v);
	return rc;
}

/* "83 min", "5s", "1.5s", "250ms": a duration as a reader would say it. */
static void ms_human(int64_t ms, char *buf, size_t len)
{
	if (ms < 1000)
		snprintf(buf, len, "%lldms", (long long)ms);
	else if (ms < 120000 && ms % 1000)
		snprintf(buf, len, "%lld.%llds", (long long)(ms / 1000),
			 (long long)(ms % 1000 / 100));
	else if (ms < 120000)
		snprintf(buf, len, "%llds", (long long)(ms / 1000));
	else if (ms < 7200000)
		snprintf(buf, len, "%lld min", (long long)(ms / 60000));
	else if (ms < 172800000)
		snprintf(buf, len, "%lld h", (long long)(ms / 3600000));
	else
		snprintf(buf, len, "%lld days", (long long)(ms / 86400000));
}

/*
 * HAProxy users write milliseconds where keepalived users write seconds:
 * a bare number is refused, with both readings, where the two meet.
 */
static void bare_number_error(struct conf_ctx *ctx, const config_setting_t *s,
			      const char *name, long long v)
{
	char as_s[32], as_ms[32];

	ms_human(v * 1000, as_s, sizeof(as_s));
	ms_human(v, as_ms, sizeof(as_ms));
	conf_error(ctx, s,
		   "'%s' = %lld has no unit: as seconds %lld is %s, as "
		   "milliseconds %s; write \"%lldms\" or \"%llds\"",
		   name, v, v, as_s, as_ms, v, v);
}

static int get_duration(struct conf_ctx *ctx, const config_setting_t *group,
			const char *name, int64_t min_ms, int64_t max_ms,
			int64_t *out, bool need_unit)
{
	config_setting_t *s = config_setting_get_member(group, name);
	int64_t ms;

	if (!s)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: {
		long long v = config_setting_get_int64(s);

		if (v < 0 || v > INT64_MAX / 1000) {
			conf_error(ctx, s, "'%s' is %lld; must not be negative",
				   name, v);
			return -1;
		}
		if (need_unit && v != 0) {
			bare_number_error(ctx, s, name, v);
			return -1;
		}
		ms = v * 1000;
		break;
	}
	case CONFIG_TYPE_STRING:
		if (parse_duration_ms(config_setting_get_string(s), &ms) < 0) {
			conf_error(ctx, s,
				   "'%s' is \"%s\"; expected a duration such "
				   "as \"500ms\", \"10s\", \"1m\"%s",
				   name, config_setting_get_string(s),
				   need_unit ? "" : " or a number of seconds");
			return -1;
		}
		break;
	default:
		conf_error(ctx, s, "'%s' must be a duration, not %s", name,
			   type_name(config_setting_type(s)));
		return -1;
	}
	if (ms < min_ms || ms > max_ms) {
		conf_error(ctx, s, "'%s' is %lldms; must be %lldms..%lldms",
			   name, (long long)ms, (long long)min_ms,
			   (long long)max_ms);
		return -1;
	}
	*out = ms;
	return 0;
}

int conf_get_duration(struct conf_ctx *ctx, const config_setting_t *group,
		      const char *name, int64_t min_ms, int64_t max_ms,
		      int64_t *out)
{
	return get_duration(ctx, group, name, min_ms, max_ms, out, false);
}

int conf_get_duration_unit(struct conf_ctx *ctx, const config_setting_t *group,
			   const char *name, int64_t min_ms, int64_t max_ms,
			   int64_t *out)
{
	return get_duration(ctx, group, name, min_ms, max_ms, out, true);
}

void conf_str_list_free(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

int conf_get_str_list(struct conf_ctx *ctx, const config_setting_t *group,
		      const char *name, char ***out, size_t *n)
{
	config_setting_t *s = config_setting_get_member(group, name);
	int i, len;
	char **list;

	if (!s)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		list = calloc(1, sizeof(*list));
		if (!list ||
		    !(list[0] = strdup(config_setting_get_string(s)))) {
			free(list);
			conf_error(ctx, s, "out of memory");
			return -1;
		}
		conf_str_list_free(*out, *n);
		*out = list;
		*n = 1;
		return 0;
	}
	if (!config_setting_is_aggregate(s) || config_setting_is_group(s)) {
		conf_error(ctx, s, "'%s' must be a list of strings [ \"...\" ]",
			   name);
		return -1;
	}
	len = config_setting_length(s);
	list = calloc((size_t)len + 1, sizeof(*list));
	if (!list) {
		conf_error(ctx, s, "out of memory");
		return -1;
	}
	for (i = 0; i < len; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_error(ctx, e, "'%s' must hold only strings", name);
			conf_str_list_free(list, (size_t)i);
			return -1;
		}
		list[i] = strdup(config_setting_get_string(e));
		if (!list[i]) {
			conf_error(ctx, e, "out of memory");
			conf_str_list_free(list, (size_t)i);
			return -1;
		}
	}
	conf_str_list_free(*out, *n);
	*out = list;
	*n = (size_t)len;
	return 0;
}

bool conf_copy_name(struct conf_ctx *ctx, const config_setting_t *at, char *dst,
		    size_t size, const char *src, const char *what)
{
	if (strlen(src) >= size || !*src) {
		conf_error(ctx, at, "%s '%s' must be 1..%zu characters", what,
			   src, size - 1);
		return false;
	}
	strcpy(dst, src);
	return true;
}

int conf_get_group(struct conf_ctx *ctx, const config_setting_t *group,
		   const char *name, char **out, gid_t *gid)
{
	config_setting_t *s = config_setting_get_member(group, name);
	struct group *gr;
	char *end;
	unsigned long n;

	if (!s || conf_get_str(ctx, group, name, out) < 0)
		return s ? -1 : 0;
	errno = 0;
	n = strtoul(*out, &end, 10);
	if (**out && !*end && !errno && n < (gid_t)-1) {
		*gid = (gid_t)n;
		return 0;
	}
	gr = getgrnam(*out);
	if (!gr) {
		conf_error(ctx, s, "group '%s' does not exist on this host",
			   *out);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}
