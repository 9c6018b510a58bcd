/* The forwarder section: values, defaults and exact FILE:LINE errors. */
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

static const char full[] =
    "forwarder = {\n"
    "  control_socket = \"/tmp/x.sock\";\n"
    "  maxconn = 40000;\n"
    "  grace = \"5s\";\n"
    "  shutdown_sessions_on_down = true;\n"
    "  timeout = { connect = \"10s\"; client = \"1m\"; server = \"30s\"; "
    "check = \"700ms\"; };\n"
    "  listen = {\n"
    "    web_ext = {\n"
    "      bind = [ \"198.18.0.50:443\", \"[2001:db8::50]:443\" ];\n"
    "      balance = \"leastconn\";\n"
    "      stick = { on = \"src\"; expire = \"30m\"; size = 100000; };\n"
    "      retries = 2; redispatch = true; maxconn = 30000;\n"
    "      server = {\n"
    "        fe01 = { address = \"198.18.0.21:4443\"; weight = 3;\n"
    "                 check = { port = 80; inter = \"5s\"; rise = 2; "
    "fall = 3; }; };\n"
    "        fe02 = { address = \"198.18.0.22:4443\"; backup = true; "
    "disabled = true; };\n"
    "      };\n"
    "    };\n"
    "    smtp = { bind = \"127.0.0.1:25\"; server = { a = { address = "
    "\"127.0.0.1:2525\"; }; }; };\n"
    "  };\n"
    "};\n";

static void test_full(void **state)
{
	struct conf_diag diag;
	struct conf *c;
	const struct conf_fwd *f;
	const struct conf_fwd_listen *l;
	const struct conf_fwd_server *s;

	(void)state;
	assert_int_equal(load(full, &c, &diag), 0);
	assert_string_equal(sbuf_str(&diag.text), "");
	f = c->fwd;
	assert_non_null(f);
	assert_string_equal(f->control_socket, "/tmp/x.sock");
	assert_int_equal(f->maxconn, 40000);
	assert_int_equal(f->grace_ms, 5000);
	assert_true(f->shutdown_sessions_on_down);
	assert_int_equal(f->timeout_connect_ms, 10000);
	assert_int_equal(f->timeout_client_ms, 60000);
	assert_int_equal(f->timeout_server_ms, 30000);
	assert_int_equal(f->timeout_check_ms, 700);
	assert_int_equal(f->n_listens, 2);
	l = &f->listens[0];
	assert_string_equal(l->name, "web_ext");
	assert_int_equal(l->n_binds, 2);
	assert_int_equal(l->binds[0].addr.ss_family, AF_INET);
	assert_int_equal(l->binds[1].addr.ss_family, AF_INET6);
	assert_int_equal(l->balance, CONF_BALANCE_LEASTCONN);
	assert_true(l->stick);
	assert_int_equal(l->stick_expire_ms, 1800000);
	assert_int_equal(l->stick_size, 100000);
	assert_int_equal(l->retries, 2);
	assert_true(l->redispatch);
	assert_int_equal(l->maxconn, 30000);
	assert_int_equal(l->n_servers, 2);
	s = &l->servers[0];
	assert_string_equal(s->name, "fe01");
	assert_int_equal(ntohs(((struct sockaddr_in *)&s->addr)->sin_port),
			 4443);
	assert_int_equal(s->weight, 3);
	assert_true(s->check.enabled);
	assert_int_equal(s->check.port, 80);
	assert_int_equal(s->check.inter_ms, 5000);
	assert_int_equal(s->check.rise, 2);
	assert_int_equal(s->check.fall, 3);
	s = &l->servers[1];
	assert_true(s->backup);
	assert_true(s->disabled);
	assert_false(s->check.enabled);
	l = &f->listens[1];
	assert_int_equal(l->balance, CONF_BALANCE_ROUNDROBIN);
	assert_false(l->stick);
	assert_int_equal(l->retries, 3);
	assert_false(l->redispatch);
	assert_int_equal(l->maxconn, 40000); /* the global one */
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
}

static void test_defaults(void **state)
{
	struct conf_diag diag;
	struct conf *c;

	(void)state;
	assert_int_equal(load("forwarder = { listen = { l = { bind = "
			      "\"127.0.0.1:1\"; server = { s = { address = "
			      "\"127.0.0.1:2\"; check = {}; }; }; }; }; };\n",
			      &c, &diag),
			 0);
	assert_string_equal(c->fwd->control_socket, CONF_FWD_DEFAULT_SOCKET);
	assert_int_equal(c->fwd->maxconn, 4096);
	assert_int_equal(c->fwd->timeout_check_ms, -1);
	assert_int_equal(c->fwd->listens[0].servers[0].weight, 1);
	assert_true(c->fwd->listens[0].servers[0].check.enabled);
	assert_int_equal(c->fwd->listens[0].servers[0].check.inter_ms, 2000);
	assert_int_equal(c->fwd->listens[0].servers[0].check.port, 0);
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
}

static void test_unknown_keys(void **state)
{
	(void)state;
	expect_errors("forwarder = {\n"
		      "  maxcon = 10;\n"
		      "  timeout = { conect = 1; };\n"
		      "  listen = { l = {\n"
		      "    bind = \"127.0.0.1:1\";\n"
		      "    stik = { on = \"src\"; };\n"
		      "    server = { s = { address = \"127.0.0.1:2\";\n"
		      "      weigth = 2;\n"
		      "      check = { intre = 1; zzzzzzzz = 1; };\n"
		      "    }; };\n"
		      "  }; };\n"
		      "};\n",
		      "%s:2: unknown key 'maxcon' (did you mean 'maxconn'?)\n"
		      "%s:3: unknown key 'conect' (did you mean 'connect'?)\n"
		      "%s:6: unknown key 'stik' (did you mean 'stick'?)\n"
		      "%s:8: unknown key 'weigth' (did you mean 'weight'?)\n"
		      "%s:9: unknown key 'intre' (did you mean 'inter'?)\n"
		      "%s:9: unknown key 'zzzzzzzz'\n");
}

static void test_types_and_ranges(void **state)
{
	(void)state;
	expect_errors(
	    "forwarder = {\n"
	    "  maxconn = \"many\";\n"
	    "  timeout = { client = \"soon\"; };\n"
	    "  shutdown_sessions_on_down = 1;\n"
	    "  listen = { l = {\n"
	    "    bind = [ \"127.0.0.1\" ];\n"
	    "    balance = \"random\";\n"
	    "    retries = -1;\n"
	    "    stick = { on = \"dst\"; };\n"
	    "    server = { s = { address = \"nowhere:80\";\n"
	    "      weight = 1000;\n"
	    "      check = { port = 0; rise = 0; };\n"
	    "    }; };\n"
	    "  }; };\n"
	    "};\n",
	    "%s:2: 'maxconn' must be an integer, not a string\n"
	    "%s:3: 'client' is \"soon\"; expected a duration such as "
	    "\"500ms\", \"10s\", \"1m\"\n"
	    "%s:4: 'shutdown_sessions_on_down' must be true or false, not "
	    "an integer\n"
	    "%s:6: listen l: bind \"127.0.0.1\" is not \"ip:port\", "
	    "\"[ipv6]:port\" or \"ip:first-last\"\n"
	    "%s:7: listen l: balance \"random\" must be \"roundrobin\", "
	    "\"leastconn\" or \"source\"\n"
	    "%s:9: listen l: stick on \"dst\" is not supported; use \"src\"\n"
	    "%s:8: 'retries' is -1; must be 0..100\n"
	    "%s:10: listen l: server s: address \"nowhere:80\" is not "
	    "\"ip:port\", \"ip\" (the client's port) or \"ip:+N\" / "
	    "\"ip:-N\"\n"
	    "%s:11: 'weight' is 1000; must be 0..256\n"
	    "%s:12: 'port' is 0; must be 1..65535\n"
	    "%s:12: 'rise' is 0; must be 1..1000\n");
}

static void test_missing_and_duplicates(void **state)
{
	(void)state;
	expect_errors("forwarder = {\n"
		      "  listen = {\n"
		      "    a = { bind = \"127.0.0.1:80\"; server = { s = { "
		      "address = \"127.0.0.1:81\"; }; }; };\n"
		      "    b = { bind = \"127.0.0.1:80\";\n"
		      "          server = { s = { weight = 1; }; }; };\n"
		      "    c = { server = { s = { address = \"127.0.0.1:1\"; "
		      "}; }; };\n"
		      "    d = { bind = \"127.0.0.1:82\"; };\n"
		      "  };\n"
		      "};\n",
		      "%s:5: listen b: server s: 'address' is required\n"
		      "%s:6: listen c: 'bind' is required\n"
		      "%s:7: listen d: 'server' is required (at least one "
		      "back end)\n"
		      "%s:4: listen b: bind 127.0.0.1:80 is already used by "
		      "listen a (line 3)\n");
	expect_errors("forwarder = { maxconn = 10; };\n",
		      "%s:1: forwarder: 'listen' is required (at least one "
		      "listen section)\n");
	expect_errors("forwarder = { user = \"no-such-user-here\"; listen = "
		      "{ a = { bind = \"127.0.0.1:80\"; server = { s = { "
		      "address = \"127.0.0.1:81\"; }; }; }; }; };\n",
		      "%s:1: user 'no-such-user-here' does not exist on this "
		      "host\n");
}

/* HAProxy's milliseconds in a forwarder section: an error with both
 * readings; 0 needs no unit; vrrpd's keys keep bare seconds. */
static void test_bare_durations(void **state)
{
	struct conf_diag diag;
	struct conf *c;

	(void)state;
	expect_errors(
	    "forwarder = {\n"
	    "  timeout = { client = 4000; connect = 5; };\n"
	    "  grace = 0;\n"
	    "  listen = { l = { bind = \"127.0.0.1:1\";\n"
	    "    server = { s = { address = \"127.0.0.1:2\";\n"
	    "      check = { inter = 5000; }; }; }; }; };\n"
	    "};\n",
	    "%s:2: 'connect' = 5 has no unit: as seconds 5 is 5s, as "
	    "milliseconds 5ms; write \"5ms\" or \"5s\"\n"
	    "%s:2: 'client' = 4000 has no unit: as seconds 4000 is 66 min, as "
	    "milliseconds 4s; write \"4000ms\" or \"4000s\"\n"
	    "%s:6: 'inter' = 5000 has no unit: as seconds 5000 is 83 min, as "
	    "milliseconds 5s; write \"5000ms\" or \"5000s\"\n");
	assert_int_equal(load("vrrp_script = { c = { script = \"/bin/true\";"
			      " interval = 5; }; };\n"
			      "forwarder = { grace = 0; listen = { l = {\n"
			      "  bind = \"127.0.0.1:1\"; server = { s = {\n"
			      "  address = \"127.0.0.1:2\"; }; }; }; }; };\n",
			      &c, &diag),
			 0);
	assert_string_equal(sbuf_str(&diag.text), "");
	assert_int_equal(c->fwd->grace_ms, 0);
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
}

static void test_warning_maxconn(void **state)
{
	struct conf_diag diag;
	struct conf *c;

	(void)state;
	assert_int_equal(load("forwarder = {\n maxconn = 10;\n listen = { l "
			      "= { bind = \"127.0.0.1:1\";\n maxconn = 20;\n "
			      "server = { s = { address = \"127.0.0.1:2\"; "
			      "}; }; }; };\n};\n",
			      &c, &diag),
			 0);
	{
		char want[256];

		snprintf(want, sizeof(want),
			 "%s:4: warning: listen l: maxconn 20 is above the "
			 "forwarder's maxconn 10, which limits it\n",
			 conf_text_path);
		assert_string_equal(sbuf_str(&diag.text), want);
	}
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
}

static void test_listen_timeouts(void **state)
{
	struct conf_diag diag;
	struct conf *c;
	const struct conf_fwd_listen *l;

	(void)state;
	assert_int_equal(
	    load("forwarder = { timeout = { connect = \"4s\"; client = \"1m\"; "
		 "server = \"2m\"; };\n"
		 "  listen = {\n"
		 "    rpc = { bind = \"127.0.0.1:135\"; timeout = { client = "
		 "\"15m\"; server = \"20m\"; };\n"
		 "      server = { s = { address = \"127.0.0.1:2\"; }; }; };\n"
		 "    web = { bind = \"127.0.0.1:80\";\n"
		 "      server = { s = { address = \"127.0.0.1:3\"; }; }; };\n"
		 "}; };\n",
		 &c, &diag),
	    0);
	l = &c->fwd->listens[0];
	assert_int_equal(l->timeout_connect_ms, 4000);
	assert_int_equal(l->timeout_client_ms, 900000);
	assert_int_equal(l->timeout_server_ms, 1200000);
	l = &c->fwd->listens[1];
	assert_int_equal(l->timeout_connect_ms, 4000);
	assert_int_equal(l->timeout_client_ms, 60000);
	assert_int_equal(l->timeout_server_ms, 120000);
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
	expect_errors("forwarder = { listen = { l = { bind = \"127.0.0.1:1\";\n"
		      "  timeout = { client = \"soon\"; check = \"1s\"; };\n"
		      "  server = { s = { address = \"127.0.0.1:2\"; }; }; }; "
		      "}; };\n",
		      "%s:2: unknown key 'check'\n"
		      "%s:2: 'client' is \"soon\"; expected a duration such as "
		      "\"500ms\", \"10s\", \"1m\"\n");
}

static long stick_size_of(const char *size)
{
	struct conf_diag diag;
	struct conf *c = NULL;
	char text[512];
	long v = -1;

	snprintf(
	    text, sizeof(text),
	    "forwarder = { listen = { l = { bind = \"127.0.0.1:1\";\n"
	    "  stick = { on = \"src\"; size = %s; };\n"
	    "  server = { s = { address = \"127.0.0.1:2\"; }; }; }; }; };\n",
	    size);
	if (load(text, &c, &diag) == 0)
		v = c->fwd->listens[0].stick_size;
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
	return v;
}

/* The size forms of the seeds' stick-table lines (k = 1024, as HAProxy). */
static void test_stick_size(void **state)
{
	(void)state;
	assert_int_equal(stick_size_of("\"10240k\""), 10485760);
	assert_int_equal(stick_size_of("\"10m\""), 10485760);
	assert_int_equal(stick_size_of("\"200k\""), 204800);
	assert_int_equal(stick_size_of("\"5000\""), 5000);
	assert_int_equal(stick_size_of("100000"), 100000);
	assert_int_equal(stick_size_of("10485760"), 10485760);
	assert_int_equal(stick_size_of("10485761"), -1);
	assert_int_equal(stick_size_of("\"10241k\""), -1);
	assert_int_equal(stick_size_of("\"0k\""), -1);
	assert_int_equal(stick_size_of("\"1g\""), -1);
	assert_int_equal(stick_size_of("\"10 k\""), -1);
	expect_errors("forwarder = { listen = { l = { bind = \"127.0.0.1:1\";\n"
		      "  stick = { on = \"src\"; size = \"11m\"; };\n"
		      "  server = { s = { address = \"127.0.0.1:2\"; }; }; }; "
		      "}; };\n",
		      "%s:2: listen l: stick size \"11m\" is not a count of "
		      "entries from 1 to 10m (10485760), such as 100000, "
		      "\"10240k\" or \"10m\" (k = 1024)\n");
}

static void test_proxy_protocol(void **state)
{
	struct conf_diag diag;
	struct conf *c;
	const struct conf_fwd_listen *l;

	(void)state;
	assert_int_equal(
	    load("forwarder = { listen = { l = { bind = \"127.0.0.1:1\";\n"
		 "  accept_proxy = true;\n"
		 "  server = { a = { address = \"127.0.0.1:2\"; send_proxy = "
		 "\"v1\"; };\n"
		 "             b = { address = \"127.0.0.1:3\"; send_proxy = "
		 "\"v2\"; check = { send_proxy = true; }; };\n"
		 "             c = { address = \"127.0.0.1:4\"; }; }; }; }; "
		 "};\n",
		 &c, &diag),
	    0);
	l = &c->fwd->listens[0];
	assert_true(l->accept_proxy);
	assert_int_equal(l->servers[0].send_proxy, 1);
	assert_int_equal(l->servers[1].send_proxy, 2);
	assert_true(l->servers[1].check.send_proxy);
	assert_int_equal(l->servers[2].send_proxy, 0);
	assert_false(l->servers[2].check.send_proxy);
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
	expect_errors("forwarder = { listen = { l = { bind = \"127.0.0.1:1\";\n"
		      "  accept_proxy = \"yes\";\n"
		      "  server = { a = { address = \"127.0.0.1:2\";\n"
		      "    send_proxy = \"v3\"; }; }; }; }; };\n",
		      "%s:2: 'accept_proxy' must be true or false, not a "
		      "string\n"
		      "%s:4: listen l: server a: send_proxy \"v3\" must be "
		      "\"v1\" or \"v2\"\n");
}

/* forwarder.data_path (issue 20): default copy (the kernel path is
 * opt-in: docs/fwd-bench.md), the three words, and a
 * FILE:LINE error for anything else. */
static void test_data_path(void **state)
{
	static const char *const words[] = {"auto", "kernel", "copy"};
	struct conf_diag diag;
	struct conf *c;
	char text[256];

	(void)state;
	assert_int_equal(load("forwarder = { listen = { l = { bind = "
			      "\"127.0.0.1:1\"; server = { s = { address = "
			      "\"127.0.0.1:2\"; }; }; }; }; };\n",
			      &c, &diag),
			 0);
	assert_int_equal(c->fwd->data_path, CONF_DATA_PATH_COPY);
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
	for (int i = 0; i < 3; i++) {
		snprintf(text, sizeof(text),
			 "forwarder = { data_path = \"%s\"; listen = { l = { "
			 "bind = \"127.0.0.1:1\"; server = { s = { address = "
			 "\"127.0.0.1:2\"; }; }; }; }; };\n",
			 words[i]);
		assert_int_equal(load(text, &c, &diag), 0);
		assert_int_equal(c->fwd->data_path, (enum conf_data_path)i);
		conf_free(c);
		conf_diag_free(&diag);
		unlink(conf_text_path);
	}
	expect_errors(
	    "forwarder = {\n"
	    "  data_path = \"sockmap\";\n"
	    "  listen = { l = { bind = \"127.0.0.1:1\"; server = { "
	    "s = { address = \"127.0.0.1:2\"; }; }; }; };\n"
	    "};\n",
	    "%s:2: forwarder: data_path \"sockmap\" must be \"auto\", "
	    "\"kernel\" or \"copy\"\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_unknown_keys),
	    cmocka_unit_test(test_types_and_ranges),
	    cmocka_unit_test(test_missing_and_duplicates),
	    cmocka_unit_test(test_bare_durations),
	    cmocka_unit_test(test_warning_maxconn),
	    cmocka_unit_test(test_listen_timeouts),
	    cmocka_unit_test(test_stick_size),
	    cmocka_unit_test(test_proxy_protocol),
	    cmocka_unit_test(test_data_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
