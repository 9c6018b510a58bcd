/* The forwarder section's addresses: bind and server forms, ports that
 * follow the client's, HAProxy's wildcard binds. */
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

static void expect_errors(const char *text, const char *expected)
{
	conf_text_expect_all(text, CONF_FWD, expected);
}

static int port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET
			 ? ((const struct sockaddr_in *)ss)->sin_port
			 : ((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* The address forms alone: ranges, port-less and offset servers. */
static void test_addr_forms(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int lo, hi, off;
	bool follow;

	(void)state;
	assert_int_equal(
	    conf_addr_bind("198.18.0.50:60000-60010", &ss, &len, &lo, &hi), 0);
	assert_int_equal(lo, 60000);
	assert_int_equal(hi, 60010);
	assert_int_equal(port_of(&ss), 60000);
	assert_int_equal(
	    conf_addr_bind("[2001:db8::50]:80-81", &ss, &len, &lo, &hi), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(hi, 81);
	assert_int_equal(conf_addr_bind("198.18.0.50:443", &ss, &len, &lo, &hi),
			 0);
	assert_int_equal(lo, hi);
	assert_int_equal(
	    conf_addr_bind("198.18.0.50:1-1024", &ss, &len, &lo, &hi), 0);
	assert_int_equal(
	    conf_addr_bind("198.18.0.50:1-1025", &ss, &len, &lo, &hi), -E2BIG);
	assert_int_equal(
	    conf_addr_bind("198.18.0.50:90-80", &ss, &len, &lo, &hi), -ERANGE);
	assert_int_equal(conf_addr_bind("198.18.0.50", &ss, &len, &lo, &hi),
			 -EINVAL);
	assert_int_equal(conf_addr_bind("198.18.0.50:80-", &ss, &len, &lo, &hi),
			 -EINVAL);
	assert_int_equal(
	    conf_addr_bind("198.18.0.50:0-80", &ss, &len, &lo, &hi), -EINVAL);
	assert_int_equal(conf_addr_bind("x:80-81", &ss, &len, &lo, &hi),
			 -EINVAL);

	assert_int_equal(
	    conf_addr_server("198.18.0.21", &ss, &len, &follow, &off), 0);
	assert_true(follow);
	assert_int_equal(off, 0);
	assert_int_equal(port_of(&ss), 0);
	assert_int_equal(
	    conf_addr_server("198.18.0.21:+1000", &ss, &len, &follow, &off), 0);
	assert_true(follow);
	assert_int_equal(off, 1000);
	assert_int_equal(
	    conf_addr_server("198.18.0.21:-1000", &ss, &len, &follow, &off), 0);
	assert_int_equal(off, -1000);
	assert_int_equal(
	    conf_addr_server("[2001:db8::21]", &ss, &len, &follow, &off), 0);
	assert_true(follow);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(
	    conf_addr_server("[2001:db8::21]:+1", &ss, &len, &follow, &off), 0);
	assert_int_equal(off, 1);
	assert_int_equal(
	    conf_addr_server("198.18.0.21:4443", &ss, &len, &follow, &off), 0);
	assert_false(follow);
	assert_int_equal(port_of(&ss), 4443);
	assert_int_equal(
	    conf_addr_server("198.18.0.21:+", &ss, &len, &follow, &off),
	    -EINVAL);
	assert_int_equal(
	    conf_addr_server("198.18.0.21:+x", &ss, &len, &follow, &off),
	    -EINVAL);
	assert_int_equal(conf_addr_server("host", &ss, &len, &follow, &off),
			 -EINVAL);
	assert_int_equal(conf_addr_follow_port(443, 1000), 1443);
	assert_int_equal(conf_addr_follow_port(443, -443), -1);
	assert_int_equal(conf_addr_follow_port(65000, 1000), -1);
}

/* Seed 004's Exchange2010: one VIP, five ports, port-less servers. */
static void test_port_follow(void **state)
{
	struct conf_diag diag;
	struct conf *c;
	const struct conf_fwd_listen *l;

	(void)state;
	assert_int_equal(
	    load("forwarder = { listen = {\n"
		 "  ex = { bind = [ \"198.18.0.50:80\", \"198.18.0.50:443\",\n"
		 "                  \"198.18.0.50:135\",\n"
		 "                  \"198.18.0.50:60000-60001\" ];\n"
		 "    server = {\n"
		 "      cas1 = { address = \"198.18.0.21\"; check = { port = "
		 "80; }; };\n"
		 "      cas2 = { address = \"198.18.0.22:+1000\"; };\n"
		 "    }; };\n"
		 "  one = { bind = \"198.18.0.50:4443\";\n"
		 "    server = { a = { address = \"198.18.0.23:-1000\"; "
		 "check = {}; }; }; };\n"
		 "}; };\n",
		 &c, &diag),
	    0);
	assert_string_equal(sbuf_str(&diag.text), "");
	l = &c->fwd->listens[0];
	assert_int_equal(l->n_binds, 5);
	assert_int_equal(port_of(&l->binds[0].addr), 80);
	assert_int_equal(port_of(&l->binds[3].addr), 60000);
	assert_int_equal(port_of(&l->binds[4].addr), 60001);
	assert_int_equal(l->binds[4].line, 4);
	assert_true(l->servers[0].port_follow);
	assert_int_equal(l->servers[0].check.port, 80);
	assert_true(l->servers[1].port_follow);
	assert_int_equal(l->servers[1].port_offset, 1000);
	assert_false(l->servers[1].check.enabled);
	/* a single bind port: the check goes to the port it maps to */
	l = &c->fwd->listens[1];
	assert_int_equal(l->servers[0].port_offset, -1000);
	assert_int_equal(l->servers[0].check.port, 3443);
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
}

static void test_port_follow_errors(void **state)
{
	(void)state;
	expect_errors(
	    "forwarder = { listen = {\n"
	    "  ex = { bind = [ \"198.18.0.50:80\", \"198.18.0.50:443\" ];\n"
	    "    server = {\n"
	    "      a = { address = \"198.18.0.21\";\n"
	    "            check = { inter = \"5s\"; }; };\n"
	    "      b = { address = \"198.18.0.22:-100\"; };\n"
	    "      c = { address = \"198.18.0.23:+x\"; };\n"
	    "    }; };\n"
	    "  r = { bind = [ \"198.18.0.51:60010-60000\",\n"
	    "                 \"198.18.0.51:1000-2024\", \"198.18.0.51:7-\" "
	    "];\n"
	    "    server = { a = { address = \"198.18.0.21:1\"; }; }; };\n"
	    "}; };\n",
	    "%s:7: listen ex: server c: address \"198.18.0.23:+x\" is not "
	    "\"ip:port\", \"ip\" (the client's port) or \"ip:+N\" / "
	    "\"ip:-N\"\n"
	    "%s:5: listen ex: server a: check needs 'port': the address has "
	    "no port and the listen binds several ports (as HAProxy's "
	    "\"check port N\")\n"
	    "%s:6: listen ex: server b: bind port 80 -100 is outside "
	    "1..65535\n"
	    "%s:9: listen r: bind \"198.18.0.51:60010-60000\": the range "
	    "ends below its start (at most 1024 ports a range, each one is a "
	    "socket)\n"
	    "%s:10: listen r: bind \"198.18.0.51:1000-2024\": the range is "
	    "too long (at most 1024 ports a range, each one is a socket)\n"
	    "%s:10: listen r: bind \"198.18.0.51:7-\" is not \"ip:port\", "
	    "\"[ipv6]:port\" or \"ip:first-last\"\n");
	/* two listeners may not share a port of a range */
	expect_errors("forwarder = { listen = {\n"
		      "  a = { bind = \"127.0.0.1:8000-8009\"; server = { s = "
		      "{ address = \"127.0.0.1\"; }; }; };\n"
		      "  b = { bind = \"127.0.0.1:8009\"; server = { s = "
		      "{ address = \"127.0.0.1:1\"; }; }; };\n"
		      "}; };\n",
		      "%s:3: listen b: bind 127.0.0.1:8009 is already used by "
		      "listen a (line 2)\n");
}

/* HAProxy's wildcard binds: "*:443", ":443", "0.0.0.0:443", "[::]:443" */
static void test_wildcard_binds(void **state)
{
	struct conf_diag diag;
	struct conf *c;
	const struct conf_fwd_listen *l;
	char buf[80];

	(void)state;
	assert_int_equal(
	    load(
		"forwarder = { listen = {\n"
		"  a = { bind = [ \"*:443\", \"[::]:443\" ];\n"
		"        server = { s = { address = \"127.0.0.1:2\"; }; }; };\n"
		"  b = { bind = \":80\";\n"
		"        server = { s = { address = \"127.0.0.1:2\"; }; }; };\n"
		"  c = { bind = \"0.0.0.0:8080\";\n"
		"        server = { s = { address = \"127.0.0.1:2\"; }; }; };\n"
		"}; };\n",
		&c, &diag),
	    0);
	assert_string_equal(sbuf_str(&diag.text), "");
	l = c->fwd->listens;
	assert_int_equal(l[0].n_binds, 2);
	assert_string_equal(
	    sockaddr_str((const struct sockaddr *)&l[0].binds[0].addr, buf,
			 sizeof(buf)),
	    "0.0.0.0:443");
	assert_string_equal(
	    sockaddr_str((const struct sockaddr *)&l[1].binds[0].addr, buf,
			 sizeof(buf)),
	    "0.0.0.0:80");
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
	/* a wildcard and an address on the same port cannot both bind */
	expect_errors(
	    "forwarder = { listen = {\n"
	    "  a = { bind = \"*:443\";\n"
	    "        server = { s = { address = \"127.0.0.1:2\"; }; }; "
	    "};\n"
	    "  b = { bind = [ \"198.18.0.50:443\", \"198.18.0.50:80\" ];\n"
	    "        server = { s = { address = \"127.0.0.1:2\"; }; }; "
	    "};\n"
	    "}; };\n",
	    "%s:4: listen b: bind 198.18.0.50:443 is already used by "
	    "listen a (line 2)\n");
	/* "*:" and ":" want a port; a port too long is not one */
	expect_errors("forwarder = { listen = { a = { bind = [ \"*:\", "
		      "\"*:123456\" ];\n"
		      "  server = { s = { address = \"127.0.0.1:2\"; }; }; "
		      "}; }; };\n",
		      "%s:1: listen a: bind \"*:\" is not \"ip:port\", "
		      "\"[ipv6]:port\" or \"ip:first-last\"\n"
		      "%s:1: listen a: bind \"*:123456\" is not \"ip:port\", "
		      "\"[ipv6]:port\" or \"ip:first-last\"\n");

	/* the stats page takes the same wildcards (conf_fwd_wildcard) */
	assert_int_equal(
	    load("forwarder = { listen = { a = { bind = \"198.18.0.50:443\";\n"
		 "  server = { s = { address = \"127.0.0.1:2\"; }; }; }; };\n"
		 "  stats = { bind = \":8404\"; }; };\n",
		 &c, &diag),
	    0);
	assert_int_equal(port_of(&c->fwd->stats.addr), 8404);
	assert_int_equal(
	    ((struct sockaddr_in *)&c->fwd->stats.addr)->sin_addr.s_addr,
	    htonl(INADDR_ANY));
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
	expect_errors(
	    "forwarder = { listen = { a = { bind = \"198.18.0.50:1\";\n"
	    "  server = { s = { address = \"127.0.0.1:2\"; }; }; }; };\n"
	    "  stats = { bind = \"*:123456\"; }; };\n",
	    "%s:3: stats: bind \"*:123456\" is not \"ip:port\" or "
	    "\"[ipv6]:port\"\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addr_forms),
	    cmocka_unit_test(test_port_follow),
	    cmocka_unit_test(test_port_follow_errors),
	    cmocka_unit_test(test_wildcard_binds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
