/* The config comparison behind vrrpd's reload: what counts as the same
 * instance, and which keys a difference is charged to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_diff.h"

/* One instance; the %s slots take the priority line and the VIP list. */
#define INST(name, vrid, prio, vips)                                           \
	"  " name " = { interface = \"lo\"; virtual_router_id = " #vrid        \
	"; priority = " #prio "; virtual_ipaddress = [ " vips " ];"            \
	" authentication = { auth_type = \"PASS\"; auth_pass = \"pw\"; };"     \
	" notify = \"/bin/true\"; };\n"

static struct conf *load(const char *instances)
{
	char path[] = "/tmp/vrrpd-diff-XXXXXX";
	struct conf_diag d;
	struct conf *c = NULL;
	char *text;
	int fd;

	assert_true(asprintf(&text,
			     "global_defs = { router_id = \"t\"; };\n"
			     "vrrp_instance = {\n%s};\n",
			     instances) > 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	free(text);
	conf_diag_init(&d);
	if (conf_load(path, CONF_VRRP, &c, &d) < 0)
		fail_msg("%s", sbuf_str(&d.text));
	conf_diag_free(&d);
	unlink(path);
	return c;
}

static unsigned diff_of(const char *a, const char *b, enum conf_change want)
{
	struct conf *x = load(a), *y = load(b);
	unsigned bits = 0xffff;

	assert_int_equal(conf_instance_change(x, y, "VI_1", &bits), want);
	conf_free(x);
	conf_free(y);
	return bits;
}

static void same_file_is_same(void **state)
{
	const char *t = INST("VI_1", 51, 101, "\"198.18.0.50/24\"");

	(void)state;
	assert_int_equal(diff_of(t, t, CONF_SAME), 0);
}

static void priority_change(void **state)
{
	(void)state;
	assert_int_equal(diff_of(INST("VI_1", 51, 101, "\"198.18.0.50/24\""),
				 INST("VI_1", 51, 90, "\"198.18.0.50/24\""),
				 CONF_CHANGED),
			 CONF_DIFF_PRIORITY);
}

static void vip_changes(void **state)
{
	(void)state;
	/* one more address */
	assert_int_equal(diff_of(INST("VI_1", 51, 101, "\"198.18.0.50/24\""),
				 INST("VI_1", 51, 101,
				      "\"198.18.0.50/24\", \"198.18.0.51/24\""),
				 CONF_CHANGED),
			 CONF_DIFF_VIPS);
	/* same address, other prefix */
	assert_int_equal(diff_of(INST("VI_1", 51, 101, "\"198.18.0.50/24\""),
				 INST("VI_1", 51, 101, "\"198.18.0.50/32\""),
				 CONF_CHANGED),
			 CONF_DIFF_VIPS);
	/* same set, other order: the advert's list differs */
	assert_int_equal(
	    diff_of(
		INST("VI_1", 51, 101, "\"198.18.0.50/24\", \"198.18.0.51/24\""),
		INST("VI_1", 51, 101, "\"198.18.0.51/24\", \"198.18.0.50/24\""),
		CONF_CHANGED),
	    CONF_DIFF_VIPS);
}

static void vrid_change_needs_restart(void **state)
{
	unsigned bits;

	(void)state;
	bits =
	    diff_of(INST("VI_1", 51, 101, "\"198.18.0.50/24\""),
		    INST("VI_1", 52, 90, "\"198.18.0.50/24\""), CONF_CHANGED);
	assert_int_equal(bits, CONF_DIFF_VRID | CONF_DIFF_PRIORITY);
	assert_true(bits & CONF_DIFF_RESTART);
	assert_false(CONF_DIFF_PRIORITY & CONF_DIFF_RESTART);
	assert_string_equal(conf_diff_str(CONF_DIFF_VRID), "virtual_router_id");
}

static void added_and_removed(void **state)
{
	struct conf *one = load(INST("VI_1", 51, 101, "\"198.18.0.50/24\""));
	struct conf *two =
	    load(INST("VI_1", 51, 101, "\"198.18.0.50/24\"")
		     INST("VI_2", 52, 100, "\"198.18.0.51/24\""));
	unsigned bits;

	(void)state;
	assert_int_equal(conf_instance_change(one, two, "VI_1", &bits),
			 CONF_SAME);
	assert_int_equal(conf_instance_change(one, two, "VI_2", &bits),
			 CONF_ADDED);
	assert_int_equal(conf_instance_change(two, one, "VI_2", &bits),
			 CONF_REMOVED);
	assert_int_equal(conf_instance_change(one, two, "VI_9", &bits),
			 CONF_ABSENT);
	assert_string_equal(conf_change_str(CONF_ADDED), "added");
	conf_free(one);
	conf_free(two);
}

static void scripts_and_smtp(void **state)
{
	struct conf_script a = {.name = "chk",
				.script = "/bin/true",
				.interval_ms = 1000,
				.weight = 2};
	struct conf_script b = a;
	struct conf_global g = {.smtp_server = "198.18.0.25"}, h = g;
	char *e1[] = {"a@example.com"}, *e2[] = {"b@example.com"};

	(void)state;
	assert_true(conf_script_equal(&a, &b));
	b.interval_ms = 2000;
	assert_false(conf_script_equal(&a, &b));
	b = a;
	b.script = "/bin/false";
	assert_false(conf_script_equal(&a, &b));
	g.emails = e1;
	h.emails = e1;
	g.n_emails = h.n_emails = 1;
	assert_true(conf_global_smtp_equal(&g, &h));
	h.emails = e2;
	assert_false(conf_global_smtp_equal(&g, &h));
	h.emails = e1;
	h.smtp_server = "198.18.0.26";
	assert_false(conf_global_smtp_equal(&g, &h));
	h.smtp_server = g.smtp_server;
	assert_true(conf_global_smtp_equal(&g, &h));
	h.script_user = "mailer"; /* vrrpd-mail runs as someone else */
	assert_false(conf_global_smtp_equal(&g, &h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(same_file_is_same),
	    cmocka_unit_test(priority_change),
	    cmocka_unit_test(vip_changes),
	    cmocka_unit_test(vrid_change_needs_restart),
	    cmocka_unit_test(added_and_removed),
	    cmocka_unit_test(scripts_and_smtp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
