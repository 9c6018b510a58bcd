/*
 * SIGHUP and the control socket's `reload`: re-read the configuration
 * file and move the running daemon to it without a flap (docs/reload.md).
 */
#ifndef VRRPD_RELOAD_H
#define VRRPD_RELOAD_H

#include "../common/sbuf.h"

struct vrrpd;

/*
 * Loads and checks d->conf->file; on any problem logs each FILE:LINE line,
 * keeps everything as it was and returns -1. Otherwise applies it and
 * returns 0. Either way, when reply is not NULL, appends the one-line
 * JSON answer for the control socket.
 */
int reload_run(struct vrrpd *d, struct sbuf *reply);

/*
 * Start-up, a reload from nothing: builds d's interfaces, links, scripts
 * (scheduled) and instances (set up, not started) from d->conf with the
 * builders reload_run uses. Problems are logged as FILE:LINE lines.
 * 0 or -errno.
 */
int reload_startup(struct vrrpd *d);

#endif
