/*
 * Child processes for track and notify scripts: fork/exec without a shell
 * when possible, as a configured user, with a clean environment, a time
 * limit, bounded output to the log, and reaping through SIGCHLD. Never
 * blocks the event loop.
 */
#ifndef VRRPD_PROC_H
#define VRRPD_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/argv.h"
#include "../common/loop.h"

#define PROC_LOG_MAX	    4096 /* bytes of output logged per run */
#define PROC_READS_PER_WAKE 16	 /* 64 KiB of a script's output per wake-up */
#define PROC_LOG_LINES	    20 /* and lines: a script printing `yes` costs 20 */

struct run_as {
	bool set; /* false: run as ourselves */
	uid_t uid;
	gid_t gid;
	char name[32];
};

/* Resolves a user name; 0 or -ENOENT. */
int proc_resolve_user(const char *name, struct run_as *out);
/* The default for scripts: "nobody" when it exists and we are root. */
void proc_default_user(struct run_as *out);

struct proc;
/* status: a wait status, or -1 when the time limit killed it. */
typedef void (*proc_done_cb)(struct proc *p, int status, void *arg);

/* The link to the script spawner process (privsep.c), when there is one:
 * then scripts are started there, and main only sends requests. */
struct proc_spawner {
	bool on;
	pid_t pid;
	struct loop_io io;
	uint32_t next_id;
};

struct procs {
	struct loop *loop;
	struct proc *list;
	uint64_t spawned, killed;
	struct proc_spawner sep;
};

struct proc {
	struct procs *ps;
	pid_t pid;
	uint32_t id; /* the spawner's request id */
	struct loop_io out;
	struct loop_timer deadline;
	char tag[96];
	char line[256];
	size_t line_len, logged, lines;
	bool capped; /* the rest of this run's output is not logged */
	bool timed_out;
	bool outlive; /* left running when the daemon exits (notify_stop) */
	bool kept;    /* runs under a keeper (keeper.h): all others */
	bool termed;  /* the keeper was asked to stop it */
	proc_done_cb done;
	void *arg;
	struct proc *next;
};

/* Keeps a spawner that privsep_start() attached before. */
int procs_init(struct procs *ps, struct loop *loop);
/* Kills (SIGKILL to the group) every child but those spawned with
 * PROC_OUTLIVE, and forgets them all; no callbacks. */
void procs_free(struct procs *ps);

/*
 * Running children carry their owner (a script, an instance) as callback
 * argument: when the owner moves (reload), the ones of from follow it to
 * to; with to NULL (the owner is gone) they are reaped with the result
 * unused.
 */
void procs_repoint(struct procs *ps, void *from, void *to);

/* The clean environment scripts run with. */
extern char *const proc_script_env[];

#define PROC_OUTLIVE 1u
/* A long-lived helper (vrrpd-mail): it keeps our stderr, runs with no
 * keeper and no time limit, and gets a descriptor as its fd 3. */
#define PROC_HELPER 2u

/* Starts a child (through the spawner when there is one); 0 or -errno.
 * The callback runs once, after reaping. */
int proc_spawn(struct procs *ps, const struct argv *argv,
	       const struct run_as *user, char *const env[], int64_t limit_ms,
	       unsigned flags, const char *tag, proc_done_cb done, void *arg);

/* Starts a PROC_HELPER child with fd as its descriptor 3 (through the
 * spawner when there is one, which then changes user); *out is the child
 * until it is reaped (set ->done to NULL to forget it). 0 or -errno. */
int proc_spawn_helper(struct procs *ps, const struct argv *argv,
		      const struct run_as *user, char *const env[], int fd,
		      const char *tag, proc_done_cb done, void *arg,
		      struct proc **out);

/* A wait status as words for the log: "exit 1", "signal 9", ... */
const char *proc_status_str(int status, char *buf, size_t len);

#endif
