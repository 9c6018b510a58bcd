/* VRRP version 2 or 3 and the address family: advert_int in seconds or
 * centiseconds, IPv6 instances, and the errors between them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf_text.h"

/* Asserts that loading text fails with exactly "FILE:line: msg". */
static void expect_error(const char *text, int line, const char *msg)
{
	conf_text_expect_error(text, CONF_VRRP, line, msg);
}

#define VIP_LINE "    virtual_ipaddress = [ \"1.2.3.4\" ];\n"

/* Loads text that must be good; returns the first instance's conf. */
static struct conf *load_good(const char *text)
{
	struct conf *c;
	char *msgs;
	int rc;

	msgs = conf_text_msgs(text, CONF_VRRP, &rc, &c);
	print_message("got: %s", msgs);
	assert_int_equal(rc, 0);
	free(msgs);
	assert_non_null(c);
	return c;
}

static void test_version(void **state)
{
	struct conf *c;

	(void)state;
	/* default: 2, whole seconds, as before */
	c = load_good(INSTANCE_HEAD VIP_LINE "  };\n};\n");
	assert_int_equal(c->instances[0].version, 2);
	assert_int_equal(c->instances[0].advert_int, 1);
	assert_int_equal(c->instances[0].advert_cs, 100);
	assert_int_equal(c->instances[0].family, AF_INET);
	conf_free(c);
	c = load_good(INSTANCE_HEAD VIP_LINE "    advert_int = \"3s\";\n"
					     "  };\n};\n");
	assert_int_equal(c->instances[0].advert_int, 3);
	assert_int_equal(c->instances[0].advert_cs, 300);
	conf_free(c);
	/* per instance, and global_defs' default */
	c = load_good(INSTANCE_HEAD VIP_LINE "    version = 3;\n"
					     "    advert_int = \"100ms\";\n"
					     "  };\n};\n");
	assert_int_equal(c->instances[0].version, 3);
	assert_int_equal(c->instances[0].advert_cs, 10);
	assert_false(c->instances[0].v3_checksum_as_v2);
	conf_free(c);
	c = load_good(
	    "global_defs = { vrrp_version = 3; };\n" INSTANCE_HEAD VIP_LINE
	    "    advert_int = 0.05;\n"
	    "    v3_checksum_as_v2 = true;\n  };\n};\n");
	assert_int_equal(c->instances[0].version, 3);
	assert_int_equal(c->instances[0].advert_cs, 5);
	assert_true(c->instances[0].v3_checksum_as_v2);
	conf_free(c);
	c = load_good(
	    "global_defs = { vrrp_version = 3; };\n" INSTANCE_HEAD VIP_LINE
	    "    version = 2;\n"
	    "    advert_int = 2;\n  };\n};\n");
	assert_int_equal(c->instances[0].version, 2);
	assert_int_equal(c->instances[0].advert_cs, 200);
	conf_free(c);
	c = load_good(INSTANCE_HEAD VIP_LINE "    version = 3;\n"
					     "    advert_int = \"40950ms\";\n"
					     "  };\n};\n");
	assert_int_equal(c->instances[0].advert_cs, 4095);
	conf_free(c);

	expect_error(INSTANCE_HEAD VIP_LINE "    version = 4;\n  };\n};\n", 6,
		     "'version' is 4; must be 2..3");
	expect_error("global_defs = { vrrp_version = 1; };\n", 1,
		     "'vrrp_version' is 1; must be 2..3");
	expect_error(INSTANCE_HEAD VIP_LINE "    advert_int = \"500ms\";\n"
					    "  };\n};\n",
		     6,
		     "'advert_int' is 500ms; VRRPv2 counts whole seconds "
		     "(1s..255s): set version = 3 for steps of 10ms");
	expect_error(INSTANCE_HEAD VIP_LINE "    advert_int = \"1500ms\";\n"
					    "  };\n};\n",
		     6,
		     "'advert_int' is 1500ms; VRRPv2 counts whole seconds "
		     "(1s..255s): set version = 3 for steps of 10ms");
	expect_error(INSTANCE_HEAD VIP_LINE "    version = 3;\n"
					    "    advert_int = \"105ms\";\n"
					    "  };\n};\n",
		     7,
		     "'advert_int' is 105ms; VRRPv3 takes 10ms..40950ms in "
		     "steps of 10ms");
	expect_error(INSTANCE_HEAD VIP_LINE "    version = 3;\n"
					    "    advert_int = 41;\n  };\n};\n",
		     7,
		     "'advert_int' is 41000ms; VRRPv3 takes 10ms..40950ms in "
		     "steps of 10ms");
	expect_error(INSTANCE_HEAD VIP_LINE "    version = 3;\n"
					    "    advert_int = \"0ms\";\n"
					    "  };\n};\n",
		     7,
		     "'advert_int' is 0ms; VRRPv3 takes 10ms..40950ms in steps "
		     "of 10ms");
	expect_error(INSTANCE_HEAD VIP_LINE
		     "    version = 3;\n"
		     "    authentication = { auth_type = \"PASS\";\n"
		     "                       auth_pass = \"x\"; };\n"
		     "  };\n};\n",
		     7,
		     "vrrp_instance VI_1: authentication is not part of VRRPv3 "
		     "(RFC 5798 removed it); remove it, or set version = 2");
}

static void test_family(void **state)
{
	struct conf *c;
	char *msgs, ip[INET6_ADDRSTRLEN];
	int rc;

	(void)state;
	expect_error(INSTANCE_HEAD "    version = 3;\n"
				   "    virtual_ipaddress = [ \"1.2.3.4/24\",\n"
				   "      \"2001:db8::1/64\" ];\n"
				   "  };\n};\n",
		     6,
		     "vrrp_instance VI_1: virtual_ipaddress mixes IPv4 and "
		     "IPv6; an instance carries one family, so make one "
		     "instance per family");
	expect_error(INSTANCE_HEAD
		     "    virtual_ipaddress = [ \"2001:db8::1/64\" ];\n"
		     "  };\n};\n",
		     5,
		     "vrrp_instance VI_1: IPv6 virtual_ipaddress needs "
		     "version = 3 (VRRPv2 carries only IPv4)");
	expect_error(INSTANCE_HEAD
		     "    version = 3;\n"
		     "    virtual_ipaddress = [ \"2001:db8::1/129\" ];\n"
		     "  };\n};\n",
		     6,
		     "virtual_ipaddress \"2001:db8::1/129\": '2001:db8::1/129' "
		     "is not an IPv6 address[/prefix]");
	/* an IPv6 instance: version 3, one family, VRIDs per family */
	{
		struct conf *c = load_good(
		    "vrrp_instance = {\n"
		    "  V4 = { interface = \"eth0\"; virtual_router_id = 51;\n"
		    "    virtual_ipaddress = [ \"1.2.3.4\" ]; };\n"
		    "  V6 = { interface = \"eth0\"; virtual_router_id = 51;\n"
		    "    version = 3;\n"
		    "    virtual_ipaddress = [ \"fe80::1/64\",\n"
		    "      \"2001:db8::50/64 dev eth1\" ]; };\n"
		    "};\n");
		char ip[INET6_ADDRSTRLEN];

		assert_int_equal(c->instances[1].family, AF_INET6);
		assert_int_equal(c->instances[1].n_vips, 2);
		inet_ntop(AF_INET6, &c->instances[1].vips[1].addr6, ip,
			  sizeof(ip));
		assert_string_equal(ip, "2001:db8::50");
		assert_int_equal(c->instances[1].vips[1].prefix, 64);
		assert_string_equal(c->instances[1].vips[1].dev, "eth1");
		conf_free(c);
	}
	/* unicast peers take the family of the VIPs */
	expect_error(INSTANCE_HEAD
		     "    version = 3;\n"
		     "    unicast_peer = [ \"1.2.3.5\" ];\n"
		     "    virtual_ipaddress = [ \"2001:db8::1\" ];\n"
		     "  };\n};\n",
		     6,
		     "unicast_peer \"1.2.3.5\" is not an IPv6 address (the "
		     "family of the instance's virtual_ipaddress)");
	c = load_good(INSTANCE_HEAD
		      "    version = 3;\n"
		      "    unicast_src_ip = \"2001:db8::11\";\n"
		      "    unicast_peer = [ \"2001:db8::12\", "
		      "\"fe80::1\" ];\n"
		      "    virtual_ipaddress = [ \"2001:db8::1\" ];\n"
		      "  };\n};\n");
	assert_int_equal(c->instances[0].n_peers, 2);
	assert_true(c->instances[0].has_unicast_src);
	inet_ntop(AF_INET6, &c->instances[0].peers6[1], ip, sizeof(ip));
	assert_string_equal(ip, "fe80::1");
	inet_ntop(AF_INET6, &c->instances[0].unicast_src6, ip, sizeof(ip));
	assert_string_equal(ip, "2001:db8::11");
	conf_free(c);
	/* the option for the other IPv4 checksum means nothing on v2 */
	msgs = conf_text_msgs(INSTANCE_HEAD VIP_LINE
			      "    v3_checksum_as_v2 = true;\n"
			      "  };\n};\n",
			      CONF_VRRP, &rc, NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(msgs, ":6: warning: v3_checksum_as_v2 has no "
				     "effect on a version 2 instance"));
	free(msgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_family),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
