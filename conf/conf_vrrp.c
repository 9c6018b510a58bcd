#include "conf_vrrp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/parse.h"
#include "conf_util.h"

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
static const char *const weight_keys[] = {"name", "weight", NULL};
static const char *const track_fwd_keys[] = {"weight", "timeout", "hold", NULL};

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

/* "2001:db8::50/64": the prefix defaults to 128 */
static int parse_ipv6_prefix(const char *s, struct in6_addr *addr, int *prefix)
{
	char buf[INET6_ADDRSTRLEN + 4];
	char *slash, *end;
	long p = 128;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		p = strtol(slash + 1, &end, 10);
		if (*end || p < 0 || p > 128)
			return -1;
	}
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return -1;
	*prefix = (int)p;
	return 0;
}

static int parse_vip_addr(const char *tok, struct conf_vip *vip)
{
	vip->family = strchr(tok, ':') ? AF_INET6 : AF_INET;
	if (vip->family == AF_INET6)
		return parse_ipv6_prefix(tok, &vip->addr6, &vip->prefix);
	return parse_ipv4_prefix(tok, &vip->addr, &vip->prefix);
}

/* "198.18.0.50/24 dev eth0 label eth0:1" */
static void parse_vip(struct conf_ctx *ctx, const config_setting_t *at,
		      const char *text, struct conf_vip *vip)
{
	char *copy = strdup(text), *save = NULL, *tok;
	bool first = true;

	if (!copy)
		return;
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (first) {
			first = false;
			if (parse_vip_addr(tok, vip) < 0) {
				conf_error(ctx, at,
					   "virtual_ipaddress \"%s\": '%s' is "
					   "not an IPv%d address[/prefix]",
					   text, tok,
					   vip->family == AF_INET6 ? 6 : 4);
				break;
			}
			continue;
		}
		if (strcmp(tok, "dev") == 0 || strcmp(tok, "label") == 0) {
			char *val = strtok_r(NULL, " \t", &save);
			char *dst = tok[0] == 'd' ? vip->dev : vip->label;

			if (!val) {
				conf_error(ctx, at,
					   "virtual_ipaddress \"%s\": '%s' "
					   "needs a value",
					   text, tok);
				break;
			}
			if (!conf_copy_name(ctx, at, dst, IF_NAMESIZE, val,
					    "interface or label"))
				break;
			continue;
		}
		conf_error(ctx, at,
			   "virtual_ipaddress \"%s\": unknown word '%s' "
			   "(expected 'dev IF' or 'label NAME')",
			   text, tok);
		break;
	}
	if (first)
		conf_error(ctx, at, "virtual_ipaddress entry is empty");
	free(copy);
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

static void parse_vips(struct conf_ctx *ctx, const config_setting_t *in,
		       struct conf_instance *out)
{
	config_setting_t *s =
	    config_setting_get_member(in, "virtual_ipaddress");
	char **list = NULL;
	size_t n = 0, i;

	if (!s) {
		conf_error(ctx, in,
			   "vrrp_instance %s: 'virtual_ipaddress' is "
			   "required",
			   out->name);
		return;
	}
	if (conf_get_str_list(ctx, in, "virtual_ipaddress", &list, &n) < 0)
		return;
	if (n == 0)
		conf_error(ctx, s,
			   "vrrp_instance %s: virtual_ipaddress is empty",
			   out->name);
	/* RFC 3768 5.3.5: Count IP Addrs is one octet */
	if (n > 255)
		conf_error(ctx, s,
			   "at most 255 virtual addresses per instance");
	out->vips = calloc(n ? n : 1, sizeof(*out->vips));
	if (out->vips) {
		for (i = 0; i < n; i++) {
			config_setting_t *e =
			    config_setting_is_aggregate(s)
				? config_setting_get_elem(s, (unsigned)i)
				: s;

			parse_vip(ctx, e, list[i], &out->vips[i]);
		}
		out->n_vips = n;
		vips_family(ctx, s, out);
	}
	conf_str_list_free(list, n);
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

/* Either "name" or { name = "..."; weight = N; }. */
static bool parse_weighted(struct conf_ctx *ctx, const config_setting_t *e,
			   const char **name, long *weight, bool *weight_set)
{
	*weight_set = false;
	if (config_setting_type(e) == CONFIG_TYPE_STRING) {
		*name = config_setting_get_string(e);
		return true;
	}
	if (!config_setting_is_group(e)) {
		conf_error(ctx, e,
			   "expected \"name\" or { name = \"...\"; "
			   "weight = N; }");
		return false;
	}
	conf_check_keys(ctx, e, weight_keys);
	if (!config_setting_lookup_string(e, "name", name)) {
		conf_error(ctx, e, "'name' (a string) is required here");
		return false;
	}
	if (config_setting_get_member(e, "weight")) {
		if (conf_get_int(ctx, e, "weight", -253, 253, weight) < 0)
			return false;
		*weight_set = true;
	}
	return true;
}

static config_setting_t *
list_member(struct conf_ctx *ctx, const config_setting_t *in, const char *key)
{
	config_setting_t *s = config_setting_get_member(in, key);

	if (s &&
	    (!config_setting_is_aggregate(s) || config_setting_is_group(s))) {
		conf_error(ctx, s, "'%s' must be a list [ ... ] or ( ... )",
			   key);
		return NULL;
	}
	return s;
}

static void parse_tracking(struct conf_ctx *ctx, const config_setting_t *in,
			   const struct conf *c, struct conf_instance *out)
{
	config_setting_t *s;
	int i, n;

	s = list_member(ctx, in, "track_script");
	n = s ? config_setting_length(s) : 0;
	out->track_scripts = calloc((size_t)n + 1, sizeof(*out->track_scripts));
	for (i = 0; out->track_scripts && i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct conf_track_script *t =
		    &out->track_scripts[out->n_track_scripts];
		const char *name;
		long w = 0;

		if (!parse_weighted(ctx, e, &name, &w, &t->weight_set))
			continue;
		if (!conf_script_find(c, name)) {
			conf_error(ctx, e,
				   "track_script '%s' is not defined in "
				   "vrrp_script",
				   name);
			continue;
		}
		snprintf(t->name, sizeof(t->name), "%s", name);
		t->weight = (int)w;
		out->n_track_scripts++;
	}

	s = list_member(ctx, in, "track_interface");
	n = s ? config_setting_length(s) : 0;
	out->track_ifs = calloc((size_t)n + 1, sizeof(*out->track_ifs));
	for (i = 0; out->track_ifs && i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct conf_track_if *t = &out->track_ifs[out->n_track_ifs];
		const char *name;
		long w = 0;
		bool set;

		if (!parse_weighted(ctx, e, &name, &w, &set))
			continue;
		if (!conf_copy_name(ctx, e, t->name, sizeof(t->name), name,
				    "track_interface"))
			continue;
		t->weight = (int)w;
		out->n_track_ifs++;
	}

	s = config_setting_get_member(in, "track_forwarder");
	if (s && conf_is_group(ctx, s)) {
		long w = 0;

		conf_check_keys(ctx, s, track_fwd_keys);
		if (conf_get_int(ctx, s, "weight", -253, 253, &w) == 0) {
			out->track_forwarder = true;
			out->track_forwarder_weight = (int)w;
		}
		/* 3 heartbeats; under 2 would count a late one as lost */
		out->track_forwarder_timeout_ms = 3 * CONF_FWD_HEARTBEAT_MS;
		out->track_forwarder_hold_ms = CONF_FWD_HOLD_MS;
		conf_get_duration(ctx, s, "timeout", 2 * CONF_FWD_HEARTBEAT_MS,
				  60000, &out->track_forwarder_timeout_ms);
		conf_get_duration(ctx, s, "hold", 0, 3600000,
				  &out->track_forwarder_hold_ms);
	}
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
	parse_vips(ctx, in, out);
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
	parse_tracking(ctx, in, c, out);
	conf_get_str(ctx, in, "notify_master", &out->notify_master);
	conf_get_str(ctx, in, "notify_backup", &out->notify_backup);
	conf_get_str(ctx, in, "notify_fault", &out->notify_fault);
	conf_get_str(ctx, in, "notify_stop", &out->notify_stop);
	conf_get_str(ctx, in, "notify", &out->notify);
	/* global_defs.smtp_alert without a server is reported there */
	if (conf_get_bool(ctx, in, "smtp_alert", &out->smtp_alert) == 0 &&
	    config_setting_get_member(in, "smtp_alert") && out->smtp_alert &&
	    !c->global.smtp_server)
		conf_warning(ctx, config_setting_get_member(in, "smtp_alert"),
			     "vrrp_instance %s: smtp_alert is on but "
			     "global_defs.smtp_server is not set; no alert "
			     "will be sent",
			     out->name);
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

int conf_vip_parse(struct conf_ctx *ctx, const config_setting_t *at,
		   const char *text, struct conf_vip *vip)
{
	unsigned errors = ctx->diag->errors;

	parse_vip(ctx, at, text, vip);
	return conf_result(ctx, errors);
}
