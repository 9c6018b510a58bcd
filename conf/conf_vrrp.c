#include "conf_vrrp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/parse.h"
#include "conf_util.h"
#include "conf_vrrp_part.h"

#define DEFAULT_CONTROL_SOCKET "/run/vrrpd/vrrpd.sock"

static const char *const global_keys[] = {"router_id",
					  "notification_email",
					  "notification_email_from",
					  "smtp_server",
					  "smtp_connect_timeout",
					  "smtp_starttls",
					  "smtp_user",
					  "smtp_password",
					  "smtp_alert",
					  "smtp_alert_interval",
					  "control_socket",
					  "script_user",
					  "control_socket_group",
					  "smtp_verify",
					  "smtp_ca_file",
					  "vrrp_version",
					  NULL};

static const char *const script_keys[] = {
    "script", "interval", "timeout", "weight", "rise", "fall", "user", NULL};

static const char *const instance_keys[] = {"state",
					    "interface",
					    "virtual_router_id",
					    "priority",
					    "advert_int",
					    "authentication",
					    "virtual_ipaddress",
					    "nopreempt",
					    "preempt_delay",
					    "fast_preempt",
					    "unicast_src_ip",
					    "unicast_peer",
					    "garp_master_delay",
					    "garp_master_repeat",
					    "track_script",
					    "track_interface",
					    "track_forwarder",
					    "notify_master",
					    "notify_backup",
					    "notify_fault",
					    "notify_stop",
					    "notify",
					    "smtp_alert",
					    "version",
					    "v3_checksum_as_v2",
					    NULL};

const struct enum_name conf_wish_names[] = {
    {"MASTER", CONF_WISH_MASTER}, {"BACKUP", CONF_WISH_BACKUP}, {NULL, 0}};

static const char *const auth_keys[] = {"auth_type", "auth_pass", NULL};

static bool smtp_server_valid(const char *s)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const char *colon;

	if (strncmp(s, "smtp://", 7) == 0 || strncmp(s, "smtps://", 8) == 0)
		return strlen(s) > 8;
	if (parse_sockaddr(s, &ss, &len, true) == 0)
		return true;
	/* a host name, optionally with :port */
	colon = strrchr(s, ':');
	if (colon &&
	    (!colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1)))
		return false;
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyz"
			       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") ==
			 strlen(s);
}

static void parse_global(struct conf_ctx *ctx, const config_setting_t *g,
			 struct conf_global *out)
{
	long timeout = 30, version = 2;
	char host[256];

	out->smtp_connect_timeout = 30;
	out->smtp_alert_interval_ms = 30000;
	out->smtp_verify = true;
	out->vrrp_version = 2;
	if (g && conf_is_group(ctx, g)) {
		conf_check_keys(ctx, g, global_keys);
		conf_get_str(ctx, g, "router_id", &out->router_id);
		conf_get_str_list(ctx, g, "notification_email", &out->emails,
				  &out->n_emails);
		conf_get_str(ctx, g, "notification_email_from",
			     &out->email_from);
		if (conf_get_str(ctx, g, "smtp_server", &out->smtp_server) ==
			0 &&
		    out->smtp_server && !smtp_server_valid(out->smtp_server))
			conf_error(ctx,
				   config_setting_get_member(g, "smtp_server"),
				   "smtp_server \"%s\" is not host[:port] or "
				   "an smtp:// / smtps:// URL",
				   out->smtp_server);
		if (conf_get_int(ctx, g, "smtp_connect_timeout", 1, 3600,
				 &timeout) == 0)
			out->smtp_connect_timeout = (int)timeout;
		conf_get_bool(ctx, g, "smtp_starttls", &out->smtp_starttls);
		conf_get_str(ctx, g, "smtp_user", &out->smtp_user);
		conf_get_str(ctx, g, "smtp_password", &out->smtp_password);
		conf_get_bool(ctx, g, "smtp_verify", &out->smtp_verify);
		if (conf_get_str(ctx, g, "smtp_ca_file", &out->smtp_ca_file) ==
			0 &&
		    out->smtp_ca_file && access(out->smtp_ca_file, R_OK) < 0)
			conf_error(ctx,
				   config_setting_get_member(g, "smtp_ca_file"),
				   "smtp_ca_file \"%s\" cannot be read",
				   out->smtp_ca_file);
		conf_get_bool(ctx, g, "smtp_alert", &out->smtp_alert);
		conf_get_duration(ctx, g, "smtp_alert_interval", 0, 86400000,
				  &out->smtp_alert_interval_ms);
		conf_get_str(ctx, g, "control_socket", &out->control_socket);
		conf_get_group(ctx, g, "control_socket_group",
			       &out->control_socket_group,
			       &out->control_socket_gid);
		conf_get_str(ctx, g, "script_user", &out->script_user);
		if (conf_get_int(ctx, g, "vrrp_version", 2, 3, &version) == 0)
			out->vrrp_version = (uint8_t)version;
		if (out->n_emails && !out->smtp_server)
			conf_warning(ctx, g,
				     "notification_email is set but "
				     "smtp_server is not; no alert will be "
				     "sent");
		if (out->smtp_alert && !out->smtp_server)
			conf_warning(ctx,
				     config_setting_get_member(g, "smtp_alert"),
				     "smtp_alert is on but smtp_server is not "
				     "set; no alert will be sent");
	}
	if (!out->router_id) {
		if (gethostname(host, sizeof(host)) != 0)
			strcpy(host, "vrrpd");
		host[sizeof(host) - 1] = '\0';
		out->router_id = strdup(host);
	}
	if (!out->control_socket)
		out->control_socket = strdup(DEFAULT_CONTROL_SOCKET);
}

static void parse_script(struct conf_ctx *ctx, const config_setting_t *s,
			 struct conf_script *out)
{
	long v;

	out->line = (int)config_setting_source_line(s);
	out->interval_ms = 1000;
	out->timeout_ms = -1;
	out->rise = out->fall = 1;
	conf_copy_name(ctx, s, out->name, sizeof(out->name),
		       config_setting_name(s), "vrrp_script name");
	if (!conf_is_group(ctx, s))
		return;
	conf_check_keys(ctx, s, script_keys);
	conf_get_str(ctx, s, "script", &out->script);
	if (!out->script || !*out->script)
		conf_error(ctx, s, "vrrp_script %s: 'script' is required",
			   out->name);
	conf_get_duration(ctx, s, "interval", 100, 86400000, &out->interval_ms);
	conf_get_duration(ctx, s, "timeout", 100, 86400000, &out->timeout_ms);
	if (out->timeout_ms < 0)
		out->timeout_ms = out->interval_ms;
	v = 0;
	if (conf_get_int(ctx, s, "weight", -253, 253, &v) == 0)
		out->weight = (int)v;
	v = 1;
	if (conf_get_int(ctx, s, "rise", 1, 1000, &v) == 0)
		out->rise = (int)v;
	v = 1;
	if (conf_get_int(ctx, s, "fall", 1, 1000, &v) == 0)
		out->fall = (int)v;
	conf_get_str(ctx, s, "user", &out->user);
}

/* RFC 5798 5.2.9: an advert carries addresses of one family, so an
 * instance is IPv4 or IPv6, as its first VIP says. */
static void vips_family(struct conf_ctx *ctx, const config_setting_t *s,
			struct conf_instance *out)
{
	size_t i;

	out->family = out->n_vips ? out->vips[0].family : AF_INET;
	for (i = 1; i < out->n_vips; i++)
		if (out->vips[i].family != out->family) {
			conf_error(ctx, s,
				   "vrrp_instance %s: virtual_ipaddress mixes "
				   "IPv4 and IPv6; an instance carries one "
				   "family, so make one instance per family",
				   out->name);
			return;
		}
	if (out->family == AF_INET6 && out->version == 2)
		conf_error(ctx, s,
			   "vrrp_instance %s: IPv6 virtual_ipaddress needs "
			   "version = 3 (VRRPv2 carries only IPv4)",
			   out->name);
}

static void parse_auth(struct conf_ctx *ctx, const config_setting_t *in,
		       struct conf_instance *out)
{
	config_setting_t *a = config_setting_get_member(in, "authentication");
	config_setting_t *p;
	char *type = NULL, *pass = NULL;

	if (!a || !conf_is_group(ctx, a))
		return;
	if (out->version == 3) {
		conf_error(ctx, a,
			   "vrrp_instance %s: authentication is not part of "
			   "VRRPv3 (RFC 5798 removed it); remove it, or set "
			   "version = 2",
			   out->name);
		return;
	}
	conf_check_keys(ctx, a, auth_keys);
	conf_get_str(ctx, a, "auth_type", &type);
	p = config_setting_get_member(a, "auth_pass");
	/* keepalived's "auth_pass 1111"; libconfig has dropped any leading
	 * zero already, so the number cannot simply be taken */
	if (p && (config_setting_type(p) == CONFIG_TYPE_INT ||
		  config_setting_type(p) == CONFIG_TYPE_INT64))
		conf_error(ctx, p,
			   "auth_pass is a number; quote it: auth_pass = "
			   "\"%lld\"; (a number loses leading zeros)",
			   (long long)config_setting_get_int64(p));
	else
		conf_get_str(ctx, a, "auth_pass", &pass);
	if (!type || strcmp(type, "PASS") == 0) {
		if (!p) {
			conf_error(ctx, a, "auth_type PASS needs auth_pass");
		} else if (pass) {
			size_t len = strlen(pass);

			if (len > 8)
				conf_warning(
				    ctx,
				    config_setting_get_member(a, "auth_pass"),
				    "auth_pass is %zu bytes; only the "
				    "first 8 are used (RFC 3768 5.3.10)",
				    len);
			memset(out->auth_pass, 0, sizeof(out->auth_pass));
			memcpy(out->auth_pass, pass, len > 8 ? 8 : len);
			out->auth_pass_set = true;
		}
	} else if (strcmp(type, "AH") == 0) {
		conf_error(ctx, config_setting_get_member(a, "auth_type"),
			   "auth_type AH is not supported (RFC 3768 removed "
			   "it); use PASS or no authentication");
	} else {
		conf_error(ctx, config_setting_get_member(a, "auth_type"),
			   "auth_type \"%s\" is unknown; use \"PASS\"", type);
	}
	free(type);
	free(pass);
}

/* One unicast address of the instance's family; 0 or -1. */
static int parse_unicast_addr(const char *text, int family, struct in_addr *v4,
			      struct in6_addr *v6)
{
	if (family == AF_INET6)
		return inet_pton(AF_INET6, text, v6) == 1 ? 0 : -1;
	return parse_ipv4_prefix(text, v4, NULL);
}

/* unicast_src_ip and unicast_peer, in the family of the instance's VIPs
 * (an IPv6 instance sends to its peers instead of ff02::12). */
static void parse_unicast(struct conf_ctx *ctx, const config_setting_t *in,
			  struct conf_instance *out)
{
	const char *fam = out->family == AF_INET6 ? "IPv6" : "IPv4";
	char *src = NULL, **peers = NULL;
	size_t n = 0, i;

	if (conf_get_str(ctx, in, "unicast_src_ip", &src) == 0 && src) {
		if (parse_unicast_addr(src, out->family, &out->unicast_src,
				       &out->unicast_src6) < 0)
			conf_error(
			    ctx,
			    config_setting_get_member(in, "unicast_src_ip"),
			    "unicast_src_ip \"%s\" is not an %s address (the "
			    "family of the instance's virtual_ipaddress)",
			    src, fam);
		else
			out->has_unicast_src = true;
	}
	free(src);
	if (conf_get_str_list(ctx, in, "unicast_peer", &peers, &n) < 0)
		return;
	out->peers = calloc(n + 1, sizeof(*out->peers));
	out->peers6 = calloc(n + 1, sizeof(*out->peers6));
	for (i = 0; out->peers && out->peers6 && i < n; i++) {
		if (parse_unicast_addr(peers[i], out->family,
				       &out->peers[out->n_peers],
				       &out->peers6[out->n_peers]) < 0)
			conf_error(
			    ctx, config_setting_get_member(in, "unicast_peer"),
			    "unicast_peer \"%s\" is not an %s address (the "
			    "family of the instance's virtual_ipaddress)",
			    peers[i], fam);
		else
			out->n_peers++;
	}
	conf_str_list_free(peers, n);
}

static void parse_version(struct conf_ctx *ctx, const config_setting_t *in,
			  const struct conf *c, struct conf_instance *out)
{
	long v = c->global.vrrp_version ? c->global.vrrp_version : 2;

	conf_get_int(ctx, in, "version", 2, 3, &v);
	out->version = (uint8_t)v;
	conf_get_bool(ctx, in, "v3_checksum_as_v2", &out->v3_checksum_as_v2);
	if (out->v3_checksum_as_v2 && out->version != 3)
		conf_warning(
		    ctx, config_setting_get_member(in, "v3_checksum_as_v2"),
		    "v3_checksum_as_v2 has no effect on a version 2 instance");
}

/*
 * v2 carries whole seconds (RFC 3768 5.3.7); v3 carries centiseconds in
 * 12 bits (RFC 5798 5.2.7). A number is seconds, a string a duration;
 * v3 also takes keepalived's fractional seconds (advert_int = 0.1).
 */
static void parse_advert_int(struct conf_ctx *ctx, const config_setting_t *in,
			     struct conf_instance *out)
{
	config_setting_t *s = config_setting_get_member(in, "advert_int");
	int64_t ms = 1000;
	long v = 1;

	out->advert_int = 1;
	out->advert_cs = 100;
	if (out->version == 2) {
		if (s && config_setting_type(s) != CONFIG_TYPE_STRING) {
			if (conf_get_int(ctx, in, "advert_int", 1, 255, &v) < 0)
				return;
			ms = v * 1000;
		} else if (s && conf_get_duration(ctx, in, "advert_int", 0,
						  INT64_MAX, &ms) < 0) {
			return;
		}
		if (ms < 1000 || ms > 255000 || ms % 1000) {
			conf_error(ctx, s,
				   "'advert_int' is %lldms; VRRPv2 counts "
				   "whole seconds (1s..255s): set version = 3 "
				   "for steps of 10ms",
				   (long long)ms);
			return;
		}
		out->advert_int = (uint8_t)(ms / 1000);
		out->advert_cs = (uint16_t)(ms / 10);
		return;
	}
	out->advert_int = 0;
	if (s && config_setting_type(s) == CONFIG_TYPE_FLOAT)
		ms = (int64_t)(config_setting_get_float(s) * 1000 + 0.5);
	else if (s && conf_get_duration(ctx, in, "advert_int", 0, INT64_MAX,
					&ms) < 0)
		return;
	if (ms < 10 || ms > 40950 || ms % 10) {
		conf_error(ctx, s,
			   "'advert_int' is %lldms; VRRPv3 takes 10ms..40950ms "
			   "in steps of 10ms",
			   (long long)ms);
		return;
	}
	out->advert_cs = (uint16_t)(ms / 10);
}

void conf_alert_parse(struct conf_ctx *ctx, const config_setting_t *in,
		      const struct conf *c, const char *kind,
		      struct conf_instance *out)
{
	config_setting_t *s = config_setting_get_member(in, "smtp_alert");

	/* global_defs.smtp_alert without a server is reported there */
	if (conf_get_bool(ctx, in, "smtp_alert", &out->smtp_alert) == 0 && s &&
	    out->smtp_alert && !c->global.smtp_server)
		conf_warning(ctx, s,
			     "%s %s: smtp_alert is on but global_defs."
			     "smtp_server is not set; no alert will be sent",
			     kind, out->name);
}

static void parse_instance(struct conf_ctx *ctx, const config_setting_t *in,
			   const struct conf *c, struct conf_instance *out)
{
	char *str = NULL;
	long v;
	int wish;

	out->line = (int)config_setting_source_line(in);
	out->priority = 100;
	out->advert_int = 1;
	out->fast_preempt = true;
	out->garp_master_delay_ms = 5000;
	out->garp_master_repeat = 5;
	out->smtp_alert = c->global.smtp_alert;
	conf_copy_name(ctx, in, out->name, sizeof(out->name),
		       config_setting_name(in), "vrrp_instance name");
	if (!conf_is_group(ctx, in))
		return;
	conf_check_keys(ctx, in, instance_keys);

	wish = (int)out->state;
	if (conf_get_enum(ctx, in, "state", conf_wish_names, "", "state",
			  &wish) == 0)
		out->state = (enum conf_wish)wish;
	if (conf_get_str(ctx, in, "interface", &str) == 0) {
		if (!str)
			conf_error(ctx, in,
				   "vrrp_instance %s: 'interface' is required",
				   out->name);
		else
			conf_copy_name(
			    ctx, config_setting_get_member(in, "interface"),
			    out->interface, sizeof(out->interface), str,
			    "interface");
	}
	free(str);
	if (!config_setting_get_member(in, "virtual_router_id"))
		conf_error(ctx, in,
			   "vrrp_instance %s: 'virtual_router_id' is required",
			   out->name);
	else if (conf_get_int(ctx, in, "virtual_router_id", 1, 255, &v) == 0)
		out->vrid = (uint8_t)v;
	v = out->priority;
	if (conf_get_int(ctx, in, "priority", 1, 255, &v) == 0)
		out->priority = (uint8_t)v;
	parse_version(ctx, in, c, out);
	parse_advert_int(ctx, in, out);
	parse_auth(ctx, in, out);
	conf_vips_parse(ctx, in, "vrrp_instance", 255, NULL, out);
	vips_family(ctx, config_setting_get_member(in, "virtual_ipaddress"),
		    out);
	conf_get_bool(ctx, in, "nopreempt", &out->nopreempt);
	conf_get_duration(ctx, in, "preempt_delay", 0, 3600000,
			  &out->preempt_delay_ms);
	conf_get_bool(ctx, in, "fast_preempt", &out->fast_preempt);
	parse_unicast(ctx, in, out);
	conf_get_duration(ctx, in, "garp_master_delay", 0, 3600000,
			  &out->garp_master_delay_ms);
	v = out->garp_master_repeat;
	if (conf_get_int(ctx, in, "garp_master_repeat", 1, 100, &v) == 0)
		out->garp_master_repeat = (int)v;
	conf_track_parse(ctx, in, c, true, out);
	conf_get_str(ctx, in, "notify_master", &out->notify_master);
	conf_get_str(ctx, in, "notify_backup", &out->notify_backup);
	conf_get_str(ctx, in, "notify_fault", &out->notify_fault);
	conf_get_str(ctx, in, "notify_stop", &out->notify_stop);
	conf_get_str(ctx, in, "notify", &out->notify);
	conf_alert_parse(ctx, in, c, "vrrp_instance", out);
}

static void check_duplicates(struct conf_ctx *ctx, const config_setting_t *set,
			     const struct conf *c)
{
	size_t i, j;

	for (i = 0; i < c->n_instances; i++) {
		const struct conf_instance *a = &c->instances[i];

		for (j = 0; j < i; j++) {
			const struct conf_instance *b = &c->instances[j];

			/* RFC 5798 5.2.3: one VRID space per family.
			 * False positive: n_instances counts only
			 * allocated entries; NOLINTNEXTLINE */
			if (a->vrid && a->vrid == b->vrid &&
			    a->family == b->family &&
			    strcmp(a->interface, b->interface) == 0)
				conf_error(
				    ctx,
				    config_setting_get_elem(set, (unsigned)i),
				    "vrrp_instance %s: "
				    "virtual_router_id %u is already "
				    "used on %s by %s (line %d)",
				    a->name, a->vrid, a->interface, b->name,
				    b->line);
		}
	}
}

int conf_vrrp_parse(struct conf_ctx *ctx, const config_setting_t *root,
		    struct conf *c, bool full)
{
	unsigned errors = ctx->diag->errors;
	config_setting_t *scripts, *instances;
	int i, n;

	parse_global(ctx, config_setting_get_member(root, "global_defs"),
		     &c->global);
	if (!full)
		return conf_result(ctx, errors);

	scripts = config_setting_get_member(root, "vrrp_script");
	if (scripts && conf_is_group(ctx, scripts)) {
		n = config_setting_length(scripts);
		c->scripts = calloc((size_t)n + 1, sizeof(*c->scripts));
		for (i = 0; c->scripts && i < n; i++) {
			parse_script(
			    ctx, config_setting_get_elem(scripts, (unsigned)i),
			    &c->scripts[i]);
			c->n_scripts++;
		}
	}

	instances = config_setting_get_member(root, "vrrp_instance");
	if (instances && conf_is_group(ctx, instances)) {
		n = config_setting_length(instances);
		c->instances = calloc((size_t)n + 1, sizeof(*c->instances));
		for (i = 0; c->instances && i < n; i++) {
			parse_instance(
			    ctx,
			    config_setting_get_elem(instances, (unsigned)i), c,
			    &c->instances[i]);
			c->n_instances++;
		}
		check_duplicates(ctx, instances, c);
	}
	return conf_result(ctx, errors);
}
