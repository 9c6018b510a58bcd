/* Config-time checks of track and notify scripts: would they run, and
 * safely? Reported as FILE:LINE: lines with the fix to apply. */
#ifndef VRRPD_SCRIPTCHECK_H
#define VRRPD_SCRIPTCHECK_H

#include "../conf/conf.h"

/* Adds problems to diag; returns the number of errors found. */
unsigned script_check_all(const struct conf *c, struct conf_diag *diag);

#endif
