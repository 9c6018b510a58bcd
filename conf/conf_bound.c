#include "conf_bound.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

/* In the child: parse, say nothing, exit. Never returns. */
static void probe_child(const char *path, unsigned sections)
{
	struct conf_diag diag;
	struct conf *c = NULL;

	/* a killed daemon must not leave a parser running, nor one that
	 * holds its sockets or its lock */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	syscall(SYS_close_range, 3U, ~0U, 0U);
	conf_diag_init(&diag);
	conf_load(path, sections, &c, &diag);
	_exit(0);
}

/* Waits for pid up to budget_ms. 0 when it exited, -ETIMEDOUT (it is
 * killed and reaped) or -errno. */
static int probe_wait(pid_t pid, int budget_ms, int64_t *took_ms)
{
	int64_t start = mono_ms();
	struct timespec nap = {.tv_sec = 0, .tv_nsec = 2 * 1000 * 1000};

	for (;;) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		*took_ms = mono_ms() - start;
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (*took_ms >= budget_ms) {
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			return -ETIMEDOUT;
		}
		nanosleep(&nap, NULL);
	}
}

int conf_load_bounded(const char *path, unsigned sections, int budget_ms,
		      struct conf **out, struct conf_diag *diag)
{
	int64_t took = 0;
	pid_t pid;
	int rc;

	*out = NULL;
	pid = fork();
	if (pid == 0)
		probe_child(path, sections);
	if (pid < 0) {
		sbuf_printf(&diag->text,
			    "%s:0: warning: cannot fork to time the parse "
			    "(%s); parsing in the daemon\n",
			    path, strerror(errno));
		return conf_load(path, sections, out, diag);
	}
	rc = probe_wait(pid, budget_ms, &took);
	if (rc == -ETIMEDOUT) {
		sbuf_printf(&diag->text,
			    "%s:0: parsing takes longer than %d ms (libconfig "
			    "slows down with the square of the settings in "
			    "one group); not reloading, to keep advertising. "
			    "Split the big group, or restart the daemon to "
			    "load it\n",
			    path, budget_ms);
		diag->errors++;
		return -1;
	}
	return conf_load(path, sections, out, diag);
}
