/* vrrp_script: periodic checks whose results move instance priorities. */
#ifndef VRRPD_TRACK_H
#define VRRPD_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/argv.h"
#include "../common/loop.h"
#include "proc.h"

struct vrrpd;
struct conf;
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

/* Prepares every vrrp_script of c that an instance tracks into *out;
 * nothing runs yet and d is not touched. 0 or -errno. */
int track_build(struct vrrpd *d, const struct conf *c,
		struct track_script **out, size_t *n);
/*
 * Replaces d's scripts with v (taking it) and schedules them. A script
 * that d already runs under the same name, command and user keeps its
 * result, streak and a run in progress; its next run keeps its schedule
 * unless the new interval is shorter. Others start afresh, as at start-up
 * (where d has none).
 */
void track_commit(struct vrrpd *d, struct track_script *v, size_t n);
/* Frees scripts track_build made that were not committed. */
void track_discard(struct vrrpd *d, struct track_script *v, size_t n);
void track_free(struct vrrpd *d);
struct track_script *track_find(struct vrrpd *d, const char *name);

#endif
