#include "sesslog_out.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* Lines gather this long before a write: one system call for many
 * sessions keeps the log's cost off the data path. */
#define FLUSH_MS 20
/* After a failed connect to /dev/log. */
#define SYSLOG_RETRY_MS 1000

/*
 * Our own description of stderr, non-blocking without touching the one
 * stdio's log_msg writes through: a pipe or FIFO reopened through /proc
 * gets a description of its own; a socket (journald's stdout) is written
 * with MSG_DONTWAIT; a file or terminal does not stall.
 */
static void open_stderr(struct sesslog_out *o)
{
	struct stat st;

	o->fd = STDERR_FILENO;
	if (fstat(STDERR_FILENO, &st) < 0)
		return;
	if (S_ISSOCK(st.st_mode)) {
		o->sock = true;
	} else if (S_ISFIFO(st.st_mode)) {
		int fd =
		    open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC);

		if (fd >= 0)
			o->fd = fd;
	}
}

static void open_syslog(struct sesslog_out *o)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	if (o->loop->now_ms < o->retry_ms)
		return;
	o->retry_ms = o->loop->now_ms + SYSLOG_RETRY_MS;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	strcpy(sun.sun_path, "/dev/log");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return;
	}
	o->fd = fd;
}

/* Writes whole lines, at most PIPE_BUF at a time so that a pipe takes
 * each write entirely or not at all and lines never interleave with
 * log_msg's. */
static void flush_stream(struct sesslog_out *o)
{
	size_t off = 0;

	while (off < o->len) {
		size_t n = o->len - off;
		ssize_t w;

		if (n > PIPE_BUF) {
			const char *nl = memrchr(o->buf + off, '\n', PIPE_BUF);

			n = nl ? (size_t)(nl - (o->buf + off)) + 1 : PIPE_BUF;
		}
		w = o->sock ? send(o->fd, o->buf + off, n,
				   MSG_DONTWAIT | MSG_NOSIGNAL)
			    : write(o->fd, o->buf + off, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* EAGAIN: the log stalls; keep, retry later */
		off += (size_t)w;
	}
	memmove(o->buf, o->buf + off, o->len - off);
	o->len -= off;
}

static void flush_timer(struct loop *loop, struct loop_timer *t)
{
	struct sesslog_out *o = t->arg;

	flush_stream(o);
	if (o->len)
		loop_timer_at(loop, t, loop->now_ms + FLUSH_MS);
}

void sesslog_out_init(struct sesslog_out *o, struct loop *loop, bool use_syslog)
{
	o->loop = loop;
	o->fd = -1;
	o->syslog = use_syslog;
	o->sock = false;
	o->stamp_sec = -1;
	o->len = 0;
	loop_timer_init(&o->flush, flush_timer, o);
	if (!use_syslog)
		open_stderr(o);
}

/* "HH:MM:SS.mmm" as log_msg writes it (syslog: "Mmm dd HH:MM:SS"); the
 * seconds part is formatted once a second, not once a line. */
static size_t stamp(struct sesslog_out *o, char *buf, size_t len,
		    bool syslog_form)
{
	struct timespec ts;
	struct tm tm;
	long ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != o->stamp_sec) {
		localtime_r(&ts.tv_sec, &tm);
		o->stamp_len =
		    strftime(o->stamp, sizeof(o->stamp),
			     syslog_form ? "%b %e %H:%M:%S" : "%H:%M:%S", &tm);
		o->stamp_sec = ts.tv_sec;
	}
	if (o->stamp_len + 5 > len)
		return 0;
	memcpy(buf, o->stamp, o->stamp_len);
	if (syslog_form)
		return o->stamp_len;
	ms = ts.tv_nsec / 1000000;
	buf[o->stamp_len] = '.';
	buf[o->stamp_len + 1] = (char)('0' + ms / 100);
	buf[o->stamp_len + 2] = (char)('0' + ms / 10 % 10);
	buf[o->stamp_len + 3] = (char)('0' + ms % 10);
	return o->stamp_len + 4;
}

/* RFC 3164, as syslog(3) sends it: one datagram a line. */
static void send_syslog(struct sesslog_out *o, const char *line, size_t n)
{
	char msg[1024], ts[32];
	int m;

	if (o->fd < 0)
		open_syslog(o);
	if (o->fd < 0) {
		o->dropped++;
		return;
	}
	ts[stamp(o, ts, sizeof(ts) - 1, true)] = '\0';
	m = snprintf(msg, sizeof(msg), "<%d>%s fwd[%d]: %.*s",
		     LOG_DAEMON | LOG_INFO, ts, (int)getpid(), (int)n, line);
	if (m < 0)
		return;
	if (send(o->fd, msg, (size_t)m < sizeof(msg) ? (size_t)m : sizeof(msg),
		 MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		o->dropped++;
		if (errno != EAGAIN && errno != ENOBUFS) {
			close(o->fd); /* syslogd restarted: reconnect */
			o->fd = -1;
		}
		return;
	}
	o->lines++;
}

void sesslog_out_line(struct sesslog_out *o, const char *line, size_t n)
{
	static const char tag[] = " fwd[info] "; /* log_msg's prefix */
	size_t need = n + sizeof(tag) + 32;
	char *p;

	if (o->syslog) {
		send_syslog(o, line, n);
		return;
	}
	if (o->len + need > sizeof(o->buf)) {
		flush_stream(o);
		if (o->len + need > sizeof(o->buf)) {
			o->dropped++;
			return;
		}
	}
	p = o->buf + o->len;
	p += stamp(o, p, 32, false);
	memcpy(p, tag, sizeof(tag) - 1);
	p += sizeof(tag) - 1;
	memcpy(p, line, n);
	p += n;
	*p++ = '\n';
	o->len = (size_t)(p - o->buf);
	o->lines++;
	if (!loop_timer_armed(&o->flush))
		loop_timer_at(o->loop, &o->flush, o->loop->now_ms + FLUSH_MS);
}

void sesslog_out_close(struct sesslog_out *o)
{
	if (!o->loop)
		return;
	loop_timer_cancel(o->loop, &o->flush);
	if (o->fd >= 0 && !o->syslog)
		flush_stream(o);
	if (o->fd > STDERR_FILENO)
		close(o->fd);
	o->fd = -1;
}
