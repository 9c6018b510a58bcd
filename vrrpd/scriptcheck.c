#include "scriptcheck.h"

#include <errno.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/argv.h"

static const char *const path_dirs[] = {
    "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin",
    "/sbin",	       "/bin",		 NULL};

struct checker {
	const struct conf *c;
	struct conf_diag *diag;
	unsigned errors;
};

static void __attribute__((format(printf, 3, 4)))
problem(struct checker *k, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sbuf_printf(&k->diag->text, "%s:%d: %s\n", k->c->file, line, msg);
	k->diag->errors++;
	k->errors++;
}

static bool find_in_path(const char *name, char *out, size_t len)
{
	size_t i;

	for (i = 0; path_dirs[i]; i++) {
		snprintf(out, len, "%s/%s", path_dirs[i], name);
		if (access(out, F_OK) == 0)
			return true;
	}
	return false;
}

static bool executable_by(const struct stat *st, const struct passwd *pw)
{
	if (!pw || pw->pw_uid == 0)
		return st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH);
	if (st->st_uid == pw->pw_uid)
		return st->st_mode & S_IXUSR;
	if (st->st_gid == pw->pw_gid)
		return st->st_mode & S_IXGRP;
	return st->st_mode & S_IXOTH;
}

static void check_one(struct checker *k, int line, const char *what,
		      const char *cmd, const char *user)
{
	struct passwd *pw = NULL;
	char path[512];
	struct argv a;
	struct stat st;

	if (user) {
		pw = getpwnam(user);
		if (!pw) {
			problem(k, line,
				"%s: user '%s' does not exist; create it or "
				"name another user",
				what, user);
			return;
		}
	}
	if (argv_split(cmd, &a) < 0) {
		problem(k, line, "%s: cannot parse \"%s\" (unbalanced quotes?)",
			what, cmd);
		return;
	}
	if (a.shell) {
		/* the shell will report its own errors at run time */
		argv_free(&a);
		return;
	}
	if (strchr(a.v[0], '/')) {
		snprintf(path, sizeof(path), "%s", a.v[0]);
	} else if (!find_in_path(a.v[0], path, sizeof(path))) {
		problem(k, line,
			"%s: '%s' is not found in the script PATH "
			"(/usr/local/sbin:...:/bin); give its full path",
			what, a.v[0]);
		argv_free(&a);
		return;
	}
	if (stat(path, &st) < 0)
		problem(k, line, "%s: %s: %s", what, path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		problem(k, line, "%s: %s is not a regular file", what, path);
	else if (!executable_by(&st, pw))
		problem(k, line,
			"%s: %s is not executable%s%s; run: chmod %s %s", what,
			path, pw ? " by user " : "", pw ? user : "",
			pw && pw->pw_uid != 0 ? "a+x" : "+x", path);
	else if (st.st_mode & S_IWOTH)
		problem(k, line,
			"%s: %s is writable by any user, who could then run "
			"code as %s; run: chmod o-w %s",
			what, path, user ? user : "root", path);
	argv_free(&a);
}

/* Who scripts run as when nothing names a user: nobody if we are root. */
static const char *default_user(const struct conf *c)
{
	if (c->global.script_user)
		return c->global.script_user;
	return geteuid() == 0 && getpwnam("nobody") ? "nobody" : NULL;
}

unsigned script_check_all(const struct conf *c, struct conf_diag *diag)
{
	struct checker k = {c, diag, 0};
	const char *dflt = default_user(c);
	char what[160];
	size_t i;

	if (c->global.script_user && !getpwnam(c->global.script_user)) {
		sbuf_printf(&diag->text,
			    "%s:0: script_user '%s' does not exist; create it "
			    "or remove script_user\n",
			    c->file, c->global.script_user);
		diag->errors++;
		return 1;
	}
	for (i = 0; i < c->n_scripts; i++) {
		const struct conf_script *s = &c->scripts[i];

		snprintf(what, sizeof(what), "vrrp_script %s", s->name);
		check_one(&k, s->line, what, s->script,
			  s->user ? s->user : dflt);
	}
	for (i = 0; i < c->n_instances; i++) {
		const struct conf_instance *in = &c->instances[i];
		const struct {
			const char *key, *cmd;
		} n[] = {{"notify_master", in->notify_master},
			 {"notify_backup", in->notify_backup},
			 {"notify_fault", in->notify_fault},
			 {"notify_stop", in->notify_stop},
			 {"notify", in->notify}};
		size_t j;

		for (j = 0; j < sizeof(n) / sizeof(n[0]); j++) {
			if (!n[j].cmd)
				continue;
			snprintf(what, sizeof(what), "vrrp_instance %s: %s",
				 in->name, n[j].key);
			check_one(&k, in->line, what, n[j].cmd, dflt);
		}
	}
	return k.errors;
}
