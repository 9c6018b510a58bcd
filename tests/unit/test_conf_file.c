/* The configuration file itself: syntax errors, a missing, odd or huge
 * file, the bounded reload parse, secrets readable by others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf_bound.h"
#include "conf_text.h"
#include "loop.h"

/* Asserts that loading text fails with exactly "FILE:line: msg". */
static void expect_error(const char *text, int line, const char *msg)
{
	conf_text_expect_error(text, CONF_VRRP, line, msg);
}

static void test_syntax_error(void **state)
{
	(void)state;
	expect_error("global_defs = {\n  router_id = \"x\";\n  oops;\n};\n", 3,
		     "syntax error: 'oops' has no value; write oops = VALUE;");
	/* the newcomer's traps: a bare keyword, a name starting with a
	 * digit; libconfig names the line after a bare key alone */
	expect_error(
	    "global_defs = {\n  smtp_alert\n  router_id = \"x\";\n};\n", 3,
	    "syntax error: line 2: 'smtp_alert' has no value; write "
	    "smtp_alert = true;");
	expect_error(
	    "vrrp_instance = {\n  50 = { interface = \"eth0\"; };\n};\n", 2,
	    "syntax error: the setting name '50' starts with a digit; "
	    "names start with a letter (write VI_50)");
	/* keepalived's own syntax is not libconfig: say where */
	expect_error("vrrp_instance VI_1 {\n  state MASTER\n}\n", 1,
		     "syntax error");
}

static void test_missing_file(void **state)
{
	struct conf_diag d;
	struct conf *c;

	(void)state;
	conf_diag_init(&d);
	assert_int_equal(
	    conf_load("/nonexistent/vrrpd.conf", CONF_VRRP, &c, &d), -1);
	assert_string_equal(sbuf_str(&d.text),
			    "/nonexistent/vrrpd.conf:0: cannot read file: No "
			    "such file or directory\n");
	assert_null(c);
	conf_diag_free(&d);
}

/* Issue 18 item 3: a FIFO in the file's place is refused without
 * blocking (open() used to wait for a writer), so is a file over 4 MiB. */
static void test_not_regular_or_too_big(void **state)
{
	char dir[] = "/tmp/test_conf.XXXXXX", path[64];
	struct conf_diag d;
	struct conf *c;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	conf_diag_init(&d);
	assert_int_equal(conf_load(path, CONF_VRRP, &c, &d), -1);
	assert_non_null(
	    strstr(sbuf_str(&d.text), ":0: not a regular file (a FIFO)"));
	conf_diag_free(&d);
	unlink(path);

	snprintf(path, sizeof(path), "%s/big.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, CONF_MAX_BYTES + 1), 0);
	close(fd);
	conf_diag_init(&d);
	assert_int_equal(conf_load(path, CONF_VRRP, &c, &d), -1);
	assert_non_null(strstr(sbuf_str(&d.text),
			       ":0: 4194305 bytes; a configuration may have at "
			       "most 4194304 (4 MiB)"));
	conf_diag_free(&d);
	unlink(path);
	rmdir(dir);
}

/* Issue 18 item 3: a file libconfig needs seconds for is refused within
 * the budget (a child parses it first); a normal one loads. */
static void test_load_bounded(void **state)
{
	char dir[] = "/tmp/test_conf.XXXXXX", path[64];
	struct conf_diag d;
	struct conf *c;
	int64_t t0, took;
	FILE *f;
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/slow.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("vrrp_script = {\n", f);
	for (i = 0; i < 60000; i++) /* about 12 s of libconfig */
		fprintf(f, "s%d={};", i);
	fputs("};\n", f);
	fclose(f);
	conf_diag_init(&d);
	t0 = mono_ms();
	assert_int_equal(conf_load_bounded(path, CONF_VRRP, 100, &c, &d), -1);
	took = mono_ms() - t0;
	assert_null(c);
	assert_non_null(strstr(sbuf_str(&d.text), "longer than 100 ms"));
	assert_true(took < 1000);
	conf_diag_free(&d);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("global_defs = { router_id = \"x\"; };\n", f);
	fclose(f);
	conf_diag_init(&d);
	assert_int_equal(conf_load_bounded(path, CONF_VRRP, 2000, &c, &d), 0);
	assert_non_null(c);
	conf_free(c);
	conf_diag_free(&d);
	unlink(path);
	rmdir(dir);
}

/* Loads text from a file of the given mode; returns the diag text. */
static char *load_mode(const char *text, mode_t mode, int *rc)
{
	struct conf_diag d;
	struct conf *c = NULL;
	char *msgs;

	conf_text_write(text);
	assert_int_equal(chmod(conf_text_path, mode), 0);
	conf_diag_init(&d);
	*rc = conf_load(conf_text_path, CONF_VRRP, &c, &d);
	msgs = strdup(sbuf_str(&d.text));
	conf_diag_free(&d);
	unlink(conf_text_path);
	conf_free(c);
	return msgs;
}

static void test_secret_readable(void **state)
{
	static const char *const secret[] = {
	    INSTANCE_HEAD "    authentication = { auth_type = \"PASS\";\n"
			  "      auth_pass = \"s3cret\"; };\n"
			  "    virtual_ipaddress = [ \"198.18.0.50/24\" ];\n"
			  "  };\n};\n",
	    "global_defs = {\n  smtp_password = \"pw\";\n};\n",
	    /* parenthesised: one element, for clang's -Wstring-concatenation */
	    ("forwarder = {\n  stats = { bind = \"127.0.0.1:8404\";\n"
	     "    auth = \"admin:pw\"; };\n};\n"),
	};
	static const int line[] = {6, 2, 3};
	char want[256];
	char *msgs;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		msgs = load_mode(secret[i], 0644, &rc);
		print_message("got: %s", msgs);
		assert_int_equal(rc, 0);
		snprintf(want, sizeof(want),
			 "%s:%d: warning: %s holds a secret", conf_text_path,
			 line[i], conf_text_path);
		assert_non_null(strstr(msgs, want));
		assert_non_null(strstr(msgs, "chmod 600"));
		free(msgs);
		/* not readable by others: no warning */
		msgs = load_mode(secret[i], 0640, &rc);
		assert_int_equal(rc, 0);
		assert_null(strstr(msgs, "holds a secret"));
		free(msgs);
	}
	/* readable, but nothing secret in it */
	msgs = load_mode("global_defs = { router_id = \"x\"; };\n", 0644, &rc);
	assert_null(strstr(msgs, "holds a secret"));
	free(msgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_syntax_error),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_not_regular_or_too_big),
	    cmocka_unit_test(test_load_bounded),
	    cmocka_unit_test(test_secret_readable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
