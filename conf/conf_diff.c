#include "conf_diff.h"

#include <string.h>

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool strv_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

const struct enum_name conf_diff_names[] = {
    {"interface", CONF_DIFF_INTERFACE}, {"virtual_router_id", CONF_DIFF_VRID},
    {"priority", CONF_DIFF_PRIORITY},	{"advert_int", CONF_DIFF_ADVERT_INT},
    {"authentication", CONF_DIFF_AUTH}, {"virtual_ipaddress", CONF_DIFF_VIPS},
    {"preempt", CONF_DIFF_PREEMPT},	{"unicast", CONF_DIFF_UNICAST},
    {"garp", CONF_DIFF_GARP},		{"track", CONF_DIFF_TRACK},
    {"notify", CONF_DIFF_NOTIFY},	{"smtp_alert", CONF_DIFF_ALERT},
    {"state", CONF_DIFF_STATE},		{NULL, 0}};

const char *conf_diff_str(unsigned bit)
{
	return enum_name_str(conf_diff_names, (int)bit, "?");
}

bool conf_vip_equal(const struct conf_vip *a, const struct conf_vip *b)
{
	return a->family == b->family && a->addr.s_addr == b->addr.s_addr &&
	       memcmp(&a->addr6, &b->addr6, sizeof(a->addr6)) == 0 &&
	       a->prefix == b->prefix && strcmp(a->dev, b->dev) == 0 &&
	       strcmp(a->label, b->label) == 0;
}

bool conf_vips_have(const struct conf_vip *list, size_t n,
		    const struct conf_vip *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (conf_vip_equal(&list[i], v))
			return true;
	return false;
}

/* Order matters: it is the order of the advert's address list. */
static bool vips_eq(const struct conf_instance *a,
		    const struct conf_instance *b)
{
	size_t i;

	if (a->n_vips != b->n_vips)
		return false;
	for (i = 0; i < a->n_vips; i++)
		if (!conf_vip_equal(&a->vips[i], &b->vips[i]))
			return false;
	return true;
}

static bool unicast_eq(const struct conf_instance *a,
		       const struct conf_instance *b)
{
	size_t i;

	if (a->has_unicast_src != b->has_unicast_src ||
	    (a->has_unicast_src &&
	     a->unicast_src.s_addr != b->unicast_src.s_addr) ||
	    a->n_peers != b->n_peers)
		return false;
	for (i = 0; i < a->n_peers; i++)
		if (a->peers[i].s_addr != b->peers[i].s_addr)
			return false;
	return true;
}

static bool track_eq(const struct conf_instance *a,
		     const struct conf_instance *b)
{
	size_t i;

	if (a->n_track_scripts != b->n_track_scripts ||
	    a->n_track_ifs != b->n_track_ifs ||
	    a->track_forwarder != b->track_forwarder ||
	    (a->track_forwarder &&
	     (a->track_forwarder_weight != b->track_forwarder_weight ||
	      a->track_forwarder_timeout_ms != b->track_forwarder_timeout_ms ||
	      a->track_forwarder_hold_ms != b->track_forwarder_hold_ms)))
		return false;
	for (i = 0; i < a->n_track_scripts; i++) {
		const struct conf_track_script *x = &a->track_scripts[i],
					       *y = &b->track_scripts[i];

		if (strcmp(x->name, y->name) != 0 ||
		    x->weight_set != y->weight_set ||
		    (x->weight_set && x->weight != y->weight))
			return false;
	}
	for (i = 0; i < a->n_track_ifs; i++)
		if (strcmp(a->track_ifs[i].name, b->track_ifs[i].name) != 0 ||
		    a->track_ifs[i].weight != b->track_ifs[i].weight)
			return false;
	return true;
}

unsigned conf_instance_diff(const struct conf_instance *a,
			    const struct conf_instance *b)
{
	unsigned d = 0;

	if (strcmp(a->interface, b->interface) != 0)
		d |= CONF_DIFF_INTERFACE;
	if (a->vrid != b->vrid)
		d |= CONF_DIFF_VRID;
	if (a->priority != b->priority)
		d |= CONF_DIFF_PRIORITY;
	if (a->advert_int != b->advert_int || a->advert_cs != b->advert_cs ||
	    a->version != b->version ||
	    a->v3_checksum_as_v2 != b->v3_checksum_as_v2)
		d |= CONF_DIFF_ADVERT_INT;
	if (a->auth_pass_set != b->auth_pass_set ||
	    memcmp(a->auth_pass, b->auth_pass, sizeof(a->auth_pass)) != 0)
		d |= CONF_DIFF_AUTH;
	if (!vips_eq(a, b))
		d |= CONF_DIFF_VIPS;
	if (a->nopreempt != b->nopreempt ||
	    a->preempt_delay_ms != b->preempt_delay_ms ||
	    a->fast_preempt != b->fast_preempt)
		d |= CONF_DIFF_PREEMPT;
	if (!unicast_eq(a, b))
		d |= CONF_DIFF_UNICAST;
	if (a->garp_master_delay_ms != b->garp_master_delay_ms ||
	    a->garp_master_repeat != b->garp_master_repeat)
		d |= CONF_DIFF_GARP;
	if (!track_eq(a, b))
		d |= CONF_DIFF_TRACK;
	if (!str_eq(a->notify_master, b->notify_master) ||
	    !str_eq(a->notify_backup, b->notify_backup) ||
	    !str_eq(a->notify_fault, b->notify_fault) ||
	    !str_eq(a->notify_stop, b->notify_stop) ||
	    !str_eq(a->notify, b->notify))
		d |= CONF_DIFF_NOTIFY;
	if (a->smtp_alert != b->smtp_alert)
		d |= CONF_DIFF_ALERT;
	if (a->state != b->state)
		d |= CONF_DIFF_STATE;
	return d;
}

bool conf_script_equal(const struct conf_script *a, const struct conf_script *b)
{
	return strcmp(a->name, b->name) == 0 && str_eq(a->script, b->script) &&
	       a->interval_ms == b->interval_ms &&
	       a->timeout_ms == b->timeout_ms && a->weight == b->weight &&
	       a->rise == b->rise && a->fall == b->fall &&
	       str_eq(a->user, b->user);
}

bool conf_global_smtp_equal(const struct conf_global *a,
			    const struct conf_global *b)
{
	return str_eq(a->smtp_server, b->smtp_server) &&
	       strv_eq(a->emails, a->n_emails, b->emails, b->n_emails) &&
	       str_eq(a->email_from, b->email_from) &&
	       a->smtp_connect_timeout == b->smtp_connect_timeout &&
	       a->smtp_starttls == b->smtp_starttls &&
	       str_eq(a->smtp_user, b->smtp_user) &&
	       str_eq(a->smtp_password, b->smtp_password) &&
	       a->smtp_verify == b->smtp_verify &&
	       str_eq(a->smtp_ca_file, b->smtp_ca_file) &&
	       str_eq(a->script_user, b->script_user);
}

const struct enum_name conf_change_names[] = {
    {"kept", CONF_SAME},       {"changed", CONF_CHANGED}, {"added", CONF_ADDED},
    {"removed", CONF_REMOVED}, {"absent", CONF_ABSENT},	  {NULL, 0}};

const char *conf_change_str(enum conf_change c)
{
	return enum_name_str(conf_change_names, (int)c, "?");
}

const struct conf_instance *conf_instance_find(const struct conf *c,
					       const char *name)
{
	size_t i;

	for (i = 0; i < c->n_instances; i++)
		if (strcmp(c->instances[i].name, name) == 0)
			return &c->instances[i];
	return NULL;
}

enum conf_change conf_instance_change(const struct conf *old,
				      const struct conf *new, const char *name,
				      unsigned *bits)
{
	const struct conf_instance *a = conf_instance_find(old, name);
	const struct conf_instance *b = conf_instance_find(new, name);

	*bits = 0;
	if (!a)
		return b ? CONF_ADDED : CONF_ABSENT;
	if (!b)
		return CONF_REMOVED;
	*bits = conf_instance_diff(a, b);
	return *bits ? CONF_CHANGED : CONF_SAME;
}
