/* A snapshot of the forwarder's live state for statspage.c's renderers. */
#ifndef FWD_STATS_H
#define FWD_STATS_H

#include "statspage.h"

struct fwd;

/* Fills s (pointing into f: render it before f changes); 0 or -ENOMEM. */
int stats_snap_take(const struct fwd *f, struct stats_snap *s);
void stats_snap_free(struct stats_snap *s);

#endif
