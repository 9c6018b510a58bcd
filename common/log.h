/* Logging to stderr or syslog, with levels and per-reason rate limiting. */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

void log_init(const char *ident, bool use_syslog, int max_level);
void log_set_level(int max_level);
/* What log_init() set, for a helper process that logs the same way. */
int log_get_level(void);
bool log_get_syslog(void);
void log_msg(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/*
 * One rate limiter per reason: at most one line per interval; the lines
 * swallowed in between are counted and reported with the next one.
 */
struct ratelimit {
	int64_t last_ms;
	unsigned suppressed;
};

bool ratelimit_allow(struct ratelimit *rl, int64_t now_ms, int64_t interval_ms,
		     unsigned *suppressed);

#endif
