#include "conf_check.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY_MS 86400000

const struct enum_name conf_check_type_names[] = {{"tcp", CONF_CHECK_TCP},
						  {"tls", CONF_CHECK_TLS},
						  {"http", CONF_CHECK_HTTP},
						  {"smtp", CONF_CHECK_SMTP},
						  {NULL, 0}};

const char *conf_check_type_str(enum conf_check_type t)
{
	return enum_name_str(conf_check_type_names, (int)t, "?");
}

static int status_code(const char **p)
{
	int v = 0, n = 0;

	while (isdigit((unsigned char)**p) && n < 4) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n == 3 && v >= 100 && v <= 599 ? v : -1;
}

int conf_status_parse(const char *s, struct conf_status_set *out)
{
	const char *p = s;

	out->n = 0;
	for (;;) {
		int lo, hi;

		while (*p == ' ')
			p++;
		lo = status_code(&p);
		if (lo < 0)
			return -1;
		hi = lo;
		if (*p == '-') {
			p++;
			hi = status_code(&p);
			if (hi < lo)
				return -1;
		}
		if (out->n == CONF_STATUS_RANGES)
			return -1;
		out->r[out->n].lo = lo;
		out->r[out->n].hi = hi;
		out->n++;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

bool conf_status_match(const struct conf_status_set *set, int code)
{
	int i;

	for (i = 0; i < set->n; i++)
		if (code >= set->r[i].lo && code <= set->r[i].hi)
			return true;
	return false;
}

bool conf_check_uses_tls(const struct conf_check_app *a)
{
	return a->type == CONF_CHECK_TLS || a->ssl || a->starttls;
}

void conf_check_app_init(struct conf_check_app *out)
{
	memset(out, 0, sizeof(*out));
	strcpy(out->method, "GET");
	strcpy(out->uri, "/");
	conf_status_parse("200-399", &out->expect);
}

/* What may go on a request or command line: printable, no spaces when
 * space is false (a CR or LF would let the config inject a header). */
static bool printable(const char *s, bool space)
{
	for (; *s; s++)
		if ((unsigned char)*s < (space ? ' ' : '!') ||
		    (unsigned char)*s >= 127)
			return false;
	return true;
}

static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isupper((unsigned char)*s))
			return false;
	return true;
}

/* A string key into a fixed buffer; NULL when absent or reported. */
static const config_setting_t *get_text(struct conf_ctx *ctx,
					const config_setting_t *c,
					const char *where, const char *name,
					char *dst, size_t size, bool space)
{
	const config_setting_t *m = config_setting_get_member(c, name);
	char *v = NULL;

	if (!m || conf_get_str(ctx, c, name, &v) < 0 || !v)
		return NULL;
	if (strlen(v) >= size)
		conf_error(ctx, m, "%s: check %s is longer than %zu characters",
			   where, name, size - 1);
	else if (!printable(v, space))
		conf_error(ctx, m,
			   "%s: check %s \"%s\" holds a control character%s",
			   where, name, v, space ? "" : " or a space");
	else
		strcpy(dst, v);
	free(v);
	return m;
}

static void parse_type(struct conf_ctx *ctx, const config_setting_t *c,
		       const char *where, struct conf_check_app *out)
{
	char prefix[256];
	int t = (int)out->type;

	snprintf(prefix, sizeof(prefix), "%s: ", where);
	if (conf_get_enum(ctx, c, "type", conf_check_type_names, prefix,
			  "check type", &t) == 0)
		out->type = (enum conf_check_type)t;
}

/* Keys that mean nothing for the chosen type are errors, not silence. */
static void only_for(struct conf_ctx *ctx, const config_setting_t *c,
		     const char *where, const char *key, bool ok,
		     const char *types)
{
	const config_setting_t *m = config_setting_get_member(c, key);

	if (m && !ok)
		conf_error(ctx, m, "%s: check key '%s' is only for %s", where,
			   key, types);
}

static void parse_http(struct conf_ctx *ctx, const config_setting_t *c,
		       const char *where, struct conf_check_app *out)
{
	const config_setting_t *m;
	char expect[128] = "";

	m = get_text(ctx, c, where, "method", out->method, sizeof(out->method),
		     false);
	if (m && !is_token(out->method))
		conf_error(ctx, m,
			   "%s: check method \"%s\" must be an upper-case "
			   "token such as \"GET\" or \"HEAD\"",
			   where, out->method);
	m = get_text(ctx, c, where, "uri", out->uri, sizeof(out->uri), false);
	if (m && out->uri[0] != '/')
		conf_error(ctx, m, "%s: check uri \"%s\" must start with '/'",
			   where, out->uri);
	get_text(ctx, c, where, "host", out->host, sizeof(out->host), false);
	get_text(ctx, c, where, "expect_body", out->expect_body,
		 sizeof(out->expect_body), true);
	m = get_text(ctx, c, where, "expect_status", expect, sizeof(expect),
		     true);
	if (m && conf_status_parse(expect, &out->expect) < 0) {
		conf_error(ctx, m,
			   "%s: check expect_status \"%s\" is not a code, a "
			   "range or a list (\"200\", \"200-399\", "
			   "\"200,301-302\"; codes 100..599)",
			   where, expect);
		conf_status_parse("200-399", &out->expect);
	}
}

int conf_check_app_parse(struct conf_ctx *ctx, const config_setting_t *c,
			 const char *listen, const char *server,
			 struct conf_check_app *out)
{
	unsigned errors = ctx->diag->errors;
	char where[2 * 64 + 32];
	bool http, smtp, tls;
	const config_setting_t *m;

	snprintf(where, sizeof(where), "listen %s: server %s", listen, server);
	parse_type(ctx, c, where, out);
	conf_get_duration_unit(ctx, c, "fastinter", 100, DAY_MS,
			       &out->fastinter_ms);
	conf_get_duration_unit(ctx, c, "downinter", 100, DAY_MS,
			       &out->downinter_ms);
	http = out->type == CONF_CHECK_HTTP;
	smtp = out->type == CONF_CHECK_SMTP;
	conf_get_bool(ctx, c, "ssl", &out->ssl);
	conf_get_bool(ctx, c, "starttls", &out->starttls);
	conf_get_bool(ctx, c, "verify", &out->verify);
	only_for(ctx, c, where, "ssl", http || smtp,
		 "type \"http\" or \"smtp\"");
	only_for(ctx, c, where, "starttls", smtp, "type \"smtp\"");
	if (out->ssl && out->starttls)
		conf_error(ctx, config_setting_get_member(c, "starttls"),
			   "%s: check ssl and starttls exclude each other "
			   "(ssl: SMTPS from the first byte; starttls: "
			   "upgrade after EHLO)",
			   where);
	tls = conf_check_uses_tls(out);
	get_text(ctx, c, where, "sni", out->sni, sizeof(out->sni), false);
	m = get_text(ctx, c, where, "ca_file", out->ca_file,
		     sizeof(out->ca_file), false);
	if (m && access(out->ca_file, R_OK) < 0)
		conf_error(ctx, m, "%s: check ca_file \"%s\" cannot be read",
			   where, out->ca_file);
	if (m && !out->verify)
		conf_warning(ctx, m,
			     "%s: check ca_file is only used with verify = "
			     "true",
			     where);
	only_for(ctx, c, where, "sni", tls, "checks that use TLS");
	only_for(ctx, c, where, "verify", tls, "checks that use TLS");
	only_for(ctx, c, where, "ca_file", tls, "checks that use TLS");
	if (http)
		parse_http(ctx, c, where, out);
	else
		for (const char *const *k =
			 (const char *const[]){"method", "uri", "host",
					       "expect_status", "expect_body",
					       NULL};
		     *k; k++)
			only_for(ctx, c, where, *k, false, "type \"http\"");
	return conf_result(ctx, errors);
}
