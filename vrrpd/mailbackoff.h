/*
 * When vrrpd-mail is started again after a failure (maillink.c): 500 ms,
 * doubling with each failure in a row up to 30 s; a run of at least 60 s
 * before the failure starts the count over.
 */
#ifndef VRRPD_MAILBACKOFF_H
#define VRRPD_MAILBACKOFF_H

#include <stdint.h>

#define MAILBACKOFF_MIN_MS    500
#define MAILBACKOFF_MAX_MS    30000
#define MAILBACKOFF_STABLE_MS 60000

/* The wait in ms before the next start, after a failure of a run that
 * lasted ran_ms (0 when it did not start at all); *restarts counts the
 * failures in a row and is bumped. Pure. */
int64_t mailbackoff_next(unsigned *restarts, int64_t ran_ms);

#endif
