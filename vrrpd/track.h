/* vrrp_script: periodic checks whose results move instance priorities. */
#ifndef VRRPD_TRACK_H
#define VRRPD_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/argv.h"
#include "../common/loop.h"
#include "proc.h"

struct vrrpd;
struct conf_script;

struct track_script {
	struct vrrpd *d;
	const struct conf_script *cfg;
	struct argv argv;
	struct run_as user;
	struct loop_timer timer;
	int64_t started_ms;
	bool running;
	bool ok;
	int streak;
	uint64_t runs, failures, timeouts;
	char last[48]; /* the last result, for status */
};

/* Prepares every vrrp_script that an instance tracks. 0 or -errno. */
int track_setup(struct vrrpd *d);
void track_start(struct vrrpd *d);
void track_free(struct vrrpd *d);
struct track_script *track_find(struct vrrpd *d, const char *name);

#endif
