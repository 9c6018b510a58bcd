/* The forwarder section's diff behind fwd's reload (and its start-up,
 * a reload from nothing): which sections and servers stay, and which
 * global changes the daemon must act on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_text.h"
#include "conf_fwd_diff.h"

/* Two listen sections: web (servers a, b) and db (server m). */
#define WEB(servers)                                                           \
	"    web = { bind = \"127.0.0.1:8080\"; server = { " servers " }; "    \
	"};\n"
#define DB                                                                     \
	"    db = { bind = \"127.0.0.1:3306\"; server = { m = { "              \
	"address = \"198.18.0.3:3306\"; }; }; };\n"
#define A "a = { address = \"198.18.0.1:80\"; };"
#define B "b = { address = \"198.18.0.2:80\"; };"

static struct conf *load(const char *globals, const char *listens)
{
	struct conf *c = NULL;
	char *text, *msgs;
	int rc;

	assert_true(asprintf(&text,
			     "forwarder = {\n%s  listen = {\n%s  };\n};\n",
			     globals, listens) > 0);
	msgs = conf_text_msgs(text, CONF_FWD, &rc, &c);
	free(text);
	if (rc < 0)
		fail_msg("%s", msgs);
	free(msgs);
	assert_non_null(c);
	assert_non_null(c->fwd);
	return c;
}

static void assert_tally(const struct conf_fwd_tally *t, unsigned kept,
			 unsigned added, unsigned removed)
{
	assert_int_equal(t->kept, kept);
	assert_int_equal(t->added, added);
	assert_int_equal(t->removed, removed);
}

/* Start-up: no old load, everything is added, nothing to act on. */
static void test_from_nothing(void **state)
{
	struct conf *n = load("", WEB(A B) DB);
	struct conf_fwd_change ch;

	(void)state;
	assert_int_equal(conf_fwd_change(NULL, n->fwd, &ch), 0);
	assert_int_equal(ch.n_old, 0);
	assert_tally(&ch.listens, 0, 2, 0);
	assert_tally(&ch.servers, 0, 3, 0);
	assert_false(ch.stats || ch.control_socket || ch.identity);
	conf_fwd_change_free(&ch);
	conf_free(n);
}

static void test_same(void **state)
{
	struct conf *o = load("", WEB(A B) DB), *n = load("", WEB(A B) DB);
	struct conf_fwd_change ch;

	(void)state;
	assert_int_equal(conf_fwd_change(o->fwd, n->fwd, &ch), 0);
	assert_tally(&ch.listens, 2, 0, 0);
	assert_tally(&ch.servers, 3, 0, 0);
	assert_int_equal(ch.lmap[0], 0);
	assert_int_equal(ch.lmap[1], 1);
	assert_int_equal(ch.smap[0][0], 0);
	assert_int_equal(ch.smap[0][1], 1);
	assert_false(ch.stats || ch.control_socket || ch.identity);
	conf_fwd_change_free(&ch);
	conf_free(o);
	conf_free(n);
}

/* Sections are matched by name, in any order; a removed section takes
 * its servers with it; servers are matched by name and address. */
static void test_sections_and_servers(void **state)
{
	struct conf *o = load("", WEB(A B) DB);
	struct conf *n =
	    load("", "    api = { bind = \"127.0.0.1:9000\"; "
		     "server = { " A
		     " }; };\n" WEB(B "c = { address = \"198.18.0.1:80\"; };"));
	struct conf_fwd_change ch;

	(void)state;
	assert_int_equal(conf_fwd_change(o->fwd, n->fwd, &ch), 0);
	assert_int_equal(ch.lmap[0], 1);     /* web moved to index 1 */
	assert_int_equal(ch.lmap[1], -1);    /* db removed */
	assert_int_equal(ch.smap[0][0], -1); /* a: renamed c */
	assert_int_equal(ch.smap[0][1], 0);  /* b stays, now first */
	assert_int_equal(ch.smap[1][0], -1); /* m: its section went */
	assert_tally(&ch.listens, 1, 1, 1);
	/* kept b; added api's a and web's c; removed web's a and db's m */
	assert_tally(&ch.servers, 1, 2, 2);
	conf_fwd_change_free(&ch);
	conf_free(o);
	conf_free(n);
}

/* Another address or port following is another server. */
static void test_server_address(void **state)
{
	struct conf *o = load("", WEB(A B));
	struct conf *n = load("", WEB("a = { address = \"198.18.0.1:81\"; };"
				      "b = { address = \"198.18.0.2\"; };"));
	struct conf_fwd_change ch;

	(void)state;
	assert_int_equal(conf_fwd_change(o->fwd, n->fwd, &ch), 0);
	assert_int_equal(ch.smap[0][0], -1);
	assert_int_equal(ch.smap[0][1], -1);
	assert_tally(&ch.servers, 0, 2, 2);
	assert_false(conf_fwd_server_same(&o->fwd->listens[0].servers[1],
					  &n->fwd->listens[0].servers[1]));
	assert_true(conf_fwd_server_same(&o->fwd->listens[0].servers[1],
					 &o->fwd->listens[0].servers[1]));
	conf_fwd_change_free(&ch);
	conf_free(o);
	conf_free(n);
}

/* The global keys the daemon acts on: each flag alone. */
static void test_globals(void **state)
{
	static const struct {
		const char *old, *new;
		bool stats, control_socket, identity;
	} rows[] = {
	    {"", "", false, false, false},
	    {"", "  stats = { bind = \"127.0.0.1:8404\"; };\n", true, false,
	     false},
	    {"  stats = { bind = \"127.0.0.1:8404\"; };\n",
	     "  stats = { bind = \"127.0.0.1:8404\"; uri = \"/s\"; };\n", true,
	     false, false},
	    {"  stats = { bind = \"127.0.0.1:8404\"; };\n",
	     "  stats = { bind = \"127.0.0.1:8405\"; };\n", true, false, false},
	    /* only the socket and uri count: the page reads the rest live */
	    {"  stats = { bind = \"127.0.0.1:8404\"; };\n",
	     "  stats = { bind = \"127.0.0.1:8404\"; refresh = \"5s\"; };\n",
	     false, false, false},
	    {"", "  control_socket = \"/tmp/other.sock\";\n", false, true,
	     false},
	    {"", "  user = \"root\";\n", false, false, true},
	    {"  user = \"root\";\n", "  user = \"nobody\";\n", false, false,
	     true},
	    {"  user = \"root\";\n", "  user = \"root\";\n", false, false,
	     false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct conf *o = load(rows[i].old, WEB(A));
		struct conf *n = load(rows[i].new, WEB(A));
		struct conf_fwd_change ch;

		assert_int_equal(conf_fwd_change(o->fwd, n->fwd, &ch), 0);
		if (ch.stats != rows[i].stats ||
		    ch.control_socket != rows[i].control_socket ||
		    ch.identity != rows[i].identity)
			fail_msg("row %zu: stats %d control_socket %d "
				 "identity %d",
				 i, ch.stats, ch.control_socket, ch.identity);
		assert_tally(&ch.servers, 1, 0, 0);
		conf_fwd_change_free(&ch);
		conf_free(o);
		conf_free(n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_from_nothing),
	    cmocka_unit_test(test_same),
	    cmocka_unit_test(test_sections_and_servers),
	    cmocka_unit_test(test_server_address),
	    cmocka_unit_test(test_globals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
