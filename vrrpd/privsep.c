#include "privsep.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/log.h"
#include "caps.h"
#include "spawnmsg.h"

struct spawner {
	struct loop loop;
	struct procs procs;
	struct loop_io io;
};

/* One running request: what to answer when its script is reaped. */
struct pending {
	struct spawner *sp;
	uint32_t id;
};

static void reply(struct spawner *sp, const struct spawn_rep *rep)
{
	uint8_t buf[sizeof(*rep)];
	int len = spawn_rep_encode(rep, buf, sizeof(buf));

	/* a SEQPACKET datagram goes whole or not at all; the main process
	 * drains its end at once, so blocking here is short */
	while (send(sp->io.fd, buf, (size_t)len, MSG_NOSIGNAL) < 0) {
		if (errno != EAGAIN && errno != EINTR)
			return;
		usleep(1000);
	}
}

static void script_done(struct proc *p, int status, void *arg)
{
	struct pending *pe = arg;
	struct spawn_rep rep;

	memset(&rep, 0, sizeof(rep));
	rep.id = pe->id;
	rep.pid = p->pid;
	rep.status = status == -1 ? 0 : status;
	rep.timed_out = status == -1;
	reply(pe->sp, &rep);
	free(pe);
}

static void handle_request(struct spawner *sp, const uint8_t *buf, size_t len,
			   int fd)
{
	struct spawn_req req;
	struct spawn_rep rep;
	struct run_as user;
	struct argv argv;
	struct pending *pe;
	int rc;

	if (spawn_req_decode(buf, len, &req) < 0) {
		log_err("script spawner: malformed request ignored");
		return;
	}
	memset(&user, 0, sizeof(user));
	user.set = req.user_set;
	user.uid = req.uid;
	user.gid = req.gid;
	snprintf(user.name, sizeof(user.name), "%s", req.user_name);
	argv.v = (char **)req.argv;
	argv.n = (int)req.argc;
	argv.shell = false;
	pe = malloc(sizeof(*pe));
	rc = pe ? 0 : -ENOMEM;
	if (pe) {
		pe->sp = sp;
		pe->id = req.id;
		rc = req.flags & PROC_HELPER
			 ? proc_spawn_helper(&sp->procs, &argv, &user,
					     (char *const *)req.env, fd,
					     req.tag, script_done, pe, NULL)
			 : proc_spawn(&sp->procs, &argv, &user,
				      (char *const *)req.env, req.limit_ms,
				      req.flags, req.tag, script_done, pe);
	}
	if (rc < 0) {
		free(pe);
		memset(&rep, 0, sizeof(rep));
		rep.id = req.id;
		rep.err = rc;
		reply(sp, &rep);
	}
}

/* One request, and the descriptor a helper request carries (vrrpd-mail's
 * end of its socketpair). */
static ssize_t recv_with_fd(int sock, uint8_t *buf, size_t cap, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	for (c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n;
}

static void on_request(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct spawner *sp = io->arg;
	uint8_t buf[SPAWN_MSG_MAX];

	(void)ev;
	for (;;) {
		int fd = -1;
		ssize_t n = recv_with_fd(io->fd, buf, sizeof(buf), &fd);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			/* the main process has gone: so do we */
			loop_stop(loop);
			return;
		}
		if (n < 0)
			return;
		handle_request(sp, buf, (size_t)n, fd);
		if (fd >= 0)
			close(fd); /* the helper has its copy */
	}
}

/* SIGTERM to the whole service (systemd) must not stop the spawner
 * before the main process has sent its last notify_stop request. */
static void on_ignored(struct loop *loop, int signo, void *arg)
{
	(void)loop;
	(void)signo;
	(void)arg;
}

static int spawner_run(int fd)
{
	static const cap_value_t keep[] = {CAP_SETUID, CAP_SETGID, CAP_KILL};
	/* not held, only allowed: a script may exec a binary with file
	 * capability cap_net_raw+ep (ping), which fails without it */
	static const cap_value_t bound[] = {CAP_NET_RAW};
	struct spawner sp;
	struct proc *p;
	int rc;

	memset(&sp, 0, sizeof(sp));
	prctl(PR_SET_NAME, "vrrpd-spawner", 0, 0, 0);
	rc = caps_limit(keep, 3, bound, 1);
	if (rc < 0) {
		log_err("script spawner: cannot drop capabilities: %s",
			strerror(-rc));
		return 1;
	}
	sp.io.fd = fd;
	sp.io.events = EPOLLIN;
	sp.io.cb = on_request;
	sp.io.arg = &sp;
	if ((rc = loop_init(&sp.loop)) < 0 ||
	    (rc = procs_init(&sp.procs, &sp.loop)) < 0 ||
	    (rc = loop_signal(&sp.loop, SIGTERM, on_ignored, &sp)) < 0 ||
	    (rc = loop_signal(&sp.loop, SIGINT, on_ignored, &sp)) < 0 ||
	    (rc = loop_signal(&sp.loop, SIGHUP, on_ignored, &sp)) < 0 ||
	    (rc = loop_io_add(&sp.loop, &sp.io)) < 0) {
		log_err("script spawner: %s", strerror(-rc));
		loop_free(&sp.loop);
		return 1;
	}
	rc = loop_run(&sp.loop);
	/* procs_free runs no callback: the pending requests go here */
	for (p = sp.procs.list; p; p = p->next)
		free(p->arg);
	procs_free(&sp.procs);
	loop_io_del(&sp.loop, &sp.io);
	loop_free(&sp.loop);
	return rc < 0 ? 1 : 0;
}

int privsep_start(struct procs *ps, struct conf *conf)
{
	int sv[2], rc;
	pid_t pid;

	if (geteuid() != 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = -errno;
		log_err("script spawner: socketpair: %s", strerror(-rc));
		return rc;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		log_err("script spawner: fork: %s", strerror(-rc));
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	if (pid == 0) {
		close(sv[0]);
		rc = spawner_run(sv[1]);
		close(sv[1]);
		conf_free(conf);
		exit(rc);
	}
	close(sv[1]);
	memset(&ps->sep, 0, sizeof(ps->sep));
	ps->sep.on = true;
	ps->sep.pid = pid;
	ps->sep.io.fd = sv[0];
	return 0;
}

void privsep_abort(struct procs *ps)
{
	if (!ps->sep.on)
		return;
	close(ps->sep.io.fd); /* end of file: the spawner exits */
	waitpid(ps->sep.pid, NULL, 0);
	ps->sep.on = false;
}
