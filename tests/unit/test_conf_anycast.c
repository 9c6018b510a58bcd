/* anycast_instance: the good file's structs and each bad file's exact
 * FILE:LINE message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_text.h"
#include "conf_host.h"

static char *load(const char *text, int *rc, struct conf **out)
{
	return conf_text_msgs(text, CONF_VRRP, rc, out);
}

static void expect_msg(const char *text, int want_rc, int line, const char *msg)
{
	conf_text_expect(text, CONF_VRRP, want_rc, line, msg);
}

#define SCRIPTS "vrrp_script = { chk = { script = \"/bin/true\"; }; };\n"

static void test_good(void **state)
{
	static const char text[] =
	    SCRIPTS "anycast_instance = {\n"
		    "  AC_1 = {\n"
		    "    virtual_ipaddress = [ \"198.19.0.50/32\", "
		    "\"198.19.0.51\" ];\n"
		    "    track_forwarder = { };\n"
		    "    track_script = ( \"chk\", { name = \"chk\"; } );\n"
		    "    track_interface = [ \"eth0\" ];\n"
		    "    hold_down = \"500ms\";\n"
		    "    notify = \"/bin/echo\";\n"
		    "    notify_withdrawn = \"/bin/false\";\n"
		    "  };\n"
		    "  AC_2 = { interface = \"eth1\"; "
		    "virtual_ipaddress = \"198.19.0.60/32\"; };\n"
		    "};\n";
	struct conf *c;
	char *msgs;
	int rc;

	(void)state;
	msgs = load(text, &rc, &c);
	print_message("%s", msgs);
	assert_int_equal(rc, 0);
	assert_string_equal(msgs, "");
	assert_int_equal(c->n_anycast, 2);
	assert_int_equal(c->n_instances, 0);
	assert_string_equal(c->anycast[0].base.name, "AC_1");
	assert_string_equal(c->anycast[0].base.interface, "lo");
	assert_int_equal(c->anycast[0].base.line, 3);
	assert_int_equal(c->anycast[0].base.n_vips, 2);
	assert_int_equal(c->anycast[0].base.vips[1].prefix, 32);
	assert_int_equal(c->anycast[0].base.vips[0].addr.s_addr,
			 inet_addr("198.19.0.50"));
	assert_true(c->anycast[0].base.track_forwarder);
	assert_int_equal(c->anycast[0].base.track_forwarder_weight, 0);
	assert_int_equal(c->anycast[0].base.n_track_scripts, 2);
	assert_int_equal(c->anycast[0].base.n_track_ifs, 1);
	assert_int_equal(c->anycast[0].hold_down_ms, 500);
	assert_string_equal(c->anycast[0].base.notify, "/bin/echo");
	assert_string_equal(c->anycast[0].notify_withdrawn, "/bin/false");
	assert_null(c->anycast[0].notify_announced);
	assert_string_equal(c->anycast[1].base.interface, "eth1");
	assert_false(c->anycast[1].base.track_forwarder);
	assert_int_equal(c->anycast[1].hold_down_ms, 2000);
	free(msgs);
	conf_free(c);
}

static void test_unknown_key(void **state)
{
	(void)state;
	expect_msg("anycast_instance = { A = {\n"
		   "  virtual_ipaddress = [ \"198.19.0.50/32\" ];\n"
		   "  hold_dwn = \"2s\";\n"
		   "}; };\n",
		   -1, 3, "unknown key 'hold_dwn' (did you mean 'hold_down'?)");
}

static void test_weight_rejected(void **state)
{
	(void)state;
	expect_msg("anycast_instance = { A = {\n"
		   "  virtual_ipaddress = [ \"198.19.0.50/32\" ];\n"
		   "  track_forwarder = {\n"
		   "    weight = -50; };\n"
		   "}; };\n",
		   -1, 4,
		   "anycast_instance A: weights do not apply here (any failing "
		   "tracker withdraws the addresses); remove 'weight'");
	expect_msg(SCRIPTS "anycast_instance = { A = {\n"
			   "  virtual_ipaddress = [ \"198.19.0.50/32\" ];\n"
			   "  track_script = ( { name = \"chk\";\n"
			   "    weight = 10; } );\n"
			   "}; };\n",
		   -1, 5,
		   "anycast_instance A: weights do not apply here (any failing "
		   "tracker withdraws the addresses); remove 'weight'");
}

static void test_missing_vips(void **state)
{
	(void)state;
	expect_msg("anycast_instance = {\n"
		   "  A = { interface = \"lo\"; };\n"
		   "};\n",
		   -1, 2,
		   "anycast_instance A: 'virtual_ipaddress' is required");
	expect_msg("anycast_instance = { A = {\n"
		   "  virtual_ipaddress = [ \"198.19.0.500/32\" ];\n"
		   "}; };\n",
		   -1, 2,
		   "virtual_ipaddress \"198.19.0.500/32\": '198.19.0.500/32' "
		   "is not an IPv4 address[/prefix]");
}

static void test_unknown_script(void **state)
{
	(void)state;
	expect_msg("anycast_instance = { A = {\n"
		   "  virtual_ipaddress = [ \"198.19.0.50/32\" ];\n"
		   "  track_script = [\n"
		   "    \"nope\" ];\n"
		   "}; };\n",
		   -1, 4, "track_script 'nope' is not defined in vrrp_script");
}

static void test_bad_hold_down(void **state)
{
	(void)state;
	expect_msg("anycast_instance = { A = {\n"
		   "  virtual_ipaddress = [ \"198.19.0.50/32\" ];\n"
		   "  hold_down = \"2 parsecs\";\n"
		   "}; };\n",
		   -1, 3, "'hold_down' is \"2 parsecs\"; expected a duration");
}

static void test_clashes(void **state)
{
	(void)state;
	expect_msg("vrrp_instance = { VI_1 = { interface = \"eth0\";\n"
		   "  virtual_router_id = 1;\n"
		   "  virtual_ipaddress = [ \"198.19.0.50/32\" ]; }; };\n"
		   "anycast_instance = {\n"
		   "  A = { virtual_ipaddress = [ \"198.19.0.50/32\" ]; };\n"
		   "};\n",
		   -1, 5,
		   "anycast_instance A: 198.19.0.50 is also a virtual address "
		   "of VI_1 (line 1); an address has one owner");
	expect_msg("vrrp_instance = { A = { interface = \"eth0\";\n"
		   "  virtual_router_id = 1;\n"
		   "  virtual_ipaddress = [ \"198.19.0.40/32\" ]; }; };\n"
		   "anycast_instance = {\n"
		   "  A = { virtual_ipaddress = [ \"198.19.0.50/32\" ]; };\n"
		   "};\n",
		   -1, 5,
		   "anycast_instance A: the name is already a vrrp_instance "
		   "(line 1)");
}

static void test_not_32_warns(void **state)
{
	(void)state;
	expect_msg("anycast_instance = { A = {\n"
		   "  virtual_ipaddress = [ \"198.19.0.50/24\" ];\n"
		   "}; };\n",
		   0, 2,
		   "warning: anycast_instance A: 198.19.0.50/24 is not a /32");
}

/* vrrpd -t: an interface missing on this host warns, lo does not */
static void test_host_check(void **state)
{
	struct conf_diag d;
	struct conf *c;
	char *msgs, want[160];
	int rc;

	(void)state;
	msgs = load("anycast_instance = {\n"
		    "  A = { virtual_ipaddress = [ \"198.19.0.50/32\" ]; };\n"
		    "  B = { interface = \"nosuch0\";\n"
		    "        virtual_ipaddress = [ \"198.19.0.51/32\" ]; };\n"
		    "};\n",
		    &rc, &c);
	assert_int_equal(rc, 0);
	free(msgs);
	conf_diag_init(&d);
	conf_check_host(c, &d);
	print_message("%s", sbuf_str(&d.text));
	snprintf(want, sizeof(want),
		 "%s:3: warning: anycast_instance B: interface 'nosuch0' does "
		 "not exist on this host (see ip link)\n",
		 conf_text_path);
	assert_string_equal(sbuf_str(&d.text), want);
	assert_int_equal(d.warnings, 1);
	conf_diag_free(&d);
	conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_unknown_key),
	    cmocka_unit_test(test_weight_rejected),
	    cmocka_unit_test(test_missing_vips),
	    cmocka_unit_test(test_unknown_script),
	    cmocka_unit_test(test_bad_hold_down),
	    cmocka_unit_test(test_clashes),
	    cmocka_unit_test(test_not_32_warns),
	    cmocka_unit_test(test_host_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
