/*
 * Which keepalived.conf keywords the import carries, which keepalived
 * reads but vrrpd has no setting for, and the message for each other
 * one. These name keepalived's vocabulary: that vrrpd borrowed most of
 * the names is why some lists look like conf_vrrp.c's keys, but a key
 * vrrpd adds is not thereby one the import carries.
 */
#include <string.h>

#include "../../common/parse.h"
#include "keepalived_tree.h"

static const char *const top_carried[] = {"global_defs", "vrrp_script",
					  "vrrp_instance", NULL};
static const char *const top_known[] = {"vrrp_sync_group",
					"virtual_server",
					"virtual_server_group",
					"static_ipaddress",
					"static_routes",
					"static_rules",
					"vrrp_track_process",
					"track_file",
					"vrrp_track_file",
					"linkbeat_interfaces",
					"garp_group",
					"bfd_instance",
					"net_namespace",
					"instance",
					"use_pid_dir",
					"$",
					NULL};
static const char *const global_carried[] = {"router_id",
					     "notification_email",
					     "notification_email_from",
					     "smtp_server",
					     "smtp_connect_timeout",
					     "script_user",
					     "enable_script_security",
					     NULL};
static const char *const global_known[] = {"vrrp_skip_check_adv_addr",
					   "vrrp_strict",
					   "vrrp_garp_interval",
					   "vrrp_gna_interval",
					   "vrrp_mcast_group4",
					   "vrrp_mcast_group6",
					   "vrrp_iptables",
					   "vrrp_ipsets",
					   "lvs_id",
					   "lvs_sync_daemon",
					   "lvs_timeouts",
					   "lvs_flush",
					   "process_names",
					   "vrrp_version",
					   "max_auto_priority",
					   "dynamic_interfaces",
					   "enable_traps",
					   "enable_snmp_keepalived",
					   "enable_snmp_vrrp",
					   "enable_snmp_rfc",
					   "snmp_socket",
					   "vrrp_garp_master_delay",
					   "vrrp_garp_master_repeat",
					   "vrrp_garp_master_refresh",
					   "vrrp_garp_master_refresh_repeat",
					   "vrrp_garp_lower_prio_delay",
					   "vrrp_garp_lower_prio_repeat",
					   "vrrp_lower_prio_no_advert",
					   "vrrp_higher_prio_send_advert",
					   "vrrp_no_swap",
					   "vrrp_priority",
					   "checker_priority",
					   "bfd_priority",
					   "notify_fifo",
					   "notify_fifo_script",
					   "vrrp_notify_fifo",
					   "vrrp_notify_fifo_script",
					   "smtp_helo_name",
					   "default_interface",
					   "vrrp_check_unicast_src",
					   "vrrp_rx_bufs_policy",
					   "script_security",
					   "vrrp_startup_delay",
					   "nftables",
					   "vrrp_min_garp",
					   "router_id_vrrp",
					   "no_email_faults",
					   "vrrp_netlink_cmd_rcv_bufs",
					   NULL};
static const char *const script_carried[] = {
    "script", "interval", "timeout", "weight", "rise", "fall", "user", NULL};
static const char *const script_known[] = {"init_fail", NULL};
static const char *const inst_carried[] = {"state",
					   "interface",
					   "virtual_router_id",
					   "priority",
					   "advert_int",
					   "authentication",
					   "virtual_ipaddress",
					   "nopreempt",
					   "preempt_delay",
					   "unicast_src_ip",
					   "unicast_peer",
					   "garp_master_delay",
					   "garp_master_repeat",
					   "track_script",
					   "track_interface",
					   "notify_master",
					   "notify_backup",
					   "notify_fault",
					   "notify_stop",
					   "notify",
					   "smtp_alert",
					   NULL};
static const char *const inst_known[] = {"virtual_ipaddress_excluded",
					 "mcast_src_ip",
					 "dont_track_primary",
					 "use_vmac",
					 "vmac_xmit_base",
					 "native_ipv6",
					 "version",
					 "garp_master_refresh",
					 "garp_master_refresh_repeat",
					 "garp_lower_prio_delay",
					 "garp_lower_prio_repeat",
					 "lower_prio_no_advert",
					 "higher_prio_send_advert",
					 "lvs_sync_daemon_interface",
					 "virtual_routes",
					 "virtual_rules",
					 "debug",
					 "track_process",
					 "track_file",
					 "track_bfd",
					 "accept",
					 "no_accept",
					 "strict_mode",
					 "skip_check_adv_addr",
					 "preempt",
					 "notify_master_rx_lower_pri",
					 "promote_secondaries",
					 "linkbeat_use_polling",
					 "unicast_ttl",
					 "old_unicast_checksum",
					 "kernel_rx_buf_size",
					 "notify_deleted",
					 "check_unicast_src",
					 "unicast_fault_no_peer",
					 NULL};

const struct ka_block_keys ka_top_keys = {top_carried, top_known,
					  "keepalived.conf"};
const struct ka_block_keys ka_global_keys = {global_carried, global_known,
					     "global_defs"};
const struct ka_block_keys ka_script_keys = {script_carried, script_known,
					     "vrrp_script"};
const struct ka_block_keys ka_instance_keys = {inst_carried, inst_known,
					       "vrrp_instance"};

/* Reports n's keyword unless it is carried; returns true when it is. */
bool ka_keyword_carried(struct conf_diag *d, const struct ka_node *n,
			const struct ka_block_keys *k)
{
	const char *kw = n->argc ? n->argv[0] : "";
	const char *all[160];
	const char *hint;
	size_t i, j = 0;

	if (n->argc == 0)
		return false;
	for (i = 0; k->carried[i]; i++)
		if (strcmp(kw, k->carried[i]) == 0)
			return true;
	for (i = 0; k->known[i]; i++)
		if (strcmp(kw, k->known[i]) == 0) {
			imp_msg(d, IMP_WARNING, n->at,
				"%s: '%s' not carried: vrrpd has no such "
				"setting",
				k->what, kw);
			return false;
		}
	for (i = 0; k->carried[i] && j < 158; i++)
		all[j++] = k->carried[i];
	for (i = 0; k->known[i] && j < 158; i++)
		all[j++] = k->known[i];
	all[j] = NULL;
	hint = closest_word(kw, all);
	if (hint)
		imp_msg(d, IMP_WARNING, n->at,
			"%s: unknown keyword '%s' (did you mean '%s'?); "
			"keepalived ignores it, so does the import",
			k->what, kw, hint);
	else
		imp_msg(d, IMP_WARNING, n->at,
			"%s: unknown keyword '%s'; keepalived ignores it, so "
			"does the import",
			k->what, kw);
	return false;
}
