#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/log.h"

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
	char buf[1024];
	ssize_t n, i;

	(void)loop;
	(void)ev;
	while ((n = read(io->fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			if (p->logged >= PROC_LOG_MAX) {
				if (p->logged++ == PROC_LOG_MAX) {
					out_flush_line(p);
					log_info("%s: (more output not logged)",
						 p->tag);
				}
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
	log_warn("%s: still running after its timeout; killing it", p->tag);
	p->timed_out = true;
	p->ps->killed++;
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
			if (p->pid == pid)
				break;
		if (p)
			proc_finish(p, status);
	}
}

int procs_init(struct procs *ps, struct loop *loop)
{
	memset(ps, 0, sizeof(*ps));
	ps->loop = loop;
	return loop_signal(loop, SIGCHLD, on_sigchld, ps);
}

void procs_free(struct procs *ps)
{
	while (ps->list) {
		struct proc *p = ps->list;

		if (!p->outlive) {
			kill(-p->pid, SIGKILL);
			waitpid(p->pid, NULL, 0);
		}
		p->done = NULL;
		proc_finish(p, 0);
	}
}

/* In the child: never returns. */
static void child_exec(const struct argv *argv, const struct run_as *user,
		       char *const env[], int out_fd)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	if (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(out_fd, STDERR_FILENO) < 0)
		_exit(126);
	{
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0 && devnull != STDIN_FILENO) {
			dup2(devnull, STDIN_FILENO);
			close(devnull);
		}
	}
	/* nothing of ours leaks into the script */
	syscall(SYS_close_range, 3U, ~0U, 0U);
	if (user->set && geteuid() == 0) {
		if (initgroups(user->name, user->gid) < 0 ||
		    setgid(user->gid) < 0 || setuid(user->uid) < 0) {
			dprintf(STDERR_FILENO, "cannot become user %s: %s\n",
				user->name, strerror(errno));
			_exit(126);
		}
	}
	if (chdir("/") < 0)
		_exit(126);
	execvpe(argv->v[0], argv->v, env);
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv->v[0],
		strerror(errno));
	_exit(127);
}

int proc_spawn(struct procs *ps, const struct argv *argv,
	       const struct run_as *user, char *const env[], int64_t limit_ms,
	       unsigned flags, const char *tag, proc_done_cb done, void *arg)
{
	struct proc *p = calloc(1, sizeof(*p));
	int pipefd[2], rc;

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
		close(pipefd[0]);
		fcntl(pipefd[1], F_SETFL, 0);
		child_exec(argv, user, env, pipefd[1]);
	}
	close(pipefd[1]);
	setpgid(p->pid, p->pid); /* no race with the kill of the group */
	p->ps = ps;
	snprintf(p->tag, sizeof(p->tag), "%s", tag);
	p->done = done;
	p->arg = arg;
	p->outlive = flags & PROC_OUTLIVE;
	p->out.fd = pipefd[0];
	p->out.events = EPOLLIN;
	p->out.cb = out_readable;
	p->out.arg = p;
	if (loop_io_add(ps->loop, &p->out) < 0) {
		close(p->out.fd);
		p->out.fd = -1;
	}
	loop_timer_init(&p->deadline, on_deadline, p);
	if (limit_ms > 0)
		loop_timer_in(ps->loop, &p->deadline, limit_ms);
	p->next = ps->list;
	ps->list = p;
	ps->spawned++;
	return 0;
}
