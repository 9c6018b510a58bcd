/* forwarder.stats: the optional HTTP status page (docs/stats-page.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/parse.h"
#include "conf_fwd_part.h"

static const char *const stats_keys[] = {"bind",    "uri",   "auth",
					 "refresh", "admin", NULL};

/* Characters a stats uri may hold: a plain path, no query or escapes. */
static bool uri_ok(const char *u)
{
	if (u[0] != '/')
		return false;
	for (; *u; u++)
		if (*u <= ' ' || *u >= 127 || strchr("?#%\\\"<>", *u))
			return false;
	return true;
}

static void parse_stats_bind(struct conf_ctx *ctx, const config_setting_t *s,
			     struct conf_fwd *f)
{
	struct conf_fwd_stats *st = &f->stats;
	char *bind = NULL, buf[80], any[14]; /* "0.0.0.0:" and 5 digits */
	size_t i, j;

	if (conf_get_str(ctx, s, "bind", &bind) < 0)
		return;
	if (!bind) {
		conf_error(ctx, s, "stats: 'bind' is required (\"ip:port\")");
		return;
	}
	if (parse_sockaddr(conf_fwd_wildcard(bind, any, sizeof(any)), &st->addr,
			   &st->addrlen, false) < 0) {
		conf_error(ctx, config_setting_get_member(s, "bind"),
			   "stats: bind \"%s\" is not \"ip:port\" or "
			   "\"[ipv6]:port\"",
			   bind);
		free(bind);
		return;
	}
	free(bind);
	for (i = 0; i < f->n_listens; i++)
		for (j = 0; j < f->listens[i].n_binds; j++)
			if (conf_fwd_same_addr(&st->addr, st->addrlen,
					       &f->listens[i].binds[j].addr,
					       f->listens[i].binds[j].addrlen))
				conf_error(
				    ctx, config_setting_get_member(s, "bind"),
				    "stats: bind %s is already used by listen "
				    "%s (line %d)",
				    sockaddr_str(
					(const struct sockaddr *)&st->addr, buf,
					sizeof(buf)),
				    f->listens[i].name,
				    f->listens[i].binds[j].line);
}

void conf_fwd_stats_parse(struct conf_ctx *ctx, const config_setting_t *fwd,
			  struct conf_fwd *f)
{
	config_setting_t *s = conf_subgroup(ctx, fwd, "stats");
	struct conf_fwd_stats *st = &f->stats;

	st->refresh_ms = 5000;
	if (!s)
		return;
	st->enabled = true;
	st->line = (int)config_setting_source_line(s);
	conf_check_keys(ctx, s, stats_keys);
	parse_stats_bind(ctx, s, f);
	if (conf_get_str(ctx, s, "uri", &st->uri) == 0 && st->uri &&
	    !uri_ok(st->uri))
		conf_error(ctx, config_setting_get_member(s, "uri"),
			   "stats: uri \"%s\" must be a path starting with "
			   "'/' (no spaces, '?', '#' or '%%')",
			   st->uri);
	if (!st->uri)
		st->uri = strdup("/");
	if (conf_get_str(ctx, s, "auth", &st->auth) == 0 && st->auth &&
	    (!strchr(st->auth, ':') || st->auth[0] == ':'))
		conf_error(ctx, config_setting_get_member(s, "auth"),
			   "stats: auth must be \"user:password\"");
	conf_get_duration_unit(ctx, s, "refresh", 1000, DAY_MS,
			       &st->refresh_ms);
	if (conf_get_bool(ctx, s, "admin", &st->admin) == 0 && st->admin &&
	    !st->auth)
		conf_error(ctx, config_setting_get_member(s, "admin"),
			   "stats: admin needs auth = \"user:password\" (its "
			   "buttons take servers out of rotation)");
}
