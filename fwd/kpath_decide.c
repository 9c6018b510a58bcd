#include "kpath_decide.h"

bool kpath_dir_drained(const struct kpath_dir *d)
{
	uint64_t got = d->received - (d->fin ? 1 : 0); /* FIN takes a seq */

	return got == d->read0 + d->redirected + d->passed &&
	       d->consumed == d->passed &&
	       d->written >= d->redirected + d->consumed;
}

uint64_t kpath_dir_backlog(const struct kpath_dir *d)
{
	uint64_t in = d->redirected + d->consumed;

	return in > d->written ? in - d->written : 0;
}

bool kpath_should_hold(uint64_t backlog, bool held, uint64_t high, uint64_t low)
{
	return held ? backlog > low : backlog > high;
}

int64_t kpath_last_ms(int64_t last_ms, uint64_t stamp_ns)
{
	int64_t ms = (int64_t)(stamp_ns / 1000000);

	return ms > last_ms ? ms : last_ms;
}

enum kpath_idle kpath_idle_check(int64_t cli_last, int64_t srv_last,
				 int64_t client_ms, int64_t server_ms,
				 int64_t now, int64_t *next)
{
	int64_t a = cli_last + client_ms, b = srv_last + server_ms;

	*next = a < b ? a : b;
	if (now >= a)
		return KPATH_IDLE_CLIENT;
	if (now >= b)
		return KPATH_IDLE_SERVER;
	return KPATH_IDLE_NONE;
}
