/*
 * The vrrpd sections: global_defs, vrrp_script, vrrp_instance and
 * anycast_instance, as typed structs (conf/conf_fwd.h is the forwarder's
 * counterpart). conf.h includes this file, so its users see both.
 */
#ifndef CONF_VRRP_H
#define CONF_VRRP_H

#include <libconfig.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/enum_name.h"

#define CONF_NAME_MAX 64

struct conf_global {
	char *router_id;
	char **emails;
	size_t n_emails;
	char *email_from;
	char *smtp_server;	  /* host[:port] or smtp:// / smtps:// URL */
	int smtp_connect_timeout; /* seconds */
	bool smtp_starttls;
	char *smtp_user, *smtp_password;
	bool smtp_alert; /* default for instances */
	/* at most one alert mail per instance this often; the transitions
	 * in between go in one summary (0: every transition at once) */
	int64_t smtp_alert_interval_ms;
	bool smtp_verify;   /* TLS: check the server's certificate and name */
	char *smtp_ca_file; /* NULL: the system's CA store */
	char *control_socket;
	char *control_socket_group; /* NULL: mode 0600 */
	gid_t control_socket_gid;
	char *script_user;    /* who scripts run as; default nobody */
	uint8_t vrrp_version; /* default for instances: 2 or 3 */
};

struct conf_script {
	char name[CONF_NAME_MAX];
	int line;
	char *script;
	int64_t interval_ms, timeout_ms;
	int weight; /* -253..253 */
	int rise, fall;
	char *user; /* NULL: an unprivileged default */
};

struct conf_vip {
	int family; /* AF_INET (addr) or AF_INET6 (addr6) */
	struct in_addr addr;
	struct in6_addr addr6;
	int prefix;
	char dev[IF_NAMESIZE]; /* empty: the instance's interface */
	char label[IF_NAMESIZE];
};

struct conf_track_script {
	char name[CONF_NAME_MAX];
	int weight;
	bool weight_set; /* else the script's own weight */
};

struct conf_track_if {
	char name[IF_NAMESIZE];
	int weight; /* 0: Fault when down */
};

enum conf_wish { CONF_WISH_BACKUP, CONF_WISH_MASTER };

/* "MASTER", "BACKUP" (common/enum_name.h) */
extern const struct enum_name conf_wish_names[];

/* track_forwarder: fwd's heartbeat period (FWDPROTO_HEARTBEAT_MS) and
 * the default hold after a flap */
#define CONF_FWD_HEARTBEAT_MS 100
#define CONF_FWD_HOLD_MS      1000

struct conf_instance {
	char name[CONF_NAME_MAX];
	int line;
	enum conf_wish state;
	char interface[IF_NAMESIZE];
	uint8_t vrid;
	uint8_t priority;
	uint8_t version;    /* VRRP 2 (RFC 3768) or 3 (RFC 5798) */
	int family;	    /* AF_INET or AF_INET6, from the VIPs */
	uint8_t advert_int; /* seconds, v2's wire field (v3: 0) */
	uint16_t advert_cs; /* the interval in centiseconds, both versions */
	bool v3_checksum_as_v2; /* send IPv4 v3 without pseudo-header */
	bool auth_pass_set;
	uint8_t auth_pass[8]; /* zero padded, RFC 3768 5.3.10 */
	struct conf_vip *vips;
	size_t n_vips;
	bool nopreempt;
	int64_t preempt_delay_ms;
	bool fast_preempt;
	bool has_unicast_src;
	struct in_addr unicast_src;
	struct in_addr *peers;
	size_t n_peers; /* of peers, or of peers6 for an IPv6 instance */
	struct in6_addr unicast_src6;
	struct in6_addr *peers6;
	int64_t garp_master_delay_ms;
	int garp_master_repeat;
	struct conf_track_script *track_scripts;
	size_t n_track_scripts;
	struct conf_track_if *track_ifs;
	size_t n_track_ifs;
	bool track_forwarder;
	int track_forwarder_weight;
	/* a version 2 forwarder silent this long is lost; one that came
	 * back counts only after this long healthy */
	int64_t track_forwarder_timeout_ms, track_forwarder_hold_ms;
	char *notify_master, *notify_backup, *notify_fault, *notify_stop,
	    *notify;
	bool smtp_alert;
};

/*
 * anycast_instance: no VRRP; the VIPs are on the interface while every
 * tracker is healthy. base holds what it shares with a VRRP instance
 * (name, line, interface, vips, track_*, notify, smtp_alert) so vrrpd's
 * address, tracker and alert code serve both; its VRRP fields stay 0.
 */
struct conf_anycast {
	struct conf_instance base;
	int64_t hold_down_ms; /* continuous health before announcing */
	char *notify_announced, *notify_withdrawn;
};

struct conf;	 /* conf/conf.h */
struct conf_ctx; /* conf/conf_util.h */

/*
 * Parses the sections into c. global_defs is always parsed (both daemons
 * read it); scripts and instances only when full is true (fwd ignores
 * them, as vrrpd ignores the forwarder section). 0, or -1 with the
 * problems reported.
 */
int conf_vrrp_parse(struct conf_ctx *ctx, const config_setting_t *root,
		    struct conf *c, bool full);

/* One virtual_ipaddress entry, "ADDR[/LEN] [dev IF] [label NAME]"
 * (anycast_instance shares the syntax); 0, or -1 reported. */
int conf_vip_parse(struct conf_ctx *ctx, const config_setting_t *at,
		   const char *text, struct conf_vip *vip);

#endif
