/*
 * Where session log lines go: the daemon's log (stderr with -n, syslog
 * otherwise), without ever blocking the event loop. Lines wait in a
 * bounded buffer and leave in batches; when the log stalls (a full pipe,
 * a syslog daemon that stopped reading) new lines are dropped and
 * counted, and the data path goes on at full speed.
 */
#ifndef FWD_SESSLOG_OUT_H
#define FWD_SESSLOG_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/loop.h"

/* Bytes of lines waiting at most; beyond, lines are dropped. */
#define SESSLOG_BUF 65536

struct sesslog_out {
	struct loop *loop;
	int fd; /* -1: closed (syslog: reconnect on the next line) */
	bool syslog, sock;
	int64_t retry_ms; /* syslog: next connect attempt */
	struct loop_timer flush;
	size_t len;
	uint64_t lines, dropped;
	int64_t stamp_sec; /* the second stamp[] was made for */
	char stamp[24];
	size_t stamp_len;
	char buf[SESSLOG_BUF];
};

void sesslog_out_init(struct sesslog_out *o, struct loop *loop,
		      bool use_syslog);
/* Queues one line (no newline); never blocks. */
void sesslog_out_line(struct sesslog_out *o, const char *line, size_t n);
/* Writes what waits, as far as the log takes it now, and closes. */
void sesslog_out_close(struct sesslog_out *o);

#endif
