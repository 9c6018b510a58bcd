#include "conf_fwd.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_fwd_part.h"

#define DEFAULT_MAXCONN 4096

static const char *const fwd_keys[] = {"control_socket",
				       "vrrpd_socket",
				       "maxconn",
				       "user",
				       "group",
				       "timeout",
				       "grace",
				       "shutdown_sessions_on_down",
				       "listen",
				       "stats",
				       "control_socket_group",
				       "cert_warn_days",
				       "data_path",
				       "kernel_after",
				       "defer_accept",
				       NULL};
static const char *const timeout_keys[] = {"connect", "client", "server",
					   "check", NULL};
/* a listen's own timeout group: check is the forwarder's alone */
static const char *const listen_timeout_keys[] = {"connect", "client", "server",
						  NULL};

const struct enum_name conf_balance_names[] = {
    {"roundrobin", CONF_BALANCE_ROUNDROBIN},
    {"leastconn", CONF_BALANCE_LEASTCONN},
    {"source", CONF_BALANCE_SOURCE},
    {NULL, 0}};

const struct enum_name conf_send_proxy_names[] = {
    {"v1", 1}, {"v2", 2}, {NULL, 0}};

const struct enum_name conf_data_path_names[] = {
    {"auto", CONF_DATA_PATH_AUTO},
    {"kernel", CONF_DATA_PATH_KERNEL},
    {"copy", CONF_DATA_PATH_COPY},
    {NULL, 0}};

/* forwarder.data_path: "copy" unless set (see conf_fwd.h), and
 * kernel_after: the turns before a session is handed to the kernel. */
static void conf_fwd_data_path_parse(struct conf_ctx *ctx,
				     const config_setting_t *fwd,
				     struct conf_fwd *f)
{
	int v = (int)CONF_DATA_PATH_COPY;
	long after;

	if (conf_get_enum(ctx, fwd, "data_path", conf_data_path_names,
			  "forwarder: ", "data_path", &v) == 0)
		f->data_path = (enum conf_data_path)v;
	after = 4; /* two requests and their replies (kpath_worth) */
	conf_get_int(ctx, fwd, "kernel_after", 0, 255, &after);
	f->kernel_after = (int)after;
}

const char *conf_balance_str(enum conf_balance b)
{
	return enum_name_str(conf_balance_names, (int)b, "?");
}

void conf_fwd_timeouts_parse(struct conf_ctx *ctx, const config_setting_t *t,
			     int64_t *connect, int64_t *client, int64_t *server,
			     int64_t *check)
{
	conf_check_keys(ctx, t, check ? timeout_keys : listen_timeout_keys);
	conf_get_duration_unit(ctx, t, "connect", 1, DAY_MS, connect);
	conf_get_duration_unit(ctx, t, "client", 1, DAY_MS, client);
	conf_get_duration_unit(ctx, t, "server", 1, DAY_MS, server);
	if (check)
		conf_get_duration_unit(ctx, t, "check", 1, DAY_MS, check);
}

static void parse_timeouts(struct conf_ctx *ctx, const config_setting_t *fwd,
			   struct conf_fwd *out)
{
	config_setting_t *t = conf_subgroup(ctx, fwd, "timeout");

	if (t)
		conf_fwd_timeouts_parse(
		    ctx, t, &out->timeout_connect_ms, &out->timeout_client_ms,
		    &out->timeout_server_ms, &out->timeout_check_ms);
}

static void parse_identity(struct conf_ctx *ctx, const config_setting_t *fwd,
			   struct conf_fwd *out)
{
	conf_get_str(ctx, fwd, "user", &out->user);
	conf_get_str(ctx, fwd, "group", &out->group);
	if (out->user) {
		struct passwd *pw = getpwnam(out->user);

		if (!pw) {
			conf_error(ctx, config_setting_get_member(fwd, "user"),
				   "user '%s' does not exist on this host",
				   out->user);
		} else {
			out->uid = pw->pw_uid;
			out->gid = pw->pw_gid;
		}
	}
	if (out->group) {
		struct group *gr = getgrnam(out->group);

		if (!gr)
			conf_error(ctx, config_setting_get_member(fwd, "group"),
				   "group '%s' does not exist on this host",
				   out->group);
		else
			out->gid = gr->gr_gid;
	}
}

int conf_fwd_parse(struct conf_ctx *ctx, const config_setting_t *fwd,
		   struct conf_fwd **out)
{
	unsigned errors = ctx->diag->errors;
	struct conf_fwd *f;

	*out = NULL;
	if (!conf_is_group(ctx, fwd))
		return -1;
	f = calloc(1, sizeof(*f));
	if (!f) {
		conf_error(ctx, fwd, "out of memory");
		return -1;
	}
	f->maxconn = DEFAULT_MAXCONN;
	f->timeout_connect_ms = 5000;
	f->timeout_client_ms = 60000;
	f->timeout_server_ms = 60000;
	f->timeout_check_ms = -1;
	f->grace_ms = 30000;
	f->uid = (uid_t)-1;
	f->gid = (gid_t)-1;
	conf_check_keys(ctx, fwd, fwd_keys);
	conf_get_str(ctx, fwd, "control_socket", &f->control_socket);
	conf_get_str(ctx, fwd, "vrrpd_socket", &f->vrrpd_socket);
	conf_get_group(ctx, fwd, "control_socket_group",
		       &f->control_socket_group, &f->control_socket_gid);
	if (!f->control_socket)
		f->control_socket = strdup(CONF_FWD_DEFAULT_SOCKET);
	conf_get_int(ctx, fwd, "maxconn", 1, MAX_MAXCONN, &f->maxconn);
	parse_identity(ctx, fwd, f);
	parse_timeouts(ctx, fwd, f);
	conf_get_duration_unit(ctx, fwd, "grace", 0, DAY_MS, &f->grace_ms);
	conf_get_bool(ctx, fwd, "shutdown_sessions_on_down",
		      &f->shutdown_sessions_on_down);
	conf_get_bool(ctx, fwd, "defer_accept", &f->defer_accept);
	conf_fwd_data_path_parse(ctx, fwd, f);
	conf_fwd_listens_parse(ctx, fwd, f);
	conf_fwd_stats_parse(ctx, fwd, f);
	{
		long days = 14; /* issue #14: certificate expiry warning */

		conf_get_int(ctx, fwd, "cert_warn_days", 0, 3650, &days);
		f->cert_warn_days = (int)days;
	}
	*out = f;
	return conf_result(ctx, errors);
}

void conf_fwd_free(struct conf_fwd *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n_listens; i++) {
		free(f->listens[i].binds);
		free(f->listens[i].servers);
	}
	free(f->listens);
	free(f->control_socket);
	free(f->control_socket_group);
	free(f->vrrpd_socket);
	free(f->user);
	free(f->group);
	free(f->stats.uri);
	free(f->stats.auth);
	free(f);
}
