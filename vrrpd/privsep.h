/*
 * Privilege separation for scripts. Before vrrpd drops its capabilities,
 * it forks a small spawner that keeps only CAP_SETUID, CAP_SETGID and
 * CAP_KILL: it starts track and notify scripts as their user, enforces
 * their time limits, logs their output and reports each exit status to
 * the main process over a SOCK_SEQPACKET socketpair (spawnmsg.h). The
 * main process keeps only CAP_NET_RAW and CAP_NET_ADMIN (caps.c).
 */
#ifndef VRRPD_PRIVSEP_H
#define VRRPD_PRIVSEP_H

#include "../conf/conf.h"
#include "proc.h"

/*
 * Forks the spawner and attaches it to ps (procs_init keeps it). Call it
 * first thing, before any other descriptor is opened, so the spawner
 * holds nothing but its socket. Only when running as root: otherwise
 * scripts cannot change user anyway and run from the main process.
 * The spawner never returns from here (it frees conf and exits).
 * 0 or -errno.
 */
int privsep_start(struct procs *ps, struct conf *conf);
/* Ends a spawner that privsep_start attached, before procs_init ran (when
 * vrrpd gives up starting). */
void privsep_abort(struct procs *ps);

#endif
