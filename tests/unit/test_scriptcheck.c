/* Config-time script checks: each problem gets its FILE:LINE and fix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scriptcheck.h"

static char dir[64];

static char *make_file(const char *name, mode_t mode)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* Loads a config naming the given script for vrrp_script chk (line 2)
 * and returns the script-check output. */
static char *check_script(const char *script, const char *user)
{
	char conf[160], text[512];
	struct conf_diag d;
	struct conf *c;
	char *out;
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/test.conf", dir);
	snprintf(text, sizeof(text),
		 "global_defs = { script_user = \"%s\"; };\n"
		 "vrrp_script = { chk = { script = \"%s\"; }; };\n",
		 user, script);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	conf_diag_init(&d);
	assert_int_equal(conf_load(conf, CONF_VRRP, &c, &d), 0);
	script_check_all(c, &d);
	out = strdup(sbuf_str(&d.text));
	conf_diag_free(&d);
	conf_free(c);
	return out;
}

static void expect(const char *script, const char *user, const char *msg)
{
	char want[512];
	char *got = check_script(script, user);

	print_message("got: %s", got);
	if (msg) {
		snprintf(want, sizeof(want),
			 "%s/test.conf:2: vrrp_script chk: %s\n", dir, msg);
		assert_string_equal(got, want);
	} else {
		assert_string_equal(got, "");
	}
	free(got);
}

static void test_checks(void **state)
{
	char msg[512], path[128];

	(void)state;
	strcpy(dir, "/tmp/vrrpd-sc-XXXXXX");
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755);

	expect(make_file("good", 0755), "root", NULL);
	expect("/bin/true", "nobody", NULL);
	expect("killall -0 haproxy", "root", NULL); /* found in PATH */
	expect("pidof x || exit 1", "root", NULL);  /* the shell's problem */

	snprintf(path, sizeof(path), "%s", make_file("noexec", 0644));
	snprintf(msg, sizeof(msg),
		 "%s is not executable by user nobody; run: chmod a+x %s", path,
		 path);
	expect(path, "nobody", msg);

	snprintf(path, sizeof(path), "%s", make_file("userexec", 0744));
	snprintf(msg, sizeof(msg),
		 "%s is not executable by user nobody; run: chmod a+x %s", path,
		 path);
	expect(path, "nobody", msg);
	expect(path, "root", NULL);

	snprintf(path, sizeof(path), "%s", make_file("worldw", 0777));
	snprintf(msg, sizeof(msg),
		 "%s is writable by any user, who could then run code as root; "
		 "run: chmod o-w %s",
		 path, path);
	expect(path, "root", msg);

	snprintf(msg, sizeof(msg), "%s/missing: No such file or directory",
		 dir);
	snprintf(path, sizeof(path), "%s/missing", dir);
	expect(path, "root", msg);
	expect("no-such-command-here x", "root",
	       "'no-such-command-here' is not found in the script PATH "
	       "(/usr/local/sbin:...:/bin); give its full path");
	expect("/bin/true 'open", "root",
	       "cannot parse \"/bin/true 'open\" (unbalanced quotes?)");
}

static void test_missing_script_user(void **state)
{
	char *got;

	(void)state;
	got = check_script("/bin/true", "no-such-user-xyz");
	assert_non_null(strstr(got, "script_user 'no-such-user-xyz' does not "
				    "exist; create it or remove script_user"));
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checks),
	    cmocka_unit_test(test_missing_script_user),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	if (dir[0]) {
		char cmd[96];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			rc = 1;
	}
	return rc;
}
