/*
 * Capabilities (libcap): after start-up each vrrpd process keeps only
 * what it needs (docs/security.md). The main process: CAP_NET_RAW and
 * CAP_NET_ADMIN. The script spawner: CAP_SETUID, CAP_SETGID, CAP_KILL.
 */
#ifndef VRRPD_CAPS_H
#define VRRPD_CAPS_H

#include <stddef.h>
#include <sys/capability.h>

/*
 * Leaves exactly keep[] in the effective and permitted sets, nothing
 * inheritable or ambient, and keep[] plus bound_extra[] in the bounding
 * set (the bounding set limits what any later execve() can gain). 0 or
 * -errno; without CAP_SETPCAP the bounding set stays as it was.
 */
int caps_limit(const cap_value_t *keep, size_t n_keep,
	       const cap_value_t *bound_extra, size_t n_extra);

/* The main process after start-up: CAP_NET_RAW, CAP_NET_ADMIN, and
 * no_new_privs. */
int caps_drop_main(void);

#endif
