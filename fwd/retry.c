#include "retry.h"

#include <errno.h>

enum connect_err_kind connect_err_kind(int err)
{
	switch (err) {
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		return CONNECT_ERR_LOCAL;
	case ECONNREFUSED:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
		return CONNECT_ERR_SERVER;
	default:
		return CONNECT_ERR_OTHER;
	}
}

/*
 * A local shortage is not the server's fault and another server would
 * not help: shed the client. Otherwise each retry either redispatches
 * (the failed server is excluded, but chosen again if it is the only
 * usable one) or, without redispatch, stays on the same server.
 */
enum retry_action retry_decide(const struct retry_input *in)
{
	if (in->kind == CONNECT_ERR_LOCAL)
		return RETRY_SHED;
	if (in->tries_left <= 0)
		return RETRY_GIVE_UP;
	return in->redispatch ? RETRY_REDISPATCH : RETRY_SAME;
}

const char *retry_action_str(enum retry_action a)
{
	static const char *const names[] = {
	    [RETRY_SAME] = "retry_same",
	    [RETRY_REDISPATCH] = "redispatch",
	    [RETRY_GIVE_UP] = "give_up",
	    [RETRY_SHED] = "shed",
	};

	return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}
