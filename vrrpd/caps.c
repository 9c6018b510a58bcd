#include "caps.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>

#include "../common/log.h"

static bool in_list(cap_value_t c, const cap_value_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == c)
			return true;
	return false;
}

static int bound_limit(const cap_value_t *keep, size_t n_keep,
		       const cap_value_t *extra, size_t n_extra)
{
	cap_value_t c, last = (cap_value_t)cap_max_bits();

	for (c = 0; c < last; c++) {
		if (in_list(c, keep, n_keep) || in_list(c, extra, n_extra))
			continue;
		if (cap_get_bound(c) == 1 && cap_drop_bound(c) < 0)
			return -errno;
	}
	return 0;
}

int caps_limit(const cap_value_t *keep, size_t n_keep,
	       const cap_value_t *bound_extra, size_t n_extra)
{
	cap_t now = cap_get_proc(), want;
	cap_flag_value_t setpcap = CAP_CLEAR;
	size_t i;
	int rc;

	if (!now)
		return -errno;
	/* the bounding set first: dropping from it needs CAP_SETPCAP */
	cap_get_flag(now, CAP_SETPCAP, CAP_EFFECTIVE, &setpcap);
	rc = setpcap == CAP_SET
		 ? bound_limit(keep, n_keep, bound_extra, n_extra)
		 : 0;
	want = cap_init();
	if (rc == 0 && !want)
		rc = -errno;
	for (i = 0; rc == 0 && i < n_keep; i++) {
		cap_flag_value_t have = CAP_CLEAR;

		/* keep only what we have: never ask for more */
		cap_get_flag(now, keep[i], CAP_PERMITTED, &have);
		if (have != CAP_SET)
			continue;
		if (cap_set_flag(want, CAP_PERMITTED, 1, &keep[i], CAP_SET) <
			0 ||
		    cap_set_flag(want, CAP_EFFECTIVE, 1, &keep[i], CAP_SET) < 0)
			rc = -errno;
	}
	if (rc == 0 && cap_set_proc(want) < 0)
		rc = -errno;
	if (rc == 0 && CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() < 0)
		rc = -errno;
	cap_free(want);
	cap_free(now);
	return rc;
}

int caps_drop_main(void)
{
	static const cap_value_t keep[] = {CAP_NET_RAW, CAP_NET_ADMIN};
	int rc = caps_limit(keep, 2, NULL, 0);

	/* the main process never runs anything: no execve may ever gain
	 * privilege from here (the spawner, forked before, is not bound) */
	if (rc == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		rc = -errno;

	if (rc < 0)
		log_err("cannot drop capabilities: %s", strerror(-rc));
	else
		log_info("capabilities: kept CAP_NET_RAW, CAP_NET_ADMIN only");
	return rc;
}
