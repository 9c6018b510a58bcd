/* keepalived.conf's vrrp part -> global_defs, vrrp_script, vrrp_instance */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/parse.h"
#include "emit.h"

/* vrrpd's smtp_server: host[:port] with a name of [A-Za-z0-9.-] */
static bool smtp_server_ok(const char *s)
{
	const char *colon = strrchr(s, ':');
	size_t host = colon ? (size_t)(colon - s) : strlen(s);

	if (colon &&
	    (!colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1)))
		return false;
	return host > 0 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789.-") >= host;
}

static void emit_global(struct imp_out *o, const struct ka_conf *ka,
			const struct hap_conf *hap)
{
	config_setting_t *g =
	    imp_add_group(config_root_setting(&o->cfg), "global_defs");
	size_t i;

	if (ka && ka->has_global)
		imp_out_origin(o, g, ka->global_at);
	if (ka) {
		imp_add_str(g, "router_id", ka->router_id);
		if (ka->emails.n) {
			config_setting_t *a = config_setting_add(
			    g, "notification_email", CONFIG_TYPE_ARRAY);

			for (i = 0; a && i < ka->emails.n; i++)
				config_setting_set_string_elem(a, -1,
							       ka->emails.v[i]);
		}
		imp_add_str(g, "notification_email_from", ka->email_from);
		if (ka->smtp_server && smtp_server_ok(ka->smtp_server))
			imp_add_str(g, "smtp_server", ka->smtp_server);
		else if (ka->smtp_server)
			imp_msg(o->d, IMP_WARNING, ka->smtp_server_at,
				"smtp_server '%s' not carried: not a host "
				"name or address (with an optional port); "
				"alerts stay off until you set one",
				ka->smtp_server);
		if (ka->emails.n &&
		    !(ka->smtp_server && smtp_server_ok(ka->smtp_server)))
			imp_msg(o->d, IMP_NOTE, ka->global_at,
				"notification_email without a usable "
				"smtp_server: vrrpd sends no alert (as "
				"keepalived did not)");
		if (ka->smtp_connect_timeout)
			imp_add_int(g, "smtp_connect_timeout",
				    ka->smtp_connect_timeout);
		imp_add_str(g, "script_user", ka->script_user);
	}
	/* fwd drops to this user; to re-link to vrrpd after a restart it
	 * needs vrrpd's control socket open to its group */
	if (hap && (hap->group || hap->user)) {
		const char *grp = hap->group ? hap->group : hap->user;

		imp_add_str(g, "control_socket_group", grp);
		imp_msg(o->d, IMP_NOTE, hap->user_at,
			"user/group: fwd drops to them after binding; "
			"global_defs.control_socket_group = \"%s\" lets it "
			"reach vrrpd's control socket after that",
			grp);
	}
	if (config_setting_length(g) == 0)
		config_setting_remove(config_root_setting(&o->cfg),
				      "global_defs");
}

static const struct ka_script *script_find(const struct ka_conf *ka,
					   const char *name)
{
	size_t i;

	for (i = ka->n_scripts; i-- > 0;)
		if (strcmp(ka->scripts[i].name, name) == 0)
			return &ka->scripts[i];
	return NULL;
}

/* Names given to the scripts carried, indexed like ka->scripts. */
struct names {
	char (*v)[CONF_NAME_MAX];
};

static void emit_scripts(struct imp_out *o, const struct ka_conf *ka,
			 struct names *names)
{
	config_setting_t *root = config_root_setting(&o->cfg);
	config_setting_t *grp = NULL;
	size_t i;

	names->v = calloc(ka->n_scripts + 1, sizeof(*names->v));
	if (!names->v)
		return;
	for (i = 0; i < ka->n_scripts; i++) {
		const struct ka_script *s = &ka->scripts[i];
		config_setting_t *g;

		if (!s->script || ka_script_checks_haproxy(s->script) ||
		    script_find(ka, s->name) != s)
			continue;
		if (!grp)
			grp = imp_add_group(root, "vrrp_script");
		imp_member_name(o, grp, s->name, "chk_", "vrrp_script", s->at,
				names->v[i]);
		g = imp_add_group(grp, names->v[i]);
		if (!g)
			continue;
		imp_out_origin(o, g, s->at);
		imp_add_str(g, "script", s->script);
		if (s->interval_ms >= 0)
			imp_add_ms(g, "interval",
				   s->interval_ms < 100 ? 100 : s->interval_ms);
		if (s->timeout_ms >= 0)
			imp_add_ms(g, "timeout",
				   s->timeout_ms < 100 ? 100 : s->timeout_ms);
		imp_add_int(g, "weight", s->weight);
		if (s->rise)
			imp_add_int(g, "rise", s->rise);
		if (s->fall)
			imp_add_int(g, "fall", s->fall);
		imp_add_str(g, "user", s->user);
	}
}

static bool ipv4_ok(const char *s)
{
	struct in_addr a;

	return parse_ipv4_prefix(s, &a, NULL) == 0 && !strchr(s, '/');
}

/* What vrrpd's virtual_ipaddress reads: IPv4[/len], dev, label. */
static bool vip_ok(const char *v)
{
	char copy[256], *save = NULL, *w;
	struct in_addr a;
	int prefix, i = 0;

	snprintf(copy, sizeof(copy), "%s", v);
	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (i++ == 0 ? parse_ipv4_prefix(w, &a, &prefix) < 0
			     : (i % 2 == 1 && strlen(w) >= IF_NAMESIZE))
			return false;
	return i > 0;
}

static void emit_list(config_setting_t *g, const char *name,
		      const struct imp_strv *v)
{
	config_setting_t *a;
	size_t i;

	if (!v->n)
		return;
	a = config_setting_add(g, name, CONFIG_TYPE_ARRAY);
	for (i = 0; a && i < v->n; i++)
		config_setting_set_string_elem(a, -1, v->v[i]);
}

static void emit_weighted(config_setting_t *list, const char *name,
			  const struct ka_track *t)
{
	config_setting_t *e;

	if (!t->weight_set) {
		e = config_setting_add(list, NULL, CONFIG_TYPE_STRING);
		if (e)
			config_setting_set_string(e, name);
		return;
	}
	e = config_setting_add(list, NULL, CONFIG_TYPE_GROUP);
	if (!e)
		return;
	imp_add_str(e, "name", name);
	imp_add_int(e, "weight", t->weight);
}

static void emit_tracks(struct imp_out *o, const struct ka_conf *ka,
			const struct ka_instance *in, const char *name,
			const struct names *names, config_setting_t *g)
{
	config_setting_t *list = NULL;
	bool fwd = false;
	size_t i;

	for (i = 0; i < in->n_scripts; i++) {
		const struct ka_track *t = &in->scripts[i];
		const struct ka_script *s = script_find(ka, t->name);

		if (!s || !s->script) {
			imp_msg(o->d, IMP_WARNING, t->at,
				"track_script %s: no such vrrp_script; "
				"keepalived ignores it, so does the import",
				t->name);
			continue;
		}
		if (ka_script_checks_haproxy(s->script)) {
			int w = t->weight_set ? t->weight : s->weight;
			config_setting_t *f;

			if (fwd) {
				imp_msg(o->d, IMP_NOTE, t->at,
					"track_script %s: a second HAProxy "
					"check; the first one's weight is "
					"kept",
					t->name);
				continue;
			}
			fwd = true;
			f = imp_add_group(g, "track_forwarder");
			imp_add_int(f, "weight", w);
			imp_msg(o->d, IMP_NOTE, t->at,
				"track_script %s ('%s') only checks that "
				"HAProxy runs: vrrp_instance %s gets "
				"track_forwarder = { weight = %d; } instead: "
				"fwd tells vrrpd itself within milliseconds, "
				"and counts as healthy only while every "
				"listen on the instance's VIPs has a server "
				"up%s",
				t->name, s->script, name, w,
				w == 0 ? " (weight 0, as keepalived had: an "
					 "unhealthy forwarder means Fault)"
				       : "");
			continue;
		}
		if (!list)
			list = config_setting_add(g, "track_script",
						  CONFIG_TYPE_LIST);
		if (list)
			emit_weighted(list, names->v[s - ka->scripts], t);
	}
	list = NULL;
	for (i = 0; i < in->n_ifs; i++) {
		const struct ka_track *t = &in->ifs[i];

		if (strlen(t->name) >= IF_NAMESIZE) {
			imp_msg(o->d, IMP_WARNING, t->at,
				"track_interface %s: not an interface name; "
				"not carried",
				t->name);
			continue;
		}
		if (!list)
			list = config_setting_add(g, "track_interface",
						  CONFIG_TYPE_LIST);
		if (list)
			emit_weighted(list, t->name, t);
	}
}

/* What vrrpd requires of an instance; false (reported) when missing. */
static bool instance_complete(struct imp_out *o, const struct ka_instance *in,
			      struct imp_strv *vips)
{
	size_t i;

	for (i = 0; i < in->vips.n; i++) {
		if (vip_ok(in->vips.v[i]))
			imp_strv_push(vips, in->vips.v[i]);
		else
			imp_msg(o->d, IMP_WARNING, in->at,
				"vrrp_instance %s: virtual_ipaddress '%s' not "
				"carried: vrrpd takes IPv4 addresses",
				in->name, in->vips.v[i]);
	}
	if (!in->interface || strlen(in->interface) >= IF_NAMESIZE ||
	    in->vrid < 0 || vips->n == 0) {
		imp_msg(o->d, IMP_WARNING, in->at,
			"vrrp_instance %s not carried: it needs %s", in->name,
			!in->interface || strlen(in->interface) >= IF_NAMESIZE
			    ? "an interface"
			: in->vrid < 0 ? "a virtual_router_id"
				       : "a virtual_ipaddress");
		return false;
	}
	return true;
}

static void emit_auth(struct imp_out *o, const struct ka_instance *in,
		      config_setting_t *g)
{
	config_setting_t *a;

	if (!in->auth_type && !in->auth_pass)
		return;
	if (in->auth_type && strcmp(in->auth_type, "PASS") != 0) {
		imp_msg(o->d, IMP_WARNING, in->auth_at,
			"auth_type %s not carried: vrrpd knows PASS only "
			"(RFC 3768 removed AH); the instance runs without "
			"authentication",
			in->auth_type);
		return;
	}
	if (!in->auth_pass) {
		imp_msg(o->d, IMP_WARNING, in->auth_at,
			"authentication without auth_pass not carried");
		return;
	}
	a = imp_add_group(g, "authentication");
	imp_add_str(a, "auth_type", "PASS");
	imp_add_str(a, "auth_pass", in->auth_pass);
	if (strlen(in->auth_pass) > 8)
		imp_msg(o->d, IMP_NOTE, in->auth_at,
			"auth_pass is longer than 8 bytes: keepalived and "
			"vrrpd both use the first 8 (RFC 3768 5.3.10)");
}

static void emit_instance(struct imp_out *o, const struct ka_conf *ka,
			  const struct ka_instance *in,
			  const struct names *names, config_setting_t *grp)
{
	static const char *const notify[KA_NOTIFY_N] = {
	    "notify_master", "notify_backup", "notify_fault", "notify_stop",
	    "notify"};
	struct imp_strv vips = {0};
	char name[CONF_NAME_MAX];
	config_setting_t *g;
	size_t i;
	int wish;

	if (!instance_complete(o, in, &vips))
		goto out;
	imp_member_name(o, grp, in->name, "VI_", "vrrp_instance", in->at, name);
	g = imp_add_group(grp, name);
	if (!g)
		goto out;
	imp_out_origin(o, g, in->at);
	if (in->state && enum_name_value(conf_wish_names, in->state, &wish))
		imp_add_str(g, "state", in->state);
	else if (in->state)
		imp_msg(o->d, IMP_WARNING, in->at,
			"vrrp_instance %s: state %s not carried (MASTER or "
			"BACKUP); it starts as BACKUP",
			in->name, in->state);
	imp_add_str(g, "interface", in->interface);
	imp_add_int(g, "virtual_router_id", in->vrid);
	if (in->priority > 0)
		imp_add_int(g, "priority", in->priority);
	if (in->advert_int > 0)
		imp_add_int(g, "advert_int",
			    in->advert_int > 255 ? 255 : in->advert_int);
	emit_auth(o, in, g);
	emit_list(g, "virtual_ipaddress", &vips);
	if (in->nopreempt)
		imp_add_bool(g, "nopreempt", true);
	if (in->preempt_delay_ms >= 0)
		imp_add_ms(g, "preempt_delay", in->preempt_delay_ms);
	if (in->unicast_src && ipv4_ok(in->unicast_src))
		imp_add_str(g, "unicast_src_ip", in->unicast_src);
	else if (in->unicast_src)
		imp_msg(o->d, IMP_WARNING, in->at,
			"unicast_src_ip %s not carried: not an IPv4 address",
			in->unicast_src);
	if (in->peers.n) {
		struct imp_strv ok = {0};

		for (i = 0; i < in->peers.n; i++)
			if (ipv4_ok(in->peers.v[i]))
				imp_strv_push(&ok, in->peers.v[i]);
			else
				imp_msg(o->d, IMP_WARNING, in->at,
					"unicast_peer %s not carried: not an "
					"IPv4 address",
					in->peers.v[i]);
		emit_list(g, "unicast_peer", &ok);
		imp_strv_free(&ok);
	}
	if (in->garp_master_delay_ms >= 0)
		imp_add_ms(g, "garp_master_delay", in->garp_master_delay_ms);
	if (in->garp_master_repeat > 0)
		imp_add_int(g, "garp_master_repeat", in->garp_master_repeat);
	emit_tracks(o, ka, in, name, names, g);
	for (i = 0; i < KA_NOTIFY_N; i++)
		imp_add_str(g, notify[i], in->notify[i]);
	if (in->smtp_alert)
		imp_add_bool(g, "smtp_alert", true);
out:
	imp_strv_free(&vips);
}

/* Scripts tracked by nobody keepalived would still run; say they are
 * dropped when they only checked HAProxy. */
static void note_unused_idiom(struct imp_out *o, const struct ka_conf *ka)
{
	size_t i, j, k;

	for (i = 0; i < ka->n_scripts; i++) {
		const struct ka_script *s = &ka->scripts[i];
		bool used = false;

		if (!s->script || !ka_script_checks_haproxy(s->script))
			continue;
		for (j = 0; j < ka->n_instances; j++)
			for (k = 0; k < ka->instances[j].n_scripts; k++)
				used = used ||
				       strcmp(ka->instances[j].scripts[k].name,
					      s->name) == 0;
		imp_msg(o->d, IMP_NOTE, s->at,
			"vrrp_script %s ('%s') is not carried: it only "
			"checks that HAProxy runs%s",
			s->name, s->script,
			used ? "; the instances that tracked it track the "
			       "forwarder (fwd) instead"
			     : " and no instance tracks it");
	}
}

int imp_emit_vrrp(struct imp_out *o, const struct ka_conf *ka,
		  const struct hap_conf *hap)
{
	struct names names = {NULL};
	config_setting_t *grp;
	size_t i;

	emit_global(o, ka, hap);
	if (!ka)
		return 0;
	emit_scripts(o, ka, &names);
	note_unused_idiom(o, ka);
	grp = imp_add_group(config_root_setting(&o->cfg), "vrrp_instance");
	for (i = 0; grp && names.v && i < ka->n_instances; i++)
		emit_instance(o, ka, &ka->instances[i], &names, grp);
	free(names.v);
	for (i = 0; !hap && grp && i < (size_t)config_setting_length(grp); i++)
		if (config_setting_get_member(
			config_setting_get_elem(grp, (unsigned)i),
			"track_forwarder")) {
			imp_msg(o->d, IMP_NOTE, ka->instances[0].at,
				"no haproxy.cfg given: the file has no "
				"forwarder section, and vrrpd counts a "
				"forwarder that never connects as down; "
				"import haproxy.cfg too (--haproxy)");
			break;
		}
	if (grp && config_setting_length(grp) == 0) {
		config_setting_remove(config_root_setting(&o->cfg),
				      "vrrp_instance");
		return -1;
	}
	return 0;
}
