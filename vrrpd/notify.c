#include "notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "vrrpd.h"

const char *notify_state_str(enum vrrp_state s)
{
	return s == VRRP_STATE_INIT ? "STOP" : vrrp_state_str(s);
}

static void run_next(struct vrrp_instance *vi);

static void notify_done(struct proc *p, int status, void *arg)
{
	struct vrrp_instance *vi = arg;
	char what[32];

	vi->notify.running = false;
	vi->notify.runs++;
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		vi->notify.failures++;
		log_warn("%s: %s", p->tag,
			 proc_status_str(status, what, sizeof(what)));
	}
	run_next(vi);
}

static void run_next(struct vrrp_instance *vi)
{
	struct notify_queue *q = &vi->notify;

	while (!q->running && q->head) {
		struct notify_item *it = q->head;
		struct run_as user;
		struct argv argv;
		char tag[96];
		int rc;

		q->head = it->next;
		if (!q->head)
			q->tail = NULL;
		q->len--;
		snprintf(tag, sizeof(tag), "%s notify", vi->cfg->name);
		rc = argv_split(it->cmd, &argv);
		if (rc == 0)
			rc = script_user(vi->d->conf, &user);
		/* a notify script may hang: it gets a generous limit, so the
		 * queue cannot stall forever */
		if (rc == 0)
			rc = proc_spawn(&vi->d->procs, &argv, &user,
					proc_script_env, 60000, PROC_OUTLIVE,
					tag, notify_done, vi);
		if (rc < 0) {
			q->failures++;
			log_err("%s: cannot run notify script '%s': %s",
				vi->cfg->name, it->cmd, strerror(-rc));
		} else {
			q->running = true;
		}
		argv_free(&argv);
		free(it->cmd);
		free(it);
	}
}

static void enqueue(struct vrrp_instance *vi, char *cmd)
{
	struct notify_queue *q = &vi->notify;
	struct notify_item *it;

	if (!cmd)
		return;
	if (q->len >= NOTIFY_QUEUE_MAX) {
		q->dropped++;
		log_warn("%s: notify queue full; dropping '%s'", vi->cfg->name,
			 cmd);
		free(cmd);
		return;
	}
	it = calloc(1, sizeof(*it));
	if (!it) {
		free(cmd);
		return;
	}
	it->cmd = cmd;
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	q->len++;
}

void notify_transition(struct vrrp_instance *vi, enum vrrp_state to)
{
	const struct conf_instance *c = vi->cfg;
	const char *specific = NULL;
	char *cmd = NULL;

	switch (to) {
	case VRRP_STATE_MASTER:
		specific = c->notify_master;
		break;
	case VRRP_STATE_BACKUP:
		specific = c->notify_backup;
		break;
	case VRRP_STATE_FAULT:
		specific = c->notify_fault;
		break;
	case VRRP_STATE_INIT:
		specific = c->notify_stop;
		break;
	default:
		break;
	}
	if (specific)
		enqueue(vi, strdup(specific));
	if (c->notify &&
	    asprintf(&cmd, "%s INSTANCE %s %s %u", c->notify, c->name,
		     notify_state_str(to), vi->fsm.priority) >= 0)
		enqueue(vi, cmd);
	run_next(vi);
}

void notify_named(struct vrrp_instance *vi, const char *specific,
		  const char *type, const char *state)
{
	const struct conf_instance *c = vi->cfg;
	char *cmd = NULL;

	if (specific)
		enqueue(vi, strdup(specific));
	if (c->notify && asprintf(&cmd, "%s %s %s %s 0", c->notify, type,
				  c->name, state) >= 0)
		enqueue(vi, cmd);
	run_next(vi);
}

void notify_free(struct notify_queue *q)
{
	while (q->head) {
		struct notify_item *it = q->head;

		q->head = it->next;
		free(it->cmd);
		free(it);
	}
	q->tail = NULL;
	q->len = 0;
}
