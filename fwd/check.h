/*
 * Active health checks: a non-blocking TCP connect to the server's check
 * port every `inter`, first ones spread at random over one interval so
 * that many servers are not probed at the same instant.
 */
#ifndef FWD_CHECK_H
#define FWD_CHECK_H

#include "fwd.h"

void check_start(struct fwd *f);
void check_stop(struct fwd *f);

#endif
