/*
 * common/ctl.c's ownership rule (issue 18 item 1): no ctl_* call frees a
 * client; a dropped client stays readable until the reap step at the next
 * loop iteration, and on_close runs there, never inside ctl_send. Real
 * unix sockets in a temporary directory, driven by the real loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "loop.h"
#include "pidlock.h"

struct fixture {
	struct loop loop;
	struct ctl_server srv;
	struct loop_timer stop;
	char dir[64], path[108];
	struct ctl_client *fwd; /* like vrrpd's d->fwd.client */
	unsigned closes, closes_in_hello, hellos, uid_after_send;
	bool gone_after_send;
	char hello_reply[200];
};

static void on_line(struct ctl_client *c, char *line, void *arg)
{
	struct fixture *f = arg;

	if (strcmp(line, "ping") == 0) {
		ctl_send(c, "{\"ok\":true}\n", 12);
		return;
	}
	if (strcmp(line, "hello") == 0) {
		/* what fwdlink_hello does: keep the client, reply, then log
		 * its uid */
		unsigned before = f->closes;

		f->fwd = c;
		f->hellos++;
		ctl_client_reserve(c); /* as vrrpd's control.c does */
		ctl_send(c, f->hello_reply, sizeof(f->hello_reply));
		f->uid_after_send = (unsigned)c->uid; /* was a UAF */
		f->gone_after_send = ctl_client_gone(c);
		f->closes_in_hello = f->closes - before;
	}
}

static void on_close(struct ctl_client *c, void *arg)
{
	struct fixture *f = arg;

	f->closes++;
	if (f->fwd == c)
		f->fwd = NULL;
}

static void stop_cb(struct loop *loop, struct loop_timer *t)
{
	(void)t;
	loop_stop(loop);
}

/* Runs the loop for about ms milliseconds. */
static void pump(struct fixture *f, int ms)
{
	loop_timer_in(&f->loop, &f->stop, ms);
	loop_run(&f->loop);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_ctl.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/s.sock", f->dir);
	assert_int_equal(loop_init(&f->loop), 0);
	loop_timer_init(&f->stop, stop_cb, f);
	assert_int_equal(
	    ctl_server_open(&f->srv, &f->loop, f->path, on_line, on_close, f),
	    0);
	memset(f->hello_reply, ' ', sizeof(f->hello_reply));
	f->hello_reply[sizeof(f->hello_reply) - 1] = '\n';
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ctl_server_close(&f->srv);
	loop_timer_cancel(&f->loop, &f->stop);
	loop_free(&f->loop);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* Sends all of buf, pumping the loop while the socket is full. */
static void send_all(struct fixture *f, int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			assert_int_equal(errno, EAGAIN);
			pump(f, 5);
			continue;
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* Unread replies queued for the one client, or 0. */
static size_t queued(const struct fixture *f)
{
	return f->srv.clients ? f->srv.clients->out.len : 0;
}

/*
 * Issue 18 item 1: pings whose replies are never read, until the queue is
 * just short of CTL_MAX_OUT; then hello, whose reply overflows it.
 */
static void test_flood_then_hello(void **state)
{
	struct fixture *f = *state;
	int fd, small = 4096;
	char batch[1000 * 5];
	size_t i;

	for (i = 0; i < sizeof(batch); i += 5)
		memcpy(batch + i, "ping\n", 5);
	fd = connect_to(f->path);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	pump(f, 5);
	while (queued(f) <= CTL_MAX_OUT - 150) {
		size_t gap = CTL_MAX_OUT - queued(f);
		size_t pings = gap > 20000 ? 1000 : gap > 1500 ? 100 : 1;

		send_all(f, fd, batch, pings * 5);
		pump(f, 2);
		assert_int_equal(f->closes, 0);
	}
	send_all(f, fd, "hello\n", 6);
	pump(f, 20);

	assert_int_equal(f->hellos, 1);
	/* the reply overflowed: the client is dropped, but its memory and
	 * fields were still there for the caller */
	assert_true(f->gone_after_send);
	assert_int_equal(f->uid_after_send, (unsigned)getuid());
	/* on_close ran at the reap step, not inside ctl_send */
	assert_int_equal(f->closes_in_hello, 0);
	assert_int_equal(f->closes, 1);
	assert_null(f->fwd);
	assert_int_equal(f->srv.n_clients, 0);
	assert_null(f->srv.clients);
	assert_true(f->srv.stats.overflows >= 1);
	close(fd);
}

/* A client that hangs up is reaped, with on_close once. */
static void test_hangup_reaped(void **state)
{
	struct fixture *f = *state;
	int fd = connect_to(f->path);
	char buf[64];

	send_all(f, fd, "ping\nhello\n", 11);
	pump(f, 20);
	assert_int_equal(f->hellos, 1);
	assert_false(f->gone_after_send);
	assert_true(recv(fd, buf, sizeof(buf), 0) > 0);
	assert_non_null(f->fwd);
	close(fd);
	pump(f, 20);
	assert_int_equal(f->closes, 1);
	assert_null(f->fwd);
	assert_int_equal(f->srv.n_clients, 0);
}

/* Reads what is there; -1 when the server closed the connection. */
static int drain(int fd)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN))
		return -1;
	return n < 0 ? 0 : (int)n;
}

/* Issue 18 item 7: idle clients in every ordinary slot do not keep the
 * forwarder out, nor an operator's one request; a third one is refused. */
static void test_reserved_slot(void **state)
{
	struct fixture *f = *state;
	int idle[CTL_MAX_CLIENTS - 1], op, extra, fwd;
	size_t i;

	ctl_server_reserve(&f->srv, 1);
	for (i = 0; i < CTL_MAX_CLIENTS - 1; i++) {
		idle[i] = connect_to(f->path);
		pump(f, 1); /* the listen backlog is 16 */
	}
	pump(f, 10);
	assert_int_equal(f->srv.n_clients, CTL_MAX_CLIENTS - 1);

	/* an operator's status goes through on probation, then is closed */
	op = connect_to(f->path);
	send_all(f, op, "ping\n", 5);
	pump(f, 10);
	assert_true(drain(op) > 0);
	pump(f, 10);
	assert_int_equal(drain(op), -1);
	close(op);

	/* a silent one holds the probation slot; one more is refused */
	op = connect_to(f->path);
	pump(f, 10);
	extra = connect_to(f->path);
	pump(f, 10);
	assert_int_equal(drain(extra), -1);
	assert_int_equal(f->srv.stats.refused, 1);
	close(extra);
	close(op); /* the silent one goes: the slot is free again */
	pump(f, 10);

	/* the forwarder gets the reserved slot and keeps it */
	fwd = connect_to(f->path);
	send_all(f, fwd, "hello\n", 6);
	pump(f, 10);
	assert_int_equal(f->hellos, 1);
	assert_non_null(f->fwd);
	assert_true(f->fwd->reserved);
	assert_int_equal(f->srv.n_reserved, 1);
	assert_true(drain(fwd) > 0);
	pump(f, 10);
	assert_int_equal(drain(fwd), 0);
	assert_int_equal(f->srv.n_clients, CTL_MAX_CLIENTS);
	close(fwd);
	for (i = 0; i < CTL_MAX_CLIENTS - 1; i++)
		close(idle[i]);
}

/* Issue 18 item 2: a second taker is refused and told the holder's PID;
 * once the holder closes, the lock is free again. */
static void test_pidlock(void **state)
{
	struct fixture *f = *state;
	char sock[128], lock[140], text[32] = "";
	pid_t holder = -1;
	int fd, fd2;
	FILE *fp;

	snprintf(sock, sizeof(sock), "%s/sub/d.sock", f->dir);
	fd = pidlock_take(sock, &holder);
	assert_true(fd >= 0);
	assert_int_equal(pidlock_path(sock, lock, sizeof(lock)), 0);
	fp = fopen(lock, "r");
	assert_non_null(fp);
	assert_non_null(fgets(text, sizeof(text), fp));
	fclose(fp);
	assert_int_equal(atoi(text), (int)getpid());
	/* another open file description: flock conflicts even in-process */
	assert_int_equal(pidlock_take(sock, &holder), -EWOULDBLOCK);
	assert_int_equal(holder, getpid());
	close(fd);
	fd2 = pidlock_take(sock, &holder);
	assert_true(fd2 >= 0);
	close(fd2);
	unlink(lock);
	snprintf(lock, sizeof(lock), "%s/sub", f->dir);
	rmdir(lock);
}

/* Issue 18 item 2: a socket a live server answers on is not taken. */
static void test_live_socket_kept(void **state)
{
	struct fixture *f = *state;
	struct ctl_server other;
	struct stat st;

	assert_int_equal(
	    ctl_server_open(&other, &f->loop, f->path, on_line, on_close, f),
	    -EADDRINUSE);
	assert_int_equal(stat(f->path, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_flood_then_hello, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_hangup_reaped, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_reserved_slot, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_pidlock, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_live_socket_kept, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
