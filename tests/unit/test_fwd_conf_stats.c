/* The forwarder section, continued (test_fwd_conf.c): the stats listener,
 * its admin list, and the control socket's owner and group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_text.h"
#include "conf_addr.h"
#include "conf_fwd.h"
#include "../common/parse.h"

static int load(const char *text, struct conf **c, struct conf_diag *diag)
{
	return conf_text_load(text, CONF_FWD, c, diag);
}

/* Asserts that text fails with exactly the expected lines ("%s" =
 * conf_text_path). */
static void expect_errors(const char *text, const char *expected)
{
	conf_text_expect_all(text, CONF_FWD, expected);
}

#define STATS_LISTEN                                                           \
	"  listen = { l = { bind = \"127.0.0.1:1\"; server = { s = { "         \
	"address = \"127.0.0.1:2\"; }; }; }; };\n"

static void test_stats(void **state)
{
	struct conf_diag diag;
	struct conf *c;
	const struct conf_fwd_stats *st;

	(void)state;
	assert_int_equal(load("forwarder = {\n" STATS_LISTEN
			      "  stats = { bind = \"198.18.0.10:8404\"; uri = "
			      "\"/stats\"; auth = \"admin:pa:ss\"; refresh = "
			      "\"2s\"; };\n};\n",
			      &c, &diag),
			 0);
	st = &c->fwd->stats;
	assert_true(st->enabled);
	assert_int_equal(st->line, 3);
	assert_int_equal(ntohs(((struct sockaddr_in *)&st->addr)->sin_port),
			 8404);
	assert_string_equal(st->uri, "/stats");
	assert_string_equal(st->auth, "admin:pa:ss");
	assert_int_equal(st->refresh_ms, 2000);
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
	/* defaults; and no stats section at all */
	assert_int_equal(load("forwarder = {\n" STATS_LISTEN
			      "  stats = { bind = \"127.0.0.1:8404\"; };\n};\n",
			      &c, &diag),
			 0);
	st = &c->fwd->stats;
	assert_true(st->enabled);
	assert_string_equal(st->uri, "/");
	assert_null(st->auth);
	assert_int_equal(st->refresh_ms, 5000);
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
	assert_int_equal(load("forwarder = {\n" STATS_LISTEN "};\n", &c, &diag),
			 0);
	assert_false(c->fwd->stats.enabled);
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
}

static void test_stats_errors(void **state)
{
	(void)state;
	expect_errors("forwarder = {\n" STATS_LISTEN
		      "  stats = { urii = \"/\"; };\n};\n",
		      "%s:3: unknown key 'urii' (did you mean 'uri'?)\n"
		      "%s:3: stats: 'bind' is required (\"ip:port\")\n");
	expect_errors(
	    "forwarder = {\n" STATS_LISTEN "  stats = {\n"
	    "    bind = \"127.0.0.1\";\n"
	    "    uri = \"stats?x\";\n"
	    "    auth = \"admin\";\n"
	    "    refresh = \"10ms\";\n"
	    "  };\n};\n",
	    "%s:4: stats: bind \"127.0.0.1\" is not \"ip:port\" or "
	    "\"[ipv6]:port\"\n"
	    "%s:5: stats: uri \"stats?x\" must be a path starting with '/' "
	    "(no spaces, '?', '#' or '%')\n"
	    "%s:6: stats: auth must be \"user:password\"\n"
	    "%s:7: 'refresh' is 10ms; must be 1000ms..86400000ms\n");
	expect_errors("forwarder = {\n" STATS_LISTEN
		      "  stats = { bind = \"127.0.0.1:1\"; };\n};\n",
		      "%s:3: stats: bind 127.0.0.1:1 is already used by "
		      "listen l (line 2)\n");
}

static void test_stats_admin(void **state)
{
	(void)state;
	expect_errors(
	    "forwarder = { listen = { l = { bind = \"127.0.0.1:1\";\n"
	    "  server = { a = { address = \"127.0.0.1:2\"; }; }; }; };\n"
	    "  stats = { bind = \"127.0.0.1:3\";\n"
	    "    admin = true; };\n"
	    "};\n",
	    "%s:4: stats: admin needs auth = \"user:password\" (its "
	    "buttons take servers out of rotation)\n");
}

/* fwd as a user, and vrrpd's socket not open to its group: -t says so */
static void test_control_socket_group(void **state)
{
	struct conf_diag diag;
	struct conf *c;

	(void)state;
	assert_int_equal(load("forwarder = {\n" STATS_LISTEN
			      "  control_socket_group = \"4243\";\n};\n",
			      &c, &diag),
			 0);
	assert_string_equal(c->fwd->control_socket_group, "4243");
	assert_int_equal(c->fwd->control_socket_gid, 4243);
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
	expect_errors("forwarder = {\n" STATS_LISTEN
		      "  control_socket_group = \"no-such-group-h5\";\n};\n",
		      "%s:3: group 'no-such-group-h5' does not exist on this "
		      "host\n");
}

/* listen.NAME.timeout overrides the forwarder's, key by key. */
/* fwd as a user, and vrrpd's socket not open to its group: -t says so */
static void test_user_relink(void **state)
{
	static const char fwd[] =
	    "forwarder = { user = \"nobody\"; listen = { l = {\n"
	    "  bind = \"127.0.0.1:1\"; server = { s = {\n"
	    "  address = \"127.0.0.1:2\"; }; }; }; }; };\n";
	const struct passwd *pw = getpwnam("nobody");
	const struct group *gr = pw ? getgrgid(pw->pw_gid) : NULL;
	struct conf_diag diag;
	struct conf *c;
	char text[512], want[512];

	(void)state;
	if (!gr)
		skip();
	assert_int_equal(load(fwd, &c, &diag), 0);
	snprintf(want, sizeof(want),
		 "%s:1: warning: fwd runs as user 'nobody' and cannot "
		 "reconnect to vrrpd's control socket /run/vrrpd/vrrpd.sock "
		 "(mode 0600, root's) after vrrpd restarts; set global_defs."
		 "control_socket_group = \"%s\"; (fwd's group)\n",
		 conf_text_path, gr->gr_name);
	assert_string_equal(sbuf_str(&diag.text), want);
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
	/* another group */
	snprintf(text, sizeof(text),
		 "global_defs = { control_socket_group = \"%u\"; };\n%s",
		 (unsigned)pw->pw_gid + 1, fwd);
	assert_int_equal(load(text, &c, &diag), 0);
	assert_non_null(strstr(sbuf_str(&diag.text),
			       "make global_defs.control_socket_group"));
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
	/* fwd's group: quiet */
	snprintf(text, sizeof(text),
		 "global_defs = { control_socket_group = \"%s\"; };\n%s",
		 gr->gr_name, fwd);
	assert_int_equal(load(text, &c, &diag), 0);
	assert_string_equal(sbuf_str(&diag.text), "");
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
}

/* forwarder.data_path (issue 20): default copy (the kernel path is
 * opt-in: docs/fwd-bench.md), the three words, and a
 * FILE:LINE error for anything else. */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stats),
	    cmocka_unit_test(test_stats_errors),
	    cmocka_unit_test(test_stats_admin),
	    cmocka_unit_test(test_control_socket_group),
	    cmocka_unit_test(test_user_relink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
