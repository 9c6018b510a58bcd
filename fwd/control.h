/* The forwarder's control socket: stats and server admin (DESIGN.md). */
#ifndef FWD_CONTROL_H
#define FWD_CONTROL_H

#include "fwd.h"

/* 0 or -errno (logged). */
int control_open(struct fwd *f);
void control_close(struct fwd *f);

#endif
