#include "keeper.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop_asked;

static void on_term(int signo)
{
	(void)signo;
	stop_asked = 1;
}

/* The parent of pid, from /proc/PID/stat ("pid (comm) S ppid ..."), or
 * -1. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *rp, *end;
	long ppid;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	rp = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!rp || strlen(rp) < 4)
		return -1;
	ppid = strtol(rp + 4, &end, 10); /* past ") S " */
	return end == rp + 4 ? -1 : (pid_t)ppid;
}

/* SIGKILL to every child of ours. */
static void kill_children(void)
{
	pid_t self = getpid();
	struct dirent *e;
	DIR *dir = opendir("/proc");

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		char *end;
		pid_t pid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = (pid_t)strtol(e->d_name, &end, 10);
		if (*end || parent_of(pid) != self)
			continue;
		kill(pid, SIGKILL);
	}
	closedir(dir);
}

/* Exits as the script did. */
static void exit_like(int status)
{
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		kill(getpid(), WTERMSIG(status));
		_exit(128 + WTERMSIG(status));
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
}

void keeper_run(void (*start)(void *arg), void *arg, int note_fd)
{
	struct sigaction sa;
	sigset_t none;
	int status = 0, left = 0;
	bool reaped = false;
	pid_t script, pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term; /* no SA_RESTART: waitpid returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* none of the daemon's descriptors (its socket, its lock) may
	 * outlive it here */
	if (note_fd > 3)
		syscall(SYS_close_range, 3U, (unsigned)note_fd - 1, 0U);
	syscall(SYS_close_range, (unsigned)note_fd + 1, ~0U, 0U);
	prctl(PR_SET_NAME, "vrrpd-keeper", 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		dprintf(note_fd, "vrrpd: cannot become a subreaper: %s\n",
			strerror(errno));
	script = fork();
	if (script < 0)
		_exit(127);
	if (script == 0)
		start(arg);	 /* never returns */
	setpgid(script, script); /* no race with the kill of its group */
	while (!reaped) {
		if (stop_asked) /* the time limit */
			kill(-script, SIGKILL);
		pid = waitpid(script, &status, 0);
		if (pid == script)
			reaped = true;
		else if (pid < 0 && errno != EINTR)
			break;
	}
	/* its group, then whatever it left: orphans come to us; killing
	 * one may orphan its own children, so until none is left */
	kill(-script, SIGKILL);
	for (;;) {
		kill_children();
		pid = waitpid(-1, NULL, 0);
		if (pid > 0)
			left++;
		else if (errno == ECHILD)
			break;
	}
	if (left)
		dprintf(note_fd,
			"vrrpd: killed %d process(es) the script left running "
			"(a track script must not start daemons)\n",
			left);
	exit_like(status);
}
