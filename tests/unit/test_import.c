/* vrrpd-import's pure parts (issue #13): the keepalived.conf and
 * haproxy.cfg readers, the HAProxy idiom, names, durations, and the
 * foreign-file sniffer of vrrpd -t / fwd -t. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_sniff.h"
#include "haproxy.h"
#include "keepalived.h"

/* include callback of the tests: "inc.conf" holds one script */
static void test_include(struct ka_reader *r, const char *pattern,
			 struct imp_src at, void *arg)
{
	static const char inc[] = "vrrp_script chk_inc {\n"
				  "  script \"/bin/true\"\n}\n";

	(void)at;
	(void)arg;
	if (strcmp(pattern, "conf.d/*.conf") == 0)
		ka_reader_feed(r, inc, strlen(inc), "conf.d/inc.conf");
}

static struct ka_conf *ka(const char *text, struct conf_diag *d)
{
	struct ka_reader *r;

	conf_diag_init(d);
	r = ka_reader_new(d, test_include, NULL);
	assert_non_null(r);
	ka_reader_feed(r, text, strlen(text), "k.conf");
	return ka_reader_finish(r);
}

static void test_ka_grammar(void **state)
{
	static const char text[] =
	    "! a comment\n"
	    "global_defs {\n"
	    "  router_id lb1   # trailing comment\n"
	    "  notification_email {\n    a@example.com\n    b@example.com\n"
	    "  }\n"
	    "  smtp_server 198.18.0.25 587\n"
	    "}\n"
	    "vrrp_script chk\n" /* the brace on the next line */
	    "{\n"
	    "  script \"/usr/bin/test -f /tmp/x # not a comment\"\n"
	    "  interval 1.5\n"
	    "}\n"
	    "include conf.d/*.conf\n"
	    "vrrp_instance VI_1 { state BACKUP\n"
	    "  interface eth0\n"
	    "  virtual_router_id 7\n"
	    "  virtual_ipaddress { 198.18.0.50/24 dev eth0 }\n"
	    "  track_script {\n    chk weight -5\n  }\n"
	    "  track_script {\n    chk_inc\n  }\n"
	    "}\n";
	struct conf_diag d;
	struct ka_conf *c = ka(text, &d);

	(void)state;
	assert_non_null(c);
	assert_string_equal(sbuf_str(&d.text), "");
	assert_string_equal(c->router_id, "lb1");
	assert_int_equal(c->emails.n, 2);
	assert_string_equal(c->emails.v[1], "b@example.com");
	assert_string_equal(c->smtp_server, "198.18.0.25:587");
	assert_int_equal(c->n_scripts, 2);
	assert_string_equal(c->scripts[0].script,
			    "/usr/bin/test -f /tmp/x # not a comment");
	assert_int_equal(c->scripts[0].interval_ms, 1500);
	assert_string_equal(c->scripts[1].name, "chk_inc");
	assert_string_equal(c->scripts[1].at.file, "conf.d/inc.conf");
	assert_int_equal(c->scripts[1].at.line, 1);
	assert_int_equal(c->n_instances, 1);
	assert_string_equal(c->instances[0].state, "BACKUP");
	assert_int_equal(c->instances[0].vrid, 7);
	assert_int_equal(c->instances[0].vips.n, 1);
	assert_string_equal(c->instances[0].vips.v[0],
			    "198.18.0.50/24 dev eth0");
	assert_int_equal(c->instances[0].n_scripts, 2);
	assert_string_equal(c->instances[0].scripts[1].name, "chk_inc");
	assert_int_equal(c->instances[0].scripts[0].weight, -5);
	assert_true(c->instances[0].scripts[0].weight_set);
	assert_int_equal(c->instances[0].at.line, 16);
	ka_conf_free(c);
	conf_diag_free(&d);
}

/* seed 003: keepalived ignores a typo; so does the import, and says so */
static void test_ka_unknown_keyword(void **state)
{
	static const char text[] = "vrrp_script chk_haproxy {\n"
				   "     script \"killall -0 haproxy\"\n"
				   "     interval 2\n"
				   "     weigth 2\n"
				   "}\n"
				   "vrrp_instance VI_1 {\n"
				   "  use_vmac\n"
				   "  frobnicate 3\n"
				   "}\n"
				   "vrrp_instance VI_2 {\n";
	struct conf_diag d;
	struct ka_conf *c = ka(text, &d);

	(void)state;
	assert_string_equal(
	    sbuf_str(&d.text),
	    "k.conf:10: warning: 1 block(s) not closed at the end of the "
	    "file; read to the end as keepalived does\n"
	    "k.conf:4: warning: vrrp_script: unknown keyword 'weigth' (did "
	    "you mean 'weight'?); keepalived ignores it, so does the "
	    "import\n"
	    "k.conf:7: warning: vrrp_instance: 'use_vmac' not carried: vrrpd "
	    "has no such setting\n"
	    "k.conf:8: warning: vrrp_instance: unknown keyword 'frobnicate'; "
	    "keepalived ignores it, so does the import\n");
	assert_int_equal(c->scripts[0].weight, 0);
	assert_false(c->scripts[0].weight_set);
	assert_int_equal(c->n_instances, 2);
	ka_conf_free(c);
	conf_diag_free(&d);
}

static void test_ka_idiom(void **state)
{
	static const char *const yes[] = {
	    "killall -0 haproxy",
	    "/usr/bin/killall -0 haproxy",
	    "pidof haproxy",
	    "/bin/pidof haproxy",
	    "pgrep haproxy",
	    "pgrep -x haproxy",
	    "systemctl is-active haproxy",
	    "systemctl is-active --quiet haproxy",
	    "/bin/systemctl is-active -q haproxy.service",
	    NULL};
	static const char *const no[] = {"killall -0 nginx",
					 "killall haproxy",
					 "pidof haproxy nginx",
					 "pgrep -f haproxy",
					 "systemctl status haproxy",
					 "curl -f http://127.0.0.1/",
					 "",
					 "killall -0",
					 NULL};
	size_t i;

	(void)state;
	for (i = 0; yes[i]; i++)
		assert_true(ka_script_checks_haproxy(yes[i]));
	for (i = 0; no[i]; i++)
		assert_false(ka_script_checks_haproxy(no[i]));
	assert_false(ka_script_checks_haproxy(NULL));
}

static struct hap_conf *hap(const char *text, struct conf_diag *d)
{
	conf_diag_init(d);
	return hap_parse(text, strlen(text), "h.cfg", d);
}

/* defaults are copied when a proxy starts; a new defaults section
 * starts over from HAProxy's own */
static void test_hap_defaults(void **state)
{
	static const char text[] = "defaults\n"
				   "  mode tcp\n"
				   "  balance leastconn\n"
				   "  retries 2\n"
				   "  contimeout 4000\n"
				   "  clitimeout 1m\n"
				   "  default-server inter 1s\n"
				   "listen a 198.18.0.1:80,198.18.0.1:81\n"
				   "  server s1 198.18.0.10:80 check\n"
				   "  balance source\n"
				   "defaults\n"
				   "  timeout connect 5s\n"
				   "listen b\n"
				   "  bind *:90\n"
				   "  timeout tunnel 1h\n"
				   "  server s1 198.18.0.10 check port 9\n";
	struct conf_diag d;
	struct hap_conf *c = hap(text, &d);
	const struct hap_proxy *a, *b;

	(void)state;
	assert_string_equal(sbuf_str(&d.text), "");
	assert_int_equal(c->n_proxies, 2);
	a = hap_find(c, HAP_LISTEN, "a");
	b = hap_find(c, HAP_LISTEN, "b");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->n_binds, 2);
	assert_int_equal(a->binds[1].port, 81);
	assert_string_equal(a->balance, "source");
	assert_int_equal(a->retries, 2);
	assert_int_equal(a->t.connect, 4000);
	assert_int_equal(a->t.client, 60000);
	assert_int_equal(a->servers[0].inter_ms, 1000);
	assert_int_equal(a->servers[0].port, 80);
	assert_null(b->balance);
	assert_int_equal(b->retries, -1);
	assert_int_equal(b->t.connect, 5000);
	assert_int_equal(b->t.client, -1);
	assert_int_equal(b->t.tunnel, 3600000);
	assert_string_equal(b->binds[0].host, "");
	assert_int_equal(b->binds[0].port, 90);
	assert_int_equal(b->servers[0].inter_ms, 2000);
	assert_int_equal(b->servers[0].port, 0);
	assert_int_equal(b->servers[0].check_port, 9);
	hap_conf_free(c);
	conf_diag_free(&d);
}

static void test_hap_http_and_acl(void **state)
{
	static const char text[] = "global\n"
				   "  chroot /var/lib/haproxy\n"
				   "  user haproxy\n"
				   "frontend f\n"
				   "  mode http\n"
				   "  bind 198.18.0.1:443 ssl crt /etc/x.pem\n"
				   "  http-request deny if { src 10.0.0.0/8 }\n"
				   "  use_backend b1 if is_api\n"
				   "  default_backend b2\n"
				   "  stats realm My\\ Realm\n"
				   "  stats auth \"u:p w\"\n";
	struct conf_diag d;
	struct hap_conf *c = hap(text, &d);
	const struct hap_proxy *f;

	(void)state;
	assert_string_equal(
	    sbuf_str(&d.text),
	    "h.cfg:2: warning: chroot not carried: fwd runs in the sandbox "
	    "of fwd.service (ProtectSystem, no capabilities) instead\n"
	    "h.cfg:6: warning: bind 198.18.0.1:443 ssl crt ...: TLS "
	    "termination not carried: fwd forwards TCP as it comes; the back "
	    "ends get TLS\n"
	    "h.cfg:7: warning: f: 'http-request' not carried: an HTTP mode "
	    "rule; fwd forwards TCP and does not read requests\n"
	    "h.cfg:8: warning: use_backend b1 if ...: not carried: fwd has no "
	    "ACLs; conditions cannot pick a backend\n");
	assert_int_equal(d.warnings, 4);
	assert_string_equal(c->user, "haproxy");
	f = hap_find(c, HAP_FRONTEND, "f");
	assert_int_equal(f->mode, HAP_MODE_HTTP);
	assert_int_equal(f->mode_at.line, 5);
	assert_string_equal(f->backend, "b2");
	assert_string_equal(f->stats.realm, "My Realm");
	assert_string_equal(f->stats.auth, "u:p w");
	hap_conf_free(c);
	conf_diag_free(&d);
}

static void test_util(void **state)
{
	char name[CONF_NAME_MAX];

	(void)state;
	assert_int_equal(imp_parse_ms("4000", 1), 4000);
	assert_int_equal(imp_parse_ms("10s", 1), 10000);
	assert_int_equal(imp_parse_ms("30m", 1), 1800000);
	assert_int_equal(imp_parse_ms("1h", 1), 3600000);
	assert_int_equal(imp_parse_ms("2d", 1), 172800000);
	assert_int_equal(imp_parse_ms("1500us", 1), 1);
	assert_int_equal(imp_parse_ms("10x", 1), -1);
	assert_int_equal(imp_parse_ms("-1", 1), -1);
	assert_int_equal(imp_parse_ms("", 1), -1);
	assert_true(imp_setting_name("50", "VI_", name));
	assert_string_equal(name, "VI_50");
	assert_false(imp_setting_name("Exchange2010-HTTP", "L_", name));
	assert_string_equal(name, "Exchange2010-HTTP");
	assert_true(imp_setting_name("www.example.com", "L_", name));
	assert_string_equal(name, "www_example_com");
	assert_true(imp_setting_name("", "L_", name));
	assert_string_equal(name, "L_unnamed");
}

static void test_sort_messages(void **state)
{
	struct sbuf t;

	(void)state;
	sbuf_init(&t);
	sbuf_puts(&t, "k.conf:10: note: b\n"
		      "h.cfg:3: warning: c\n"
		      "k.conf:2: warning: a\n"
		      "k.conf:10: note: b2\n"
		      "h.cfg:0: warning: d\n");
	imp_sort_messages(&t);
	assert_string_equal(sbuf_str(&t), "k.conf:2: warning: a\n"
					  "k.conf:10: note: b\n"
					  "k.conf:10: note: b2\n"
					  "h.cfg:0: warning: d\n"
					  "h.cfg:3: warning: c\n");
	sbuf_free(&t);
}

static void test_sniff(void **state)
{
	static const char ka_text[] = "! Configuration File for keepalived\n"
				      "global_defs {\n router_id x\n}\n";
	static const char hap_text[] = "global\n    maxconn 4000\n"
				       "defaults\n    mode http\n"
				       "listen stats :7000\n    stats enable\n";
	static const char ours[] = "global_defs = {\n  router_id = \"x\";\n"
				   "};\nvrrp_instance = { };\n";
	static const char prose[] = "global warming\nlisten to me\n";

	(void)state;
	assert_int_equal(conf_sniff(ka_text, strlen(ka_text)),
			 CONF_FOREIGN_KEEPALIVED);
	assert_int_equal(conf_sniff(hap_text, strlen(hap_text)),
			 CONF_FOREIGN_HAPROXY);
	assert_int_equal(conf_sniff(ours, strlen(ours)), CONF_FOREIGN_NONE);
	assert_int_equal(conf_sniff(prose, strlen(prose)), CONF_FOREIGN_NONE);
	assert_int_equal(conf_sniff("", 0), CONF_FOREIGN_NONE);
	/* a NUL where a word is (fuzz_conf found it reading past a list) */
	assert_int_equal(conf_sniff("listen\0x\n", 9), CONF_FOREIGN_NONE);
	assert_int_equal(conf_sniff("\0\n  server a\n", 13), CONF_FOREIGN_NONE);
}

/* vrrpd -t / fwd -t on a foreign file: the libconfig error, then the
 * command that converts it */
static void test_sniff_load(void **state)
{
	char path[] = "/tmp/vrrpd-import-XXXXXX";
	static const char text[] = "vrrp_instance VI_1 {\n  state MASTER\n}\n";
	struct conf_diag d;
	struct conf *c = NULL;
	char want[256];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	conf_diag_init(&d);
	assert_int_equal(conf_load(path, CONF_ALL, &c, &d), -1);
	snprintf(want, sizeof(want),
		 "%s: this looks like a keepalived.conf; convert it with: "
		 "vrrpd-import --keepalived %s -o vrrpd.conf\n",
		 path, path);
	assert_non_null(strstr(sbuf_str(&d.text), want));
	unlink(path);
	conf_diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ka_grammar),
	    cmocka_unit_test(test_ka_unknown_keyword),
	    cmocka_unit_test(test_ka_idiom),
	    cmocka_unit_test(test_hap_defaults),
	    cmocka_unit_test(test_hap_http_and_acl),
	    cmocka_unit_test(test_util),
	    cmocka_unit_test(test_sort_messages),
	    cmocka_unit_test(test_sniff),
	    cmocka_unit_test(test_sniff_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
