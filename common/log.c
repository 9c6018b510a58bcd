#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static struct {
	const char *ident;
	bool syslog;
	int level;
} log_cfg = {"", false, LOG_INFO};

static const char *level_name(int level)
{
	switch (level) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void log_init(const char *ident, bool use_syslog, int max_level)
{
	log_cfg.ident = ident;
	log_cfg.syslog = use_syslog;
	log_cfg.level = max_level;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(int max_level)
{
	log_cfg.level = max_level;
}

int log_get_level(void)
{
	return log_cfg.level;
}

bool log_get_syslog(void)
{
	return log_cfg.syslog;
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_cfg.level)
		return;
	va_start(ap, fmt);
	if (log_cfg.syslog) {
		vsyslog(level, fmt, ap);
	} else {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s[%s] ", stamp, ts.tv_nsec / 1000000,
			log_cfg.ident, level_name(level));
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

bool ratelimit_allow(struct ratelimit *rl, int64_t now_ms, int64_t interval_ms,
		     unsigned *suppressed)
{
	if (rl->last_ms != 0 && now_ms - rl->last_ms < interval_ms) {
		rl->suppressed++;
		return false;
	}
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	rl->last_ms = now_ms ? now_ms : 1;
	return true;
}
