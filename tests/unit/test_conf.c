/* Config loading: good files, and each class of bad file with its
 * exact FILE:LINE message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <grp.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_text.h"
#include "conf_host.h"

/* Loads text; returns the diag text (caller frees) and the result. */
static char *load(const char *text, int *rc, struct conf **out)
{
	return conf_text_msgs(text, CONF_VRRP, rc, out);
}

/* Asserts that loading text fails with exactly "FILE:line: msg". */
static void expect_error(const char *text, int line, const char *msg)
{
	conf_text_expect_error(text, CONF_VRRP, line, msg);
}

static const char good[] =
    "global_defs = {\n"
    "  router_id = \"lbA\";\n"
    "  notification_email = [ \"ops@example.com\", \"b@example.com\" ];\n"
    "  notification_email_from = \"vrrpd@lbA.example.com\";\n"
    "  smtp_server = \"198.18.0.25:25\";\n"
    "  smtp_connect_timeout = 30;\n"
    "  control_socket = \"/run/vrrpd/vrrpd.sock\";\n"
    "};\n"
    "vrrp_script = {\n"
    "  chk_app = { script = \"/usr/local/bin/check-app\"; interval = 2;\n"
    "              weight = 2; timeout = 1; rise = 1; fall = 1; };\n"
    "  chk_fast = { script = \"/bin/true\"; interval = \"500ms\"; };\n"
    "};\n"
    "vrrp_instance = {\n"
    "  VI_1 = {\n"
    "    state = \"MASTER\";\n"
    "    interface = \"eth0\";\n"
    "    virtual_router_id = 51;\n"
    "    priority = 101;\n"
    "    advert_int = 1;\n"
    "    authentication = { auth_type = \"PASS\"; auth_pass = \"s3cret\"; };\n"
    "    virtual_ipaddress = [ \"198.18.0.50/24 dev eth0\", \"198.18.0.51\",\n"
    "                          \"198.18.0.52/24 dev eth1 label eth1:vip\" ];\n"
    "    track_script = [ \"chk_app\" ];\n"
    "    track_interface = [ \"eth1\" ];\n"
    "    track_forwarder = { weight = 2; };\n"
    "    nopreempt = false; preempt_delay = 0; fast_preempt = true;\n"
    "    unicast_peer = [ ];\n"
    "    notify_master = \"/usr/local/bin/notify master\";\n"
    "    smtp_alert = true;\n"
    "  };\n"
    "  VI_2 = {\n"
    "    interface = \"eth0\"; virtual_router_id = 52;\n"
    "    virtual_ipaddress = [ \"198.18.0.60\" ];\n"
    "    unicast_src_ip = \"198.18.0.11\";\n"
    "    unicast_peer = [ \"198.18.0.12\" ];\n"
    "    track_script = ( { name = \"chk_fast\"; weight = -5; } );\n"
    "    garp_master_delay = \"2s\"; garp_master_repeat = 3;\n"
    "    track_forwarder = { weight = 5; timeout = \"250ms\"; hold = 0; "
    "};\n"
    "  };\n"
    "};\n"
    "forwarder = { anything = \"ignored by vrrpd\"; };\n";

static void test_good(void **state)
{
	const struct conf_instance *a, *b;
	struct conf *c;
	char ip[INET_ADDRSTRLEN];
	char *msgs;
	int rc;

	(void)state;
	msgs = load(good, &rc, &c);
	assert_string_equal(msgs, "");
	assert_int_equal(rc, 0);
	assert_string_equal(c->global.router_id, "lbA");
	assert_int_equal(c->global.n_emails, 2);
	assert_string_equal(c->global.emails[1], "b@example.com");
	assert_string_equal(c->global.smtp_server, "198.18.0.25:25");
	assert_int_equal(c->n_scripts, 2);
	assert_int_equal(c->scripts[0].interval_ms, 2000);
	assert_int_equal(c->scripts[0].timeout_ms, 1000);
	assert_int_equal(c->scripts[0].weight, 2);
	assert_int_equal(c->scripts[1].interval_ms, 500);
	assert_int_equal(c->scripts[1].timeout_ms, 500);
	assert_int_equal(c->n_instances, 2);
	a = &c->instances[0];
	assert_string_equal(a->name, "VI_1");
	assert_int_equal(a->state, CONF_WISH_MASTER);
	assert_int_equal(a->vrid, 51);
	assert_int_equal(a->priority, 101);
	assert_true(a->auth_pass_set);
	assert_memory_equal(a->auth_pass, "s3cret\0\0", 8);
	assert_int_equal(a->n_vips, 3);
	inet_ntop(AF_INET, &a->vips[1].addr, ip, sizeof(ip));
	assert_string_equal(ip, "198.18.0.51");
	assert_int_equal(a->vips[0].prefix, 24);
	assert_int_equal(a->vips[1].prefix, 32);
	assert_string_equal(a->vips[0].dev, "eth0");
	assert_string_equal(a->vips[2].label, "eth1:vip");
	assert_int_equal(a->n_track_scripts, 1);
	assert_false(a->track_scripts[0].weight_set);
	assert_int_equal(a->n_track_ifs, 1);
	assert_true(a->track_forwarder);
	assert_int_equal(a->track_forwarder_weight, 2);
	/* 3 heartbeats of 100 ms; hold 1 s after a flap */
	assert_int_equal(a->track_forwarder_timeout_ms, 300);
	assert_int_equal(a->track_forwarder_hold_ms, 1000);
	assert_true(a->fast_preempt);
	assert_true(a->smtp_alert);
	assert_int_equal(a->garp_master_delay_ms, 5000);
	assert_int_equal(a->garp_master_repeat, 5);
	b = &c->instances[1];
	assert_int_equal(b->priority, 100); /* keepalived's default */
	assert_int_equal(b->state, CONF_WISH_BACKUP);
	assert_true(b->has_unicast_src);
	assert_int_equal(b->n_peers, 1);
	assert_true(b->track_scripts[0].weight_set);
	assert_int_equal(b->track_scripts[0].weight, -5);
	assert_int_equal(b->garp_master_delay_ms, 2000);
	assert_int_equal(b->track_forwarder_timeout_ms, 250);
	assert_int_equal(b->track_forwarder_hold_ms, 0);
	assert_int_equal(b->garp_master_repeat, 3);
	assert_false(b->auth_pass_set);
	free(msgs);
	conf_free(c);
}

static void test_unknown_key_suggests(void **state)
{
	(void)state;
	expect_error("vrrp_script = {\n"
		     "  chk = { script = \"/bin/true\";\n"
		     "          weigth = 2; };\n"
		     "};\n",
		     3, "unknown key 'weigth' (did you mean 'weight'?)");
	expect_error(INSTANCE_HEAD "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
				   "    priorty = 100;\n  };\n};\n",
		     6, "unknown key 'priorty' (did you mean 'priority'?)");
	expect_error("global_defs = { routr_id = \"x\"; };\n", 1,
		     "unknown key 'routr_id' (did you mean 'router_id'?)");
	expect_error("vrrp_instanse = { };\n", 1,
		     "unknown key 'vrrp_instanse' (did you mean "
		     "'vrrp_instance'?)");
	expect_error("zebra = 1;\n", 1, "unknown key 'zebra'");
}

static void test_wrong_type(void **state)
{
	(void)state;
	expect_error(INSTANCE_HEAD "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
				   "    priority = \"high\";\n  };\n};\n",
		     6, "'priority' must be an integer, not a string");
	expect_error(INSTANCE_HEAD "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
				   "    nopreempt = 1;\n  };\n};\n",
		     6, "'nopreempt' must be true or false, not an integer");
	expect_error(INSTANCE_HEAD "    virtual_ipaddress = \"1.2.3.4\";\n"
				   "    preempt_delay = \"soon\";\n  };\n};\n",
		     6,
		     "'preempt_delay' is \"soon\"; expected a duration such "
		     "as \"500ms\", \"10s\", \"1m\" or a number of seconds");
}

static void test_ranges(void **state)
{
	(void)state;
	expect_error("vrrp_instance = { VI_1 = { interface = \"eth0\";\n"
		     "  virtual_router_id = 256;\n"
		     "  virtual_ipaddress = [ \"1.2.3.4\" ]; }; };\n",
		     2, "'virtual_router_id' is 256; must be 1..255");
	expect_error(INSTANCE_HEAD "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
				   "    priority = 0;\n  };\n};\n",
		     6, "'priority' is 0; must be 1..255");
	expect_error(INSTANCE_HEAD "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
				   "    advert_int = 0;\n  };\n};\n",
		     6, "'advert_int' is 0; must be 1..255");
	expect_error("vrrp_script = { chk = { script = \"/bin/true\";\n"
		     "  weight = 254; }; };\n",
		     2, "'weight' is 254; must be -253..253");
}

static void test_auth_pass_truncated(void **state)
{
	struct conf *c;
	char want[256];
	char *msgs;
	int rc;

	(void)state;
	msgs = load(INSTANCE_HEAD "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
				  "    authentication = {\n"
				  "      auth_type = \"PASS\";\n"
				  "      auth_pass = \"0123456789\";\n"
				  "    };\n  };\n};\n",
		    &rc, &c);
	snprintf(want, sizeof(want),
		 "%s:8: warning: auth_pass is 10 bytes; only the first 8 are "
		 "used (RFC 3768 5.3.10)\n",
		 conf_text_path);
	assert_int_equal(rc, 0);
	assert_string_equal(msgs, want);
	assert_memory_equal(c->instances[0].auth_pass, "01234567", 8);
	free(msgs);
	conf_free(c);
}

/* keepalived's unquoted "auth_pass 1111": one error, and the fix */
static void test_auth_pass_number(void **state)
{
	char *msgs;
	int rc;

	(void)state;
	expect_error(INSTANCE_HEAD
		     "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
		     "    authentication = { auth_type = \"PASS\";\n"
		     "      auth_pass = 1111; };\n  };\n};\n",
		     7,
		     "auth_pass is a number; quote it: auth_pass = \"1111\"; "
		     "(a number loses leading zeros)");
	msgs =
	    load(INSTANCE_HEAD "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
			       "    authentication = { auth_type = \"PASS\";\n"
			       "      auth_pass = 1111; };\n  };\n};\n",
		 &rc, NULL);
	assert_null(strstr(msgs, "needs auth_pass"));
	free(msgs);
}

/* keepalived's -t says these; so does ours */
static void test_smtp_alert_no_server(void **state)
{
	char want[512];
	char *msgs;
	int rc;

	(void)state;
	msgs = load("global_defs = {\n  smtp_alert = true;\n};\n", &rc, NULL);
	snprintf(want, sizeof(want),
		 "%s:2: warning: smtp_alert is on but smtp_server is not set; "
		 "no alert will be sent\n",
		 conf_text_path);
	assert_int_equal(rc, 0);
	assert_string_equal(msgs, want);
	free(msgs);
	msgs = load(INSTANCE_HEAD "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
				  "    smtp_alert = true;\n  };\n};\n",
		    &rc, NULL);
	snprintf(want, sizeof(want),
		 "%s:6: warning: vrrp_instance VI_1: smtp_alert is on but "
		 "global_defs.smtp_server is not set; no alert will be sent\n",
		 conf_text_path);
	assert_int_equal(rc, 0);
	assert_string_equal(msgs, want);
	free(msgs);
}

static void test_host_interfaces(void **state)
{
	struct conf_diag d;
	struct conf *c;
	char want[512];
	char *msgs;
	int rc;

	(void)state;
	msgs = load("vrrp_instance = {\n  VI_1 = {\n    interface = \"lo\";\n"
		    "    virtual_router_id = 51;\n"
		    "    virtual_ipaddress = [ \"1.2.3.4 dev nosuchif1\" ];\n"
		    "    track_interface = [ \"lo\" ];\n  };\n"
		    "  VI_2 = {\n    interface = \"nosuchif0\";\n"
		    "    virtual_router_id = 52;\n"
		    "    virtual_ipaddress = [ \"1.2.3.5\" ];\n  };\n};\n",
		    &rc, &c);
	assert_int_equal(rc, 0);
	assert_string_equal(msgs, "");
	free(msgs);
	conf_diag_init(&d);
	conf_check_host(c, &d);
	snprintf(want, sizeof(want),
		 "%s:2: warning: vrrp_instance VI_1: virtual_ipaddress dev "
		 "'nosuchif1' does not exist on this host (see ip link)\n"
		 "%s:8: warning: vrrp_instance VI_2: interface 'nosuchif0' "
		 "does not exist on this host (see ip link)\n",
		 conf_text_path, conf_text_path);
	assert_string_equal(sbuf_str(&d.text), want);
	assert_int_equal(d.warnings, 2);
	conf_diag_free(&d);
	conf_free(c);
}

static void test_semantic_errors(void **state)
{
	(void)state;
	/* duplicate VRID on one interface */
	expect_error("vrrp_instance = {\n"
		     "  A = { interface = \"eth0\"; virtual_router_id = 7;\n"
		     "        virtual_ipaddress = [ \"1.2.3.4\" ]; };\n"
		     "  B = { interface = \"eth0\"; virtual_router_id = 7;\n"
		     "        virtual_ipaddress = [ \"1.2.3.5\" ]; };\n"
		     "};\n",
		     4,
		     "vrrp_instance B: virtual_router_id 7 is already used on "
		     "eth0 by A (line 2)");
	/* VIP that is not an address */
	expect_error(INSTANCE_HEAD
		     "    virtual_ipaddress = [ \"1.2.3.4\",\n"
		     "      \"vip.example.com/24\" ];\n  };\n};\n",
		     6,
		     "virtual_ipaddress \"vip.example.com/24\": "
		     "'vip.example.com/24' is not an IPv4 address[/prefix]");
	expect_error(INSTANCE_HEAD
		     "    virtual_ipaddress = [ \"1.2.3.4/24 dve eth0\" ];\n"
		     "  };\n};\n",
		     5,
		     "virtual_ipaddress \"1.2.3.4/24 dve eth0\": unknown word "
		     "'dve' (expected 'dev IF' or 'label NAME')");
	/* missing interface */
	expect_error("vrrp_instance = {\n"
		     "  VI_1 = { virtual_router_id = 1;\n"
		     "    virtual_ipaddress = [ \"1.2.3.4\" ]; };\n"
		     "};\n",
		     2, "vrrp_instance VI_1: 'interface' is required");
	expect_error("vrrp_instance = {\n"
		     "  VI_1 = { interface = \"eth0\"; virtual_router_id = 1; "
		     "};\n};\n",
		     2, "vrrp_instance VI_1: 'virtual_ipaddress' is required");
	/* a track_script that names no vrrp_script */
	expect_error(INSTANCE_HEAD "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
				   "    track_script = [ \"chk_nothing\" ];\n"
				   "  };\n};\n",
		     6,
		     "track_script 'chk_nothing' is not defined in "
		     "vrrp_script");
	expect_error(INSTANCE_HEAD "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
				   "    state = \"PRIMARY\";\n  };\n};\n",
		     6, "state \"PRIMARY\" must be \"MASTER\" or \"BACKUP\"");
	expect_error(INSTANCE_HEAD
		     "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
		     "    authentication = { auth_type = \"AH\"; };\n"
		     "  };\n};\n",
		     6,
		     "auth_type AH is not supported (RFC 3768 removed it); "
		     "use PASS or no authentication");
	expect_error("global_defs = {\n  smtp_server = \"mail server\";\n};\n",
		     2,
		     "smtp_server \"mail server\" is not host[:port] or an "
		     "smtp:// / smtps:// URL");
}

/* Several problems: every one is reported, not just the first. */
static void test_all_errors_reported(void **state)
{
	struct conf_diag d;
	struct conf *c;

	(void)state;
	conf_text_write(INSTANCE_HEAD
			"    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
			"    priority = 300;\n"
			"    advert_int = 0;\n"
			"    weigth = 1;\n  };\n};\n");
	conf_diag_init(&d);
	assert_int_equal(conf_load(conf_text_path, CONF_VRRP, &c, &d), -1);
	assert_int_equal(d.errors, 3);
	conf_diag_free(&d);
	unlink(conf_text_path);
}

/* A value with a newline still gives one line (found by fuzz_conf). */
static void test_error_one_line(void **state)
{
	(void)state;
	expect_error(INSTANCE_HEAD "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"
				   "    state = \"MAS\\nTER\";\n  };\n};\n",
		     6, "state \"MAS?TER\" must be \"MASTER\" or \"BACKUP\"");
}

static void test_control_socket_group(void **state)
{
	struct conf *c = NULL;
	struct group *gr = getgrnam("nogroup");
	char *msgs;
	int rc;

	(void)state;
	msgs = load("global_defs = { control_socket_group = \"4242\"; };\n",
		    &rc, &c);
	assert_int_equal(rc, 0);
	assert_string_equal(c->global.control_socket_group, "4242");
	assert_int_equal(c->global.control_socket_gid, 4242);
	conf_free(c);
	free(msgs);
	if (gr) {
		msgs = load("global_defs = { control_socket_group = "
			    "\"nogroup\"; };\n",
			    &rc, &c);
		assert_int_equal(rc, 0);
		assert_int_equal(c->global.control_socket_gid, gr->gr_gid);
		conf_free(c);
		free(msgs);
	}
	msgs = load("global_defs = { control_socket = \"/tmp/x.sock\"; };\n",
		    &rc, &c);
	assert_int_equal(rc, 0);
	assert_null(c->global.control_socket_group);
	conf_free(c);
	free(msgs);
	expect_error("global_defs = {\n"
		     "  control_socket_group = \"no-such-group-h5\";\n};\n",
		     2, "group 'no-such-group-h5' does not exist on this host");
}

/* issue #14: smtp_verify defaults to true; smtp_ca_file must be readable. */
static void test_smtp_tls_keys(void **state)
{
	struct conf *c;
	char *msgs;
	int rc;

	(void)state;
	msgs = load("global_defs = { smtp_server = \"smtps://mx:465\"; };\n",
		    &rc, &c);
	assert_int_equal(rc, 0);
	assert_true(c->global.smtp_verify);
	assert_null(c->global.smtp_ca_file);
	conf_free(c);
	free(msgs);
	msgs = load("global_defs = { smtp_verify = false;\n"
		    "  smtp_ca_file = \"/dev/null\"; };\n",
		    &rc, &c);
	assert_int_equal(rc, 0);
	assert_false(c->global.smtp_verify);
	assert_string_equal(c->global.smtp_ca_file, "/dev/null");
	conf_free(c);
	free(msgs);
	expect_error(
	    "global_defs = {\n  smtp_ca_file = \"/nonexistent/ca\"; };\n", 2,
	    "smtp_ca_file \"/nonexistent/ca\" cannot be read");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_unknown_key_suggests),
	    cmocka_unit_test(test_wrong_type),
	    cmocka_unit_test(test_ranges),
	    cmocka_unit_test(test_auth_pass_truncated),
	    cmocka_unit_test(test_auth_pass_number),
	    cmocka_unit_test(test_smtp_alert_no_server),
	    cmocka_unit_test(test_host_interfaces),
	    cmocka_unit_test(test_semantic_errors),
	    cmocka_unit_test(test_all_errors_reported),
	    cmocka_unit_test(test_error_one_line),
	    cmocka_unit_test(test_control_socket_group),
	    cmocka_unit_test(test_smtp_tls_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
