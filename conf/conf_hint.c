#include "conf_hint.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Keys whose value is true or false: a bare one means "= true;". */
static const char *const bool_keys[] = {
    "smtp_alert", "smtp_starttls", "nopreempt",	 "fast_preempt",
    "backup",	  "disabled",	   "redispatch", "shutdown_sessions_on_down",
    NULL};

/* Copies line n (1-based) of text into buf, without its comment and
 * surrounding blanks; false when the file has no such line. */
static bool get_line(const char *text, int n, char *buf, size_t len)
{
	const char *p = text, *end;
	size_t k;

	for (; n > 1 && p; n--) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || n != 1 || len == 0)
		return false;
	end = strchr(p, '\n');
	if (!end)
		end = p + strlen(p);
	while (p < end && isspace((unsigned char)*p))
		p++;
	k = (size_t)(end - p) < len - 1 ? (size_t)(end - p) : len - 1;
	memcpy(buf, p, k);
	buf[k] = '\0';
	for (char *c = buf; *c; c++)
		if (*c == '#' || (c[0] == '/' && c[1] == '/'))
			*c = '\0';
	k = strlen(buf);
	while (k && isspace((unsigned char)buf[k - 1]))
		buf[--k] = '\0';
	return true;
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '*';
}

/* "50 = {", "50 {", "50: {": a setting name that starts with a digit. */
static bool digit_name(const char *line, char *name, size_t len)
{
	const char *p;

	for (p = line; *p; p++) {
		const char *start = p, *after;

		/* not the digits of a name, a number or an address */
		if (!isdigit((unsigned char)*p) ||
		    (p > line &&
		     (is_name_char(p[-1]) || strchr(".:[\"", p[-1]))))
			continue;
		while (is_name_char(*p))
			p++;
		after = p;
		while (*after == ' ' || *after == '\t')
			after++;
		if (*after == '=' || *after == ':' || *after == '{') {
			snprintf(name, len, "%.*s", (int)(p - start), start);
			return true;
		}
		if (!*p)
			break;
	}
	return false;
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * "smtp_alert;", "{ smtp_alert; }" or "smtp_alert" alone: a name where a
 * setting starts (line start, after '{' or ';') and no "= value" after it.
 */
static bool bare_key(const char *line, char *name, size_t len)
{
	const char *p = line;

	while (*p) {
		const char *start, *end;

		p = skip_blanks(p);
		start = p;
		while (is_name_char(*p))
			p++;
		end = p;
		p = skip_blanks(p);
		if (end > start && isalpha((unsigned char)*start) &&
		    (!*p || *p == ';' || *p == ',' || *p == '}')) {
			snprintf(name, len, "%.*s", (int)(end - start), start);
			return true;
		}
		/* on to the next place a setting may start */
		p = strpbrk(p, "{;");
		if (!p)
			break;
		p++;
	}
	return false;
}

/* "x = 1;", "x: 1;", "};": a line libconfig would read without trouble
 * after a complete setting. */
static bool plain_setting(const char *line)
{
	const char *p = line;

	if (*p == '}')
		return true;
	while (is_name_char(*p))
		p++;
	p = skip_blanks(p);
	return p > line && (*p == '=' || *p == ':');
}

static const char *bare_value(const char *name)
{
	size_t i;

	for (i = 0; bool_keys[i]; i++)
		if (strcmp(bool_keys[i], name) == 0)
			return "true";
	return "VALUE";
}

bool conf_syntax_hint(const char *text, int line, char *buf, size_t len)
{
	char cur[256], prev[256], name[64];
	int p;

	if (!text || line < 1 || !get_line(text, line, cur, sizeof(cur)))
		return false;
	/* Here goes vrrpd-import's sniffing of keepalived or HAProxy
	 * syntax (a whole-file question, hence text). */
	if (digit_name(cur, name, sizeof(name))) {
		snprintf(buf, len,
			 "the setting name '%s' starts with a digit; names "
			 "start with a letter (write VI_%s)",
			 name, name);
		return true;
	}
	if (bare_key(cur, name, sizeof(name))) {
		snprintf(buf, len, "'%s' has no value; write %s = %s;", name,
			 name, bare_value(name));
		return true;
	}
	/* libconfig reports a bare key at the next token's line */
	for (p = line - 1; p >= 1; p--) {
		if (!get_line(text, p, prev, sizeof(prev)))
			return false;
		if (prev[0])
			break;
	}
	if (p >= 1 && plain_setting(cur) && !strpbrk(prev, "=:;{}") &&
	    bare_key(prev, name, sizeof(name))) {
		snprintf(buf, len, "line %d: '%s' has no value; write %s = %s;",
			 p, name, name, bare_value(name));
		return true;
	}
	return false;
}
