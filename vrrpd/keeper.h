/*
 * The keeper: a small process between the spawner and a track script, so
 * that nothing the script starts outlives it. It is a child subreaper, so
 * whatever the script leaves when it ends (a daemon it started in a
 * session of its own with setsid escapes any kill of its process group)
 * is reparented to the keeper, which kills and reaps all of it before it
 * exits with the script's status. Notify scripts run without one: their
 * daemons are allowed to stay (keepalived's habit).
 */
#ifndef VRRPD_KEEPER_H
#define VRRPD_KEEPER_H

/*
 * In a freshly forked child: forks again, runs start(arg) in the
 * grandchild (it must exec or _exit, in a process group of its own), waits
 * for it, then kills and reaps every descendant left. SIGTERM ends the
 * script early (its time limit). A note of what was killed goes to
 * note_fd (the script's output pipe). Never returns.
 */
void keeper_run(void (*start)(void *arg), void *arg, int note_fd);

#endif
