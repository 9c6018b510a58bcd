#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/log.h"
#include "keeper.h"
#include "spawnmsg.h"

/* What scripts see: a fixed PATH, nothing of ours. */
char *const proc_script_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG=C", NULL};

int proc_resolve_user(const char *name, struct run_as *out)
{
	struct passwd *pw = getpwnam(name);

	memset(out, 0, sizeof(*out));
	if (!pw)
		return -ENOENT;
	out->set = true;
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	snprintf(out->name, sizeof(out->name), "%s", name);
	return 0;
}

void proc_default_user(struct run_as *out)
{
	memset(out, 0, sizeof(*out));
	if (geteuid() == 0)
		proc_resolve_user("nobody", out);
}

const char *proc_status_str(int status, char *buf, size_t len)
{
	if (status == -1)
		snprintf(buf, len, "timed out (killed)");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "status %d", status);
	return buf;
}

static void out_flush_line(struct proc *p)
{
	if (!p->line_len)
		return;
	p->line[p->line_len] = '\0';
	log_info("%s: %s", p->tag, p->line);
	p->line_len = 0;
	p->lines++;
}

static void out_close(struct proc *p)
{
	if (p->out.fd < 0)
		return;
	out_flush_line(p);
	loop_io_del(p->ps->loop, &p->out);
	close(p->out.fd);
	p->out.fd = -1;
}

static void out_readable(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct proc *p = io->arg;
	char buf[4096];
	ssize_t n = 0, i;
	int reads = 0;

	(void)loop;
	(void)ev;
	/* bounded per wake-up (level-triggered: the rest comes next turn),
	 * so a script that prints without end cannot keep the loop here
	 * while other scripts' timers and exits wait */
	while (reads++ < PROC_READS_PER_WAKE &&
	       (n = read(io->fd, buf, sizeof(buf))) > 0) {
		if (p->capped)
			continue; /* drained, not logged */
		for (i = 0; i < n && !p->capped; i++) {
			if (p->logged >= PROC_LOG_MAX ||
			    p->lines >= PROC_LOG_LINES) {
				p->capped = true;
				out_flush_line(p);
				log_info("%s: (more output not logged)",
					 p->tag);
				continue;
			}
			p->logged++;
			if (buf[i] == '\n' ||
			    p->line_len == sizeof(p->line) - 1) {
				out_flush_line(p);
				if (buf[i] == '\n')
					continue;
			}
			p->line[p->line_len++] = buf[i];
		}
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		out_close(p);
}

static void proc_unlink(struct proc *p)
{
	struct proc **pp;

	for (pp = &p->ps->list; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			return;
		}
	}
}

static void proc_finish(struct proc *p, int status)
{
	/* what the child wrote before it exited is still in the pipe */
	if (p->out.fd >= 0)
		out_readable(p->ps->loop, &p->out, EPOLLIN);
	out_close(p);
	loop_timer_cancel(p->ps->loop, &p->deadline);
	proc_unlink(p);
	if (p->done)
		p->done(p, p->timed_out ? -1 : status, p->arg);
	free(p);
}

static void on_deadline(struct loop *loop, struct loop_timer *t)
{
	struct proc *p = t->arg;

	(void)loop;
	if (p->kept && !p->termed) {
		log_warn("%s: still running after its timeout; killing it",
			 p->tag);
		p->timed_out = true;
		p->ps->killed++;
		/* the keeper kills the script and all it started; should it
		 * not be gone in a second, its group is */
		p->termed = true;
		kill(p->pid, SIGTERM);
		loop_timer_in(p->ps->loop, &p->deadline, 1000);
		return;
	}
	if (!p->timed_out) {
		log_warn("%s: still running after its timeout; killing it",
			 p->tag);
		p->timed_out = true;
		p->ps->killed++;
	}
	/* the whole group: a script's own children go too */
	kill(-p->pid, SIGKILL);
}

static void on_sigchld(struct loop *loop, int signo, void *arg)
{
	struct procs *ps = arg;
	pid_t pid;
	int status;

	(void)loop;
	(void)signo;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct proc *p;

		for (p = ps->list; p; p = p->next)
			/* false positive: p is unlinked before free;
			 * NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
			if (p->pid == pid)
				break;
		if (p)
			proc_finish(p, status);
	}
}

/* The spawner is gone: what it ran is lost, later scripts run here (and
 * fail to change user, having no CAP_SETUID). */
static void sep_lost(struct procs *ps)
{
	struct proc *p, *next;

	log_err("the script spawner (pid %d) is gone; scripts that change "
		"user will fail until vrrpd restarts",
		(int)ps->sep.pid);
	loop_io_del(ps->loop, &ps->sep.io);
	close(ps->sep.io.fd);
	ps->sep.io.fd = -1;
	ps->sep.on = false;
	for (p = ps->list; p; p = next) {
		next = p->next;
		if (p->id)
			proc_finish(p, W_EXITCODE(126, 0));
	}
}

static void sep_reply(struct procs *ps, const struct spawn_rep *rep)
{
	struct proc *p;

	for (p = ps->list; p; p = p->next)
		if (p->id == rep->id)
			break;
	if (!p)
		return;
	p->pid = rep->pid;
	if (rep->err) {
		log_err("%s: cannot start: %s", p->tag, strerror(-rep->err));
		proc_finish(p, W_EXITCODE(127, 0));
		return;
	}
	if (rep->timed_out) {
		p->timed_out = true;
		ps->killed++;
	}
	proc_finish(p, rep->status);
}

static void sep_readable(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct procs *ps = io->arg;
	uint8_t buf[SPAWN_MSG_MAX];
	struct spawn_rep rep;

	(void)loop;
	(void)ev;
	for (;;) {
		ssize_t n = recv(io->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			sep_lost(ps);
			return;
		}
		if (n < 0)
			return;
		if (spawn_rep_decode(buf, (size_t)n, &rep) == 0)
			sep_reply(ps, &rep);
	}
}

int procs_init(struct procs *ps, struct loop *loop)
{
	struct proc_spawner sep = ps->sep;
	int rc;

	memset(ps, 0, sizeof(*ps));
	ps->loop = loop;
	ps->sep = sep;
	rc = loop_signal(loop, SIGCHLD, on_sigchld, ps);
	if (rc < 0 || !ps->sep.on)
		return rc;
	ps->sep.io.events = EPOLLIN;
	ps->sep.io.cb = sep_readable;
	ps->sep.io.arg = ps;
	return loop_io_add(loop, &ps->sep.io);
}

static void orphan_done(struct proc *p, int status, void *arg)
{
	(void)p;
	(void)status;
	(void)arg;
}

void procs_repoint(struct procs *ps, void *from, void *to)
{
	struct proc *p;

	for (p = ps->list; p; p = p->next)
		if (p->arg == from) {
			p->arg = to;
			if (!to)
				p->done = orphan_done;
		}
}

void procs_free(struct procs *ps)
{
	if (ps->sep.on) {
		/* end of file tells the spawner to kill what it runs (but
		 * PROC_OUTLIVE scripts) and exit */
		loop_io_del(ps->loop, &ps->sep.io);
		close(ps->sep.io.fd);
		ps->sep.io.fd = -1;
		ps->sep.on = false;
		waitpid(ps->sep.pid, NULL, 0);
	}
	while (ps->list) {
		struct proc *p = ps->list;

		/* false positive: proc_finish() unlinks p before freeing it;
		 * NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
		if (!p->outlive && !p->id) {
			/* a keeper takes what the script started along */
			kill(p->kept ? p->pid : -p->pid,
			     p->kept ? SIGTERM : SIGKILL);
			waitpid(p->pid, NULL, 0);
		}
		p->done = NULL;
		proc_finish(p, 0);
	}
}

/* A helper's descriptor to fd 3, open across execve; the rest is closed
 * below. 0 or -1. */
static int child_pass_fd(int fd)
{
	if (fd == 3)
		return fcntl(3, F_SETFD, 0);
	return dup2(fd, 3) < 0 ? -1 : 0;
}

/* Nothing permitted, effective, inheritable or ambient, and no way back.
 * 0 or -1. */
static int helper_drop_caps(void)
{
	cap_t none = cap_init();
	int rc = none && cap_set_proc(none) == 0 ? 0 : -1;

	cap_free(none);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		rc = -1;
	return rc;
}

/* In the child: never returns. */
static void child_exec(const struct argv *argv, const struct run_as *user,
		       char *const env[], int out_fd, int pass_fd)
{
	sigset_t none;
	int exe = -1;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	setpgid(0, 0);
	/* a helper logs to our stderr, as we do */
	if (pass_fd >= 0 ? child_pass_fd(pass_fd) < 0
			 : dup2(out_fd, STDOUT_FILENO) < 0 ||
			       dup2(out_fd, STDERR_FILENO) < 0)
		_exit(126);
	{
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0 && devnull != STDIN_FILENO) {
			dup2(devnull, STDIN_FILENO);
			close(devnull);
		}
	}
	/* nothing of ours leaks into the script */
	syscall(SYS_close_range, pass_fd >= 0 ? 4U : 3U, ~0U, 0U);
	/* a helper's executable is opened while still root and run by its
	 * descriptor: a build tree under a directory its user may not enter
	 * (/root/src/..., mode 0700) still runs; the file's own mode is
	 * checked at exec as usual */
	if (pass_fd >= 0 && argv->v[0][0] == '/')
		exe = open(argv->v[0], O_PATH | O_CLOEXEC);
	if (user->set && geteuid() == 0) {
		/* from root to the user: setuid() clears every capability */
		if (initgroups(user->name, user->gid) < 0 ||
		    setgid(user->gid) < 0 || setuid(user->uid) < 0) {
			dprintf(STDERR_FILENO, "cannot become user %s: %s\n",
				user->name, strerror(errno));
			_exit(126);
		}
	}
	/* a helper gains nothing at exec: vrrpd may start it before it drops
	 * its capabilities, and when not root those are ambient ones, which
	 * an exec would keep */
	if (pass_fd >= 0 && helper_drop_caps() < 0)
		_exit(126);
	if (chdir("/") < 0)
		_exit(126);
	if (exe >= 0)
		fexecve(exe, argv->v, env);
	execvpe(argv->v[0], argv->v, env);
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv->v[0],
		strerror(errno));
	_exit(127);
}

struct exec_args {
	const struct argv *argv;
	const struct run_as *user;
	char *const *env;
	int out_fd;
};

static void exec_start(void *arg)
{
	const struct exec_args *a = arg;

	child_exec(a->argv, a->user, a->env, a->out_fd, -1);
}

static struct proc *proc_new(struct procs *ps, unsigned flags, const char *tag,
			     proc_done_cb done, void *arg)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->ps = ps;
	p->out.fd = -1;
	snprintf(p->tag, sizeof(p->tag), "%s", tag);
	p->done = done;
	p->arg = arg;
	p->outlive = flags & PROC_OUTLIVE;
	loop_timer_init(&p->deadline, on_deadline, p);
	return p;
}

/* Asks the spawner to run it; the reply finishes it (sep_reply). */
/* The request, with fd (>= 0) along as SCM_RIGHTS. */
static ssize_t send_with_fd(int sock, const void *buf, size_t len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;

	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL);
}

static int spawn_remote(struct procs *ps, const struct argv *argv,
			const struct run_as *user, char *const env[],
			int64_t limit_ms, unsigned flags, const char *tag,
			proc_done_cb done, void *arg, int pass_fd,
			struct proc **out)
{
	struct spawn_req req = {0};
	uint8_t buf[SPAWN_MSG_MAX];
	struct proc *p;
	int len, i;

	if (argv->n < 1 || argv->n > SPAWN_MAX_ARGS)
		return -E2BIG;
	req.id = ++ps->sep.next_id ? ps->sep.next_id : ++ps->sep.next_id;
	req.flags = flags;
	req.limit_ms = limit_ms;
	req.user_set = user->set;
	req.uid = user->uid;
	req.gid = user->gid;
	req.tag = tag;
	req.user_name = user->name;
	req.argc = (size_t)argv->n;
	for (i = 0; i < argv->n; i++)
		req.argv[i] = argv->v[i];
	for (i = 0; env[i]; i++) {
		if (i >= SPAWN_MAX_ENV)
			return -E2BIG;
		req.env[i] = env[i];
	}
	req.envc = (size_t)i;
	len = spawn_req_encode(&req, buf, sizeof(buf));
	if (len < 0)
		return len;
	p = proc_new(ps, flags, tag, done, arg);
	if (!p)
		return -ENOMEM;
	if (send_with_fd(ps->sep.io.fd, buf, (size_t)len, pass_fd) != len) {
		int rc = -errno;

		free(p);
		return rc;
	}
	if (out)
		*out = p;
	p->id = req.id;
	p->next = ps->list;
	ps->list = p;
	ps->spawned++;
	return 0;
}

static int spawn(struct procs *ps, const struct argv *argv,
		 const struct run_as *user, char *const env[], int64_t limit_ms,
		 unsigned flags, const char *tag, proc_done_cb done, void *arg,
		 int pass_fd, struct proc **out)
{
	struct proc *p;
	int pipefd[2], rc;

	if (ps->sep.on)
		return spawn_remote(ps, argv, user, env, limit_ms, flags, tag,
				    done, arg, pass_fd, out);
	p = proc_new(ps, flags, tag, done, arg);
	if (!p)
		return -ENOMEM;
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0) {
		rc = -errno;
		free(p);
		return rc;
	}
	p->pid = fork();
	if (p->pid < 0) {
		rc = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		free(p);
		return rc;
	}
	if (p->pid == 0) {
		struct exec_args a = {argv, user, env, pipefd[1]};

		close(pipefd[0]);
		fcntl(pipefd[1], F_SETFL, 0);
		/* a notify script may leave a daemon (keepalived's habit); a
		 * track script runs every few seconds, and may not */
		if (!(flags & (PROC_OUTLIVE | PROC_HELPER)))
			keeper_run(exec_start, &a, pipefd[1]);
		child_exec(argv, user, env, pipefd[1],
			   flags & PROC_HELPER ? pass_fd : -1);
	}
	p->kept = !(flags & (PROC_OUTLIVE | PROC_HELPER));
	close(pipefd[1]);
	setpgid(p->pid, p->pid); /* no race with the kill of the group */
	p->out.fd = pipefd[0];
	p->out.events = EPOLLIN;
	p->out.cb = out_readable;
	p->out.arg = p;
	if (loop_io_add(ps->loop, &p->out) < 0) {
		close(p->out.fd);
		p->out.fd = -1;
	}
	if (limit_ms > 0)
		loop_timer_in(ps->loop, &p->deadline, limit_ms);
	p->next = ps->list;
	ps->list = p;
	ps->spawned++;
	if (out)
		*out = p;
	return 0;
}

int proc_spawn(struct procs *ps, const struct argv *argv,
	       const struct run_as *user, char *const env[], int64_t limit_ms,
	       unsigned flags, const char *tag, proc_done_cb done, void *arg)
{
	return spawn(ps, argv, user, env, limit_ms, flags & ~PROC_HELPER, tag,
		     done, arg, -1, NULL);
}

int proc_spawn_helper(struct procs *ps, const struct argv *argv,
		      const struct run_as *user, char *const env[], int fd,
		      const char *tag, proc_done_cb done, void *arg,
		      struct proc **out)
{
	return spawn(ps, argv, user, env, 0, PROC_HELPER, tag, done, arg, fd,
		     out);
}
