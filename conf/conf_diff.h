/*
 * What changed between two loads of the configuration: the pure half of
 * vrrpd's reload (docs/reload.md). No I/O; the daemon decides what to do
 * with each difference.
 */
#ifndef CONF_CONF_DIFF_H
#define CONF_CONF_DIFF_H

#include <stdbool.h>

#include "conf.h"

/* The parts of a vrrp_instance that can differ, one bit each. */
enum {
	CONF_DIFF_INTERFACE = 1u << 0,
	CONF_DIFF_VRID = 1u << 1,
	CONF_DIFF_PRIORITY = 1u << 2,
	CONF_DIFF_ADVERT_INT = 1u << 3,
	CONF_DIFF_AUTH = 1u << 4,
	CONF_DIFF_VIPS = 1u << 5,
	CONF_DIFF_PREEMPT = 1u << 6, /* nopreempt, preempt_delay, fast_ */
	CONF_DIFF_UNICAST = 1u << 7, /* unicast_src_ip, unicast_peer */
	CONF_DIFF_GARP = 1u << 8,
	CONF_DIFF_TRACK = 1u << 9, /* track_script/_interface/_forwarder */
	CONF_DIFF_NOTIFY = 1u << 10,
	CONF_DIFF_ALERT = 1u << 11, /* smtp_alert */
	CONF_DIFF_STATE = 1u << 12, /* the initial wish: no effect later */
	CONF_DIFF_COUNT_BITS = 13,
	/* a different virtual router: stop the old one, start anew */
	CONF_DIFF_RESTART = CONF_DIFF_INTERFACE | CONF_DIFF_VRID,
};

/* The key names of a bit ("priority", "virtual_ipaddress", ...). */
extern const struct enum_name conf_diff_names[];
const char *conf_diff_str(unsigned bit);

/* 0 when a and b configure the same instance; else CONF_DIFF_* bits. */
unsigned conf_instance_diff(const struct conf_instance *a,
			    const struct conf_instance *b);

/* How an instance name fares between two loads. */
enum conf_change {
	CONF_SAME,    /* in both, configured identically */
	CONF_CHANGED, /* in both, *bits says what differs */
	CONF_ADDED,   /* only in the new load */
	CONF_REMOVED, /* only in the old load */
	CONF_ABSENT,  /* in neither */
};

extern const struct enum_name conf_change_names[];
const char *conf_change_str(enum conf_change c);
const struct conf_instance *conf_instance_find(const struct conf *c,
					       const char *name);
enum conf_change conf_instance_change(const struct conf *old,
				      const struct conf *new, const char *name,
				      unsigned *bits);

bool conf_vip_equal(const struct conf_vip *a, const struct conf_vip *b);
/* Whether list has v (same address, prefix, device and label). */
bool conf_vips_have(const struct conf_vip *list, size_t n,
		    const struct conf_vip *v);

bool conf_script_equal(const struct conf_script *a,
		       const struct conf_script *b);

/* The global_defs keys the alert sender is built from (script_user:
 * the user vrrpd-mail runs as). */
bool conf_global_smtp_equal(const struct conf_global *a,
			    const struct conf_global *b);

#endif
