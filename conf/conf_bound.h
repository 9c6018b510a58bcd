/*
 * A reload that cannot stall the daemon. libconfig's parse time grows with
 * the square of the settings in one group (20,000 vrrp_script entries take
 * over 3 s), and a Master that stops advertising that long is taken over.
 * So a reload first parses the file in a child process: when the child
 * does not finish within the budget it is killed and the reload refused;
 * when it does, the daemon's own parse takes about as long again. The
 * event loop stalls for at most about twice the budget, whatever the file.
 */
#ifndef CONF_CONF_BOUND_H
#define CONF_CONF_BOUND_H

#include "conf.h"

/* Half the smallest VRRPv2 advert interval (1 s): a Master misses at most
 * one advert while a reload parses, never three. */
#define CONF_RELOAD_BUDGET_MS 500

/*
 * conf_load, after a child process showed it parses path within
 * budget_ms. Refused (-1, the reason in diag) when it does not. When the
 * child cannot be forked it loads directly (and says so in diag).
 */
int conf_load_bounded(const char *path, unsigned sections, int budget_ms,
		      struct conf **out, struct conf_diag *diag);

#endif
