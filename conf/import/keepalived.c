/* keepalived.conf's meaning: the tree keepalived_read.c built, mapped to
 * typed structs with a FILE:LINE message for what is not carried. Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keepalived_tree.h"

/* --- from the tree to typed structs ------------------------------------ */

static char *arg_dup(const struct ka_node *n, int i)
{
	return i < n->argc ? strdup(n->argv[i]) : NULL;
}

/* The words of n from index i joined by spaces (a script command given
 * without quotes). */
static char *args_join(const struct ka_node *n, int i)
{
	size_t len = 1;
	char *s;
	int a;

	for (a = i; a < n->argc; a++)
		len += strlen(n->argv[a]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (a = i; a < n->argc; a++) {
		if (a > i)
			strcat(s, " ");
		strcat(s, n->argv[a]);
	}
	return s;
}

static bool arg_long(struct conf_diag *d, const struct ka_node *n, long min,
		     long max, long *out)
{
	char *end;
	long v;

	if (n->argc < 2) {
		imp_msg(d, IMP_WARNING, n->at, "'%s' needs a value; ignored",
			n->argv[0]);
		return false;
	}
	v = strtol(n->argv[1], &end, 10);
	if (*end || end == n->argv[1] || v < min || v > max) {
		imp_msg(d, IMP_WARNING, n->at,
			"'%s %s': not a number from %ld to %ld; ignored",
			n->argv[0], n->argv[1], min, max);
		return false;
	}
	*out = v;
	return true;
}

/* keepalived's seconds, which may have decimals ("1.5") */
static bool arg_seconds(struct conf_diag *d, const struct ka_node *n,
			long long *ms)
{
	char *end;
	double v;

	if (n->argc < 2) {
		imp_msg(d, IMP_WARNING, n->at, "'%s' needs a value; ignored",
			n->argv[0]);
		return false;
	}
	v = strtod(n->argv[1], &end);
	if (*end || end == n->argv[1] || !(v >= 0 && v <= 86400)) {
		imp_msg(d, IMP_WARNING, n->at,
			"'%s %s' is not a number of seconds; ignored",
			n->argv[0], n->argv[1]);
		return false;
	}
	*ms = (long long)(v * 1000 + 0.5);
	return true;
}

static void replace(char **dst, char *src)
{
	free(*dst);
	*dst = src;
}

static void map_global(struct conf_diag *d, const struct ka_node *g,
		       struct ka_conf *c)
{
	size_t i, j;
	long v;

	c->has_global = true;
	c->global_at = g->at;
	for (i = 0; i < g->n_kids; i++) {
		const struct ka_node *n = &g->kids[i];
		const char *kw = n->argv[0];

		if (!ka_keyword_carried(d, n, &ka_global_keys))
			continue;
		if (strcmp(kw, "router_id") == 0) {
			replace(&c->router_id, arg_dup(n, 1));
		} else if (strcmp(kw, "notification_email") == 0) {
			for (j = 0; j < n->n_kids; j++)
				imp_strv_push(&c->emails, n->kids[j].argv[0]);
		} else if (strcmp(kw, "notification_email_from") == 0) {
			replace(&c->email_from, arg_dup(n, 1));
		} else if (strcmp(kw, "smtp_server") == 0 && n->argc >= 2) {
			char buf[300];

			if (n->argc >= 3)
				snprintf(buf, sizeof(buf), "%s:%s", n->argv[1],
					 n->argv[2]);
			else
				snprintf(buf, sizeof(buf), "%s", n->argv[1]);
			replace(&c->smtp_server, strdup(buf));
			c->smtp_server_at = n->at;
		} else if (strcmp(kw, "smtp_connect_timeout") == 0) {
			if (arg_long(d, n, 1, 3600, &v))
				c->smtp_connect_timeout = (int)v;
		} else if (strcmp(kw, "script_user") == 0) {
			replace(&c->script_user, arg_dup(n, 1));
		} else if (strcmp(kw, "enable_script_security") == 0) {
			imp_msg(d, IMP_NOTE, n->at,
				"enable_script_security: nothing to carry; "
				"vrrpd always runs scripts as script_user "
				"(default nobody), never as root");
		}
	}
}

static void map_script(struct conf_diag *d, const struct ka_node *s,
		       struct ka_conf *c)
{
	struct ka_script *sc, *v;
	size_t i;
	long l;

	if (s->argc < 2) {
		imp_msg(d, IMP_WARNING, s->at,
			"vrrp_script without a name; "
			"ignored");
		return;
	}
	v = realloc(c->scripts, (c->n_scripts + 1) * sizeof(*v));
	if (!v)
		return;
	c->scripts = v;
	sc = &c->scripts[c->n_scripts++];
	memset(sc, 0, sizeof(*sc));
	sc->name = strdup(s->argv[1]);
	sc->at = s->at;
	sc->interval_ms = sc->timeout_ms = -1;
	for (i = 0; i < s->n_kids; i++) {
		const struct ka_node *n = &s->kids[i];
		const char *kw = n->argv[0];

		if (!ka_keyword_carried(d, n, &ka_script_keys))
			continue;
		if (strcmp(kw, "script") == 0)
			replace(&sc->script, args_join(n, 1));
		else if (strcmp(kw, "interval") == 0)
			arg_seconds(d, n, &sc->interval_ms);
		else if (strcmp(kw, "timeout") == 0)
			arg_seconds(d, n, &sc->timeout_ms);
		else if (strcmp(kw, "weight") == 0 &&
			 arg_long(d, n, -253, 253, &l)) {
			sc->weight = (int)l;
			sc->weight_set = true;
		} else if (strcmp(kw, "rise") == 0 &&
			   arg_long(d, n, 1, 1000, &l))
			sc->rise = (int)l;
		else if (strcmp(kw, "fall") == 0 && arg_long(d, n, 1, 1000, &l))
			sc->fall = (int)l;
		else if (strcmp(kw, "user") == 0)
			replace(&sc->user, arg_dup(n, 1));
	}
	if (!sc->script)
		imp_msg(d, IMP_WARNING, s->at,
			"vrrp_script %s has no 'script'; keepalived would "
			"not run it",
			sc->name);
}

/* "NAME [weight N]" lines of track_script / track_interface */
static void map_tracks(struct conf_diag *d, const struct ka_node *b,
		       struct ka_track **out, size_t *n_out)
{
	struct ka_track *v;
	size_t i;

	/* a second block adds to the first, as in keepalived */
	v = realloc(*out, (*n_out + b->n_kids + 1) * sizeof(*v));
	if (!v)
		return;
	*out = v;
	for (i = 0; i < b->n_kids; i++) {
		const struct ka_node *n = &b->kids[i];
		struct ka_track *t = &(*out)[*n_out];
		char *end;

		memset(t, 0, sizeof(*t));
		t->name = strdup(n->argv[0]);
		t->at = n->at;
		if (n->argc >= 3 && strcmp(n->argv[1], "weight") == 0) {
			long w = strtol(n->argv[2], &end, 10);

			if (*end || w < -254 || w > 254) {
				imp_msg(d, IMP_WARNING, n->at,
					"weight '%s' is not a number from "
					"-254 to 254; ignored",
					n->argv[2]);
			} else {
				t->weight = (int)(w > 253    ? 253
						  : w < -253 ? -253
							     : w);
				t->weight_set = true;
			}
			if (n->argc > 3)
				imp_msg(d, IMP_WARNING, n->at,
					"'%s' after the weight not carried",
					n->argv[3]);
		} else if (n->argc >= 2) {
			imp_msg(d, IMP_WARNING, n->at,
				"%s: '%s' not carried (expected 'weight N')",
				n->argv[0], n->argv[1]);
		}
		(*n_out)++;
	}
}

/* "ADDR[/LEN] [dev IF] [label L] [brd B] [scope S]": what vrrpd reads */
static void map_vip(struct conf_diag *d, const struct ka_node *n,
		    struct imp_strv *out)
{
	char buf[256];
	size_t len;
	int a;

	len = (size_t)snprintf(buf, sizeof(buf), "%s", n->argv[0]);
	for (a = 1; a + 1 < n->argc || a < n->argc; a += 2) {
		const char *w = n->argv[a];

		if (a + 1 >= n->argc) {
			imp_msg(d, IMP_WARNING, n->at,
				"virtual_ipaddress: '%s' without a value; "
				"ignored",
				w);
			break;
		}
		if (strcmp(w, "dev") == 0 || strcmp(w, "label") == 0) {
			if (len < sizeof(buf))
				len += (size_t)snprintf(
				    buf + len, sizeof(buf) - len, " %s %s", w,
				    n->argv[a + 1]);
		} else if (strcmp(w, "brd") == 0 ||
			   strcmp(w, "broadcast") == 0 ||
			   strcmp(w, "scope") == 0) {
			imp_msg(d, IMP_NOTE, n->at,
				"virtual_ipaddress %s: '%s %s' not carried: "
				"vrrpd adds the address with the kernel's "
				"default broadcast and global scope",
				n->argv[0], w, n->argv[a + 1]);
		} else {
			imp_msg(d, IMP_WARNING, n->at,
				"virtual_ipaddress %s: '%s %s' not carried: "
				"vrrpd knows dev and label only",
				n->argv[0], w, n->argv[a + 1]);
		}
	}
	imp_strv_push(out, buf);
}

static void map_auth(struct conf_diag *d, const struct ka_node *b,
		     struct ka_instance *in)
{
	size_t i;

	in->auth_at = b->at;
	for (i = 0; i < b->n_kids; i++) {
		const struct ka_node *n = &b->kids[i];

		if (strcmp(n->argv[0], "auth_type") == 0)
			replace(&in->auth_type, arg_dup(n, 1));
		else if (strcmp(n->argv[0], "auth_pass") == 0)
			replace(&in->auth_pass, arg_dup(n, 1));
		else
			imp_msg(d, IMP_WARNING, n->at,
				"authentication: unknown keyword '%s'; "
				"ignored",
				n->argv[0]);
	}
}

static int notify_index(const char *kw)
{
	static const char *const names[KA_NOTIFY_N] = {
	    "notify_master", "notify_backup", "notify_fault", "notify_stop",
	    "notify"};
	int i;

	for (i = 0; i < KA_NOTIFY_N; i++)
		if (strcmp(kw, names[i]) == 0)
			return i;
	return -1;
}

static void map_instance_kw(struct conf_diag *d, const struct ka_node *n,
			    struct ka_instance *in)
{
	const char *kw = n->argv[0];
	size_t j;
	long v;

	if (strcmp(kw, "state") == 0)
		replace(&in->state, arg_dup(n, 1));
	else if (strcmp(kw, "interface") == 0)
		replace(&in->interface, arg_dup(n, 1));
	else if (strcmp(kw, "virtual_router_id") == 0) {
		if (arg_long(d, n, 1, 255, &v))
			in->vrid = (int)v;
	} else if (strcmp(kw, "priority") == 0) {
		if (arg_long(d, n, 1, 255, &v))
			in->priority = (int)v;
	} else if (strcmp(kw, "advert_int") == 0) {
		long long ms;

		if (arg_seconds(d, n, &ms)) {
			in->advert_int = (int)((ms + 999) / 1000);
			if (in->advert_int < 1)
				in->advert_int = 1;
			if (ms % 1000)
				imp_msg(d, IMP_NOTE, n->at,
					"advert_int %s: VRRPv2 counts whole "
					"seconds; carried as %d",
					n->argv[1], in->advert_int);
		}
	} else if (strcmp(kw, "authentication") == 0)
		map_auth(d, n, in);
	else if (strcmp(kw, "virtual_ipaddress") == 0) {
		for (j = 0; j < n->n_kids; j++)
			map_vip(d, &n->kids[j], &in->vips);
	} else if (strcmp(kw, "nopreempt") == 0)
		in->nopreempt = true;
	else if (strcmp(kw, "preempt_delay") == 0)
		arg_seconds(d, n, &in->preempt_delay_ms);
	else if (strcmp(kw, "unicast_src_ip") == 0)
		replace(&in->unicast_src, arg_dup(n, 1));
	else if (strcmp(kw, "unicast_peer") == 0) {
		for (j = 0; j < n->n_kids; j++)
			imp_strv_push(&in->peers, n->kids[j].argv[0]);
	} else if (strcmp(kw, "garp_master_delay") == 0)
		arg_seconds(d, n, &in->garp_master_delay_ms);
	else if (strcmp(kw, "garp_master_repeat") == 0) {
		if (arg_long(d, n, 1, 100, &v))
			in->garp_master_repeat = (int)v;
	} else if (strcmp(kw, "track_script") == 0)
		map_tracks(d, n, &in->scripts, &in->n_scripts);
	else if (strcmp(kw, "track_interface") == 0)
		map_tracks(d, n, &in->ifs, &in->n_ifs);
	else if (notify_index(kw) >= 0)
		replace(&in->notify[notify_index(kw)], args_join(n, 1));
	else if (strcmp(kw, "smtp_alert") == 0)
		in->smtp_alert =
		    n->argc < 2 || strcmp(n->argv[1], "false") != 0;
}

static void map_instance(struct conf_diag *d, const struct ka_node *s,
			 struct ka_conf *c)
{
	struct ka_instance *in, *v;
	size_t i;

	if (s->argc < 2) {
		imp_msg(d, IMP_WARNING, s->at,
			"vrrp_instance without a name; ignored");
		return;
	}
	v = realloc(c->instances, (c->n_instances + 1) * sizeof(*v));
	if (!v)
		return;
	c->instances = v;
	in = &c->instances[c->n_instances++];
	memset(in, 0, sizeof(*in));
	in->name = strdup(s->argv[1]);
	in->at = s->at;
	in->vrid = in->priority = in->advert_int = -1;
	in->preempt_delay_ms = in->garp_master_delay_ms = -1;
	in->garp_master_repeat = -1;
	for (i = 0; i < s->n_kids; i++)
		if (ka_keyword_carried(d, &s->kids[i], &ka_instance_keys))
			map_instance_kw(d, &s->kids[i], in);
}

static void map_top(struct conf_diag *d, const struct ka_node *root,
		    struct ka_conf *c)
{
	size_t i;

	for (i = 0; i < root->n_kids; i++) {
		const struct ka_node *n = &root->kids[i];

		if (strcmp(n->argv[0], "vrrp_sync_group") == 0) {
			imp_msg(d, IMP_WARNING, n->at,
				"vrrp_sync_group %s not carried: vrrpd has "
				"no sync groups yet; its instances are "
				"imported and fail over one by one",
				n->argc > 1 ? n->argv[1] : "");
			continue;
		}
		if (strcmp(n->argv[0], "virtual_server") == 0 ||
		    strcmp(n->argv[0], "virtual_server_group") == 0) {
			imp_msg(d, IMP_WARNING, n->at,
				"%s not carried: LVS is not vrrpd's; give "
				"the service to fwd in haproxy.cfg form "
				"(--haproxy) or by hand",
				n->argv[0]);
			continue;
		}
		if (!ka_keyword_carried(d, n, &ka_top_keys))
			continue;
		if (strcmp(n->argv[0], "global_defs") == 0)
			map_global(d, n, c);
		else if (strcmp(n->argv[0], "vrrp_script") == 0)
			map_script(d, n, c);
		else
			map_instance(d, n, c);
	}
}

struct ka_conf *ka_reader_finish(struct ka_reader *r)
{
	struct ka_conf *c = calloc(1, sizeof(*c));

	if (c) {
		map_top(r->diag, &r->root, c);
		c->files = r->files;
	} else {
		imp_strv_free(&r->files);
	}
	ka_node_free(&r->root);
	free(r);
	return c;
}

void ka_conf_free(struct ka_conf *c)
{
	size_t i, j;

	if (!c)
		return;
	free(c->router_id);
	imp_strv_free(&c->emails);
	free(c->email_from);
	free(c->smtp_server);
	free(c->script_user);
	for (i = 0; i < c->n_scripts; i++) {
		free(c->scripts[i].name);
		free(c->scripts[i].script);
		free(c->scripts[i].user);
	}
	free(c->scripts);
	for (i = 0; i < c->n_instances; i++) {
		struct ka_instance *in = &c->instances[i];

		free(in->name);
		free(in->state);
		free(in->interface);
		free(in->auth_type);
		free(in->auth_pass);
		imp_strv_free(&in->vips);
		free(in->unicast_src);
		imp_strv_free(&in->peers);
		for (j = 0; j < in->n_scripts; j++)
			free(in->scripts[j].name);
		free(in->scripts);
		for (j = 0; j < in->n_ifs; j++)
			free(in->ifs[j].name);
		free(in->ifs);
		for (j = 0; j < KA_NOTIFY_N; j++)
			free(in->notify[j]);
	}
	free(c->instances);
	imp_strv_free(&c->files);
	free(c);
}

static const char *base_name(const char *w)
{
	const char *s = strrchr(w, '/');

	return s ? s + 1 : w;
}

bool ka_script_checks_haproxy(const char *cmd)
{
	char *copy = strdup(cmd ? cmd : ""), *save = NULL, *w;
	const char *words[8];
	int n = 0, i = 1;
	bool ok = false;

	if (!copy)
		return false;
	for (w = strtok_r(copy, " \t", &save); w && n < 8;
	     w = strtok_r(NULL, " \t", &save))
		words[n++] = w;
	if (w || n < 2)
		goto out;
	if (strcmp(base_name(words[0]), "killall") == 0) {
		if (strcmp(words[i++], "-0") != 0)
			goto out;
	} else if (strcmp(base_name(words[0]), "pidof") == 0 ||
		   strcmp(base_name(words[0]), "pgrep") == 0) {
		if (i < n && (strcmp(words[i], "-x") == 0 ||
			      strcmp(words[i], "-s") == 0))
			i++;
	} else if (strcmp(base_name(words[0]), "systemctl") == 0) {
		if (strcmp(words[i++], "is-active") != 0)
			goto out;
		if (i < n && (strcmp(words[i], "--quiet") == 0 ||
			      strcmp(words[i], "-q") == 0))
			i++;
		if (i + 1 == n && strcmp(words[i], "haproxy.service") == 0) {
			ok = true;
			goto out;
		}
	} else {
		goto out;
	}
	ok = i + 1 == n && strcmp(words[i], "haproxy") == 0;
out:
	free(copy);
	return ok;
}
