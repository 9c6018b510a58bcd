/* Alert e-mail composition: headers, body, reasons, times, SMTP URLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"

/* 2023-11-14 22:13:20 UTC; 23:13:20 in Paris (CET, +0100) */
#define T0 1700000000

static char *to2[] = {"ops@example.com", "Night Shift <night@example.com>"};

static struct conf_vip vips[2];

static struct alert_env env_make(void)
{
	struct alert_env e = {
	    .router_id = "lbA",
	    .host = "lb-a.example.com",
	    .from = "vrrpd@lbA.example.com",
	    .to = to2,
	    .n_to = 2,
	    .now = {.tv_sec = T0, .tv_nsec = 123456789},
	    .pid = 4242,
	    .seq = 7,
	};
	return e;
}

static struct alert_transition tr_make(const char *reason)
{
	struct alert_transition t = {
	    .instance = "VI_1",
	    .interface = "eth0",
	    .from = VRRP_STATE_BACKUP,
	    .to = VRRP_STATE_MASTER,
	    .reason = reason,
	    .priority = 98,
	    .base_priority = 100,
	    .vips = vips,
	    .n_vips = 2,
	};
	return t;
}

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	memset(vips, 0, sizeof(vips));
	inet_pton(AF_INET, "198.18.0.50", &vips[0].addr);
	vips[0].prefix = 24;
	inet_pton(AF_INET, "198.18.0.51", &vips[1].addr);
	vips[1].prefix = 32;
	snprintf(vips[1].dev, sizeof(vips[1].dev), "eth1");
	return 0;
}

static char *format(const struct alert_env *e, const struct alert_transition *t)
{
	struct sbuf sb;
	char *s;

	sbuf_init(&sb);
	if (t)
		alert_format_transition(&sb, e, t);
	else
		alert_format_test(&sb, e);
	assert_false(sb.oom);
	s = strdup(sbuf_str(&sb));
	sbuf_free(&sb);
	return s;
}

/* The header block (up to the blank line), NUL-terminated, malloc'd. */
static char *headers_of(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");

	assert_non_null(end);
	return strndup(msg, (size_t)(end - msg) + 2);
}

/* The value of a header, unfolded; NULL when absent or repeated. */
static char *header(const char *msg, const char *name)
{
	char *h = headers_of(msg), *p, *out = NULL;
	size_t nlen = strlen(name);
	int seen = 0;

	for (p = h; *p;) {
		char *eol = strstr(p, "\r\n");

		assert_non_null(eol);
		if (strncmp(p, name, nlen) == 0 && p[nlen] == ':') {
			char *v = p + nlen + 1, *q = v, *w;

			seen++;
			/* include folded continuation lines */
			while (eol[2] == ' ' || eol[2] == '\t')
				eol = strstr(eol + 2, "\r\n");
			out = strndup(v, (size_t)(eol - v));
			for (q = w = out; *q; q++)
				if (*q != '\r' && *q != '\n')
					*w++ = *q;
			*w = '\0';
			if (out[0] == ' ')
				memmove(out, out + 1, strlen(out));
		}
		p = eol + 2;
	}
	free(h);
	if (seen != 1) {
		free(out);
		return NULL;
	}
	return out;
}

static void assert_header(const char *msg, const char *name, const char *want)
{
	char *v = header(msg, name);

	if (!v)
		fail_msg("header %s missing or repeated in:\n%s", name, msg);
	assert_string_equal(v, want);
	free(v);
}

static void test_headers(void **state)
{
	struct alert_env e = env_make();
	struct alert_transition t = tr_make("master down timer expired");
	char *m = format(&e, &t);

	(void)state;
	assert_header(m, "Date", "Tue, 14 Nov 2023 23:13:20 +0100");
	assert_header(m, "From", "vrrpd@lbA.example.com");
	assert_header(m, "To",
		      "ops@example.com, Night Shift <night@example.com>");
	assert_header(m, "Subject", "[lbA] VI_1: BACKUP -> MASTER");
	assert_header(m, "Message-ID", "<1700000000.4242.7@lbA>");
	assert_header(m, "MIME-Version", "1.0");
	assert_header(m, "Content-Type", "text/plain; charset=utf-8");
	assert_header(m, "Auto-Submitted", "auto-generated");
	free(m);
}

/* Every line ends in CRLF, no bare LF or CR, no line over 998 octets
 * (RFC 5322 2.1.1), and the body is separated by one empty line. */
static void assert_crlf(const char *m)
{
	const char *p, *line = m;

	for (p = m; *p; p++) {
		if (*p == '\n') {
			assert_true(p > m && p[-1] == '\r');
			assert_true(p - line <= 999);
			line = p + 1;
		}
		if (*p == '\r')
			assert_int_equal(p[1], '\n');
	}
	assert_true(p > m + 1 && p[-1] == '\n'); /* ends with a line end */
}

static void test_crlf(void **state)
{
	struct alert_env e = env_make();
	struct alert_transition t = tr_make("shutdown");
	char *m = format(&e, &t);

	(void)state;
	assert_crlf(m);
	assert_non_null(strstr(m, "\r\n\r\n"));
	free(m);
	m = format(&e, NULL);
	assert_crlf(m);
	free(m);
}

static const struct {
	enum vrrp_state from, to;
	const char *reason, *subject;
} reasons[] = {
    {VRRP_STATE_BACKUP, VRRP_STATE_MASTER, "master down timer expired",
     "[lbA] VI_1: BACKUP -> MASTER"},
    {VRRP_STATE_BACKUP, VRRP_STATE_MASTER,
     "priority 0 advert from 198.18.0.11 (master stopped)",
     "[lbA] VI_1: BACKUP -> MASTER"},
    {VRRP_STATE_MASTER, VRRP_STATE_BACKUP,
     "higher priority advert from 198.18.0.12 (priority 150)",
     "[lbA] VI_1: MASTER -> BACKUP"},
    {VRRP_STATE_MASTER, VRRP_STATE_FAULT, "track script chk_x failed",
     "[lbA] VI_1: MASTER -> FAULT"},
    {VRRP_STATE_BACKUP, VRRP_STATE_FAULT, "interface eth1 down",
     "[lbA] VI_1: BACKUP -> FAULT"},
    {VRRP_STATE_MASTER, VRRP_STATE_BACKUP, "forwarder lost",
     "[lbA] VI_1: MASTER -> BACKUP"},
    {VRRP_STATE_MASTER, VRRP_STATE_INIT, "shutdown",
     "[lbA] VI_1: MASTER -> INIT"},
    {VRRP_STATE_INIT, VRRP_STATE_BACKUP, "startup",
     "[lbA] VI_1: INIT -> BACKUP"},
};

static void test_reasons(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		struct alert_env e = env_make();
		struct alert_transition t = tr_make(reasons[i].reason);
		char want[256], *m, *body;

		t.from = reasons[i].from;
		t.to = reasons[i].to;
		m = format(&e, &t);
		assert_header(m, "Subject", reasons[i].subject);
		body = strstr(m, "\r\n\r\n") + 4;
		snprintf(want, sizeof(want), "Why:          %s\r\n",
			 reasons[i].reason);
		if (!strstr(body, want))
			fail_msg("row %zu: no '%s' in body:\n%s", i, want,
				 body);
		snprintf(want, sizeof(want), "Transition:   %s -> %s\r\n",
			 vrrp_state_str(t.from), vrrp_state_str(t.to));
		assert_non_null(strstr(body, want));
		snprintf(want, sizeof(want), "because: %s.\r\n",
			 reasons[i].reason);
		assert_non_null(strstr(body, want));
		free(m);
	}
}

static void test_body_fields(void **state)
{
	struct alert_env e = env_make();
	struct alert_transition t = tr_make("master down timer expired");
	char *m = format(&e, &t), *body = strstr(m, "\r\n\r\n") + 4;

	(void)state;
	assert_non_null(strstr(body, "Router:       lbA\r\n"));
	assert_non_null(strstr(body, "Instance:     VI_1 on eth0\r\n"));
	assert_non_null(strstr(body, "Priority:     98 (configured 100)\r\n"));
	assert_non_null(strstr(
	    body, "VIPs:         198.18.0.50/24, 198.18.0.51/32 dev eth1\r\n"));
	assert_non_null(
	    strstr(body, "Time (UTC):   2023-11-14 22:13:20.123 UTC\r\n"));
	assert_non_null(strstr(
	    body, "Time (local): 2023-11-14 23:13:20.123 +0100 CET\r\n"));
	assert_non_null(strstr(body, "now owns the virtual addresses"));
	assert_non_null(strstr(body, "pid 4242"));
	free(m);
}

/* A CR/LF smuggled into a value (an instance name, a reason built from a
 * packet) must not start a new header. */
static void test_header_injection(void **state)
{
	struct alert_env e = env_make();
	struct alert_transition t = tr_make("evil\r\nBcc: victim@example.com");
	char *m;

	(void)state;
	t.instance = "VI_1\r\nX-Injected: yes";
	m = format(&e, &t);
	assert_null(strstr(m, "\r\nBcc:"));
	assert_null(strstr(m, "\r\nX-Injected:"));
	assert_header(m, "Subject",
		      "[lbA] VI_1  X-Injected: yes: BACKUP -> MASTER");
	assert_crlf(m);
	free(m);
}

static void test_defaults(void **state)
{
	struct alert_env e = env_make();
	struct alert_transition t = tr_make(NULL);
	char *m;

	(void)state;
	e.router_id = NULL;
	e.from = NULL;
	e.n_to = 1;
	t.n_vips = 0;
	m = format(&e, &t);
	assert_header(m, "From", "vrrpd@lb-a.example.com");
	assert_header(m, "To", "ops@example.com");
	assert_header(m, "Subject",
		      "[lb-a.example.com] VI_1: BACKUP -> MASTER");
	assert_header(m, "Message-ID", "<1700000000.4242.7@lb-a.example.com>");
	assert_non_null(strstr(m, "Why:          unknown\r\n"));
	assert_non_null(strstr(m, "VIPs:         (none)\r\n"));
	free(m);
}

static void test_message_id_unique(void **state)
{
	struct alert_env e = env_make();
	char a[128], b[128], c[128];

	(void)state;
	assert_int_equal(alert_message_id(a, sizeof(a), &e), 0);
	e.seq++;
	assert_int_equal(alert_message_id(b, sizeof(b), &e), 0);
	e.pid++;
	assert_int_equal(alert_message_id(c, sizeof(c), &e), 0);
	assert_string_not_equal(a, b);
	assert_string_not_equal(b, c);
	/* a router_id that is not a dot-atom is made one */
	e.router_id = "lb A<1>";
	assert_int_equal(alert_message_id(a, sizeof(a), &e), 0);
	assert_string_equal(a, "<1700000000.4243.8@lb-A-1->");
	assert_int_equal(alert_message_id(a, 10, &e), -ENOSPC);
}

static void test_date(void **state)
{
	char d[64];

	(void)state;
	assert_int_equal(alert_date(d, sizeof(d), T0), 0);
	assert_string_equal(d, "Tue, 14 Nov 2023 23:13:20 +0100");
	/* summer time, and a zone west of UTC */
	assert_int_equal(alert_date(d, sizeof(d), 1688000000), 0);
	assert_string_equal(d, "Thu, 29 Jun 2023 02:53:20 +0200");
	setenv("TZ", "America/St_Johns", 1);
	tzset();
	assert_int_equal(alert_date(d, sizeof(d), T0), 0);
	assert_string_equal(d, "Tue, 14 Nov 2023 18:43:20 -0330");
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	assert_int_equal(alert_date(d, 8, T0), -ENOSPC);
}

static void test_test_message(void **state)
{
	struct alert_env e = env_make();
	char *m = format(&e, NULL), *d;

	(void)state;
	assert_header(m, "Subject", "[lbA] vrrpd test alert");
	assert_header(m, "From", "vrrpd@lbA.example.com");
	d = header(m, "Date");
	assert_non_null(d);
	free(d);
	assert_non_null(strstr(m, "vrrpctl alert-test"));
	free(m);
}

static void test_addr_spec(void **state)
{
	static const struct {
		const char *in, *out;
		int rc;
	} rows[] = {
	    {"ops@example.com", "ops@example.com", 0},
	    {"  ops@example.com ", "ops@example.com", 0},
	    {"Night Shift <night@example.com>", "night@example.com", 0},
	    {"<a@b>", "a@b", 0},
	    {"", NULL, -EINVAL},
	    {"Name <a@b", NULL, -EINVAL},
	    {"<>", NULL, -EINVAL},
	    {"a@b\r\nRCPT TO:<x@y>", NULL, -EINVAL},
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = alert_addr_spec(buf, sizeof(buf), rows[i].in);

		if (rc != rows[i].rc)
			fail_msg("row %zu '%s': rc %d, want %d", i, rows[i].in,
				 rc, rows[i].rc);
		if (rows[i].out)
			assert_string_equal(buf, rows[i].out);
	}
	assert_int_equal(alert_addr_spec(buf, 4, "ops@example.com"), -ENOSPC);
}

static void test_server_url(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
	    {"198.18.0.25", "smtp://198.18.0.25:25/lbA"},
	    {"198.18.0.25:2525", "smtp://198.18.0.25:2525/lbA"},
	    {"mail.example.com", "smtp://mail.example.com:25/lbA"},
	    {"smtp://mail.example.com", "smtp://mail.example.com:25/lbA"},
	    {"smtp://mail.example.com:587", "smtp://mail.example.com:587/lbA"},
	    {"smtps://mail.example.com", "smtps://mail.example.com:465/lbA"},
	    {"smtps://mail.example.com:2465",
	     "smtps://mail.example.com:2465/lbA"},
	    {"smtp://mx:25/custom.helo", "smtp://mx:25/custom.helo"},
	    {"[2001:db8::25]:2525", "smtp://[2001:db8::25]:2525/lbA"},
	    {"[2001:db8::25]", "smtp://[2001:db8::25]:25/lbA"},
	    {"2001:db8::25", "smtp://[2001:db8::25]:25/lbA"},
	    {"http://mx", NULL},
	    {"", NULL},
	    {"mx:0", NULL},
	    {"mx:70000", NULL},
	    {"mx:25x", NULL},
	    {":25", NULL},
	    {"user:pw@mx", NULL},
	    {"smtp://", NULL},
	    {"[2001:db8::25", NULL},
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = alert_server_url(buf, sizeof(buf), rows[i].in, "lbA");

		if (!rows[i].out) {
			if (rc != -EINVAL)
				fail_msg("'%s' accepted as %s", rows[i].in,
					 buf);
			continue;
		}
		if (rc != 0)
			fail_msg("'%s' rejected (%d)", rows[i].in, rc);
		assert_string_equal(buf, rows[i].out);
	}
	/* the EHLO name is made safe for a URL path */
	assert_int_equal(alert_server_url(buf, sizeof(buf), "mx", "lb a/x"), 0);
	assert_string_equal(buf, "smtp://mx:25/lb-a-x");
	assert_int_equal(alert_server_url(buf, 12, "mail.example.com", "x"),
			 -ENOSPC);
}

/* The coalesced summary: subject with the count and the state now, one
 * line per held transition (times in UTC), the omitted ones counted. */
static void test_summary(void **state)
{
	struct alert_env e = env_make();
	struct alert_transition t = tr_make("forwarder healthy\r\nBcc: x");
	struct alertq_item it[3] = {
	    {VRRP_STATE_MASTER, VRRP_STATE_BACKUP, 100, {T0, 5000000}, "lost"},
	    {VRRP_STATE_BACKUP, VRRP_STATE_MASTER, 102, {T0 + 1, 0}, "back"},
	    {VRRP_STATE_MASTER, VRRP_STATE_BACKUP, 100, {T0 + 2, 0}, "again"},
	};
	struct sbuf sb;
	const char *m;

	(void)state;
	t.from = VRRP_STATE_MASTER;
	t.to = VRRP_STATE_BACKUP;
	sbuf_init(&sb);
	alert_format_summary(&sb, &e, &t, it, 3, 4, 30000);
	m = sbuf_str(&sb);
	assert_header(m, "Subject", "[lbA] VI_1: 7 transitions, now BACKUP");
	assert_non_null(strstr(m, "changed state 7 times since the last "
				  "alert; it is now BACKUP."));
	assert_non_null(strstr(m, "at most one mail per 30 s"));
	assert_non_null(strstr(m, "\r\nTransitions since the last alert:\r\n"
				  "  22:13:20.005 UTC  MASTER -> BACKUP "
				  "(priority 100): lost\r\n"
				  "  22:13:21.000 UTC  BACKUP -> MASTER "
				  "(priority 102): back\r\n"
				  "  ... 4 more ...\r\n"
				  "  22:13:22.000 UTC  MASTER -> BACKUP "
				  "(priority 100): again\r\n"));
	/* a reason cannot forge a header */
	assert_null(strstr(m, "\r\nBcc:"));
	assert_crlf(m);
	sbuf_free(&sb);
}

/* issue #14: fwd's certificate expiry warning, mailed by vrrpd. */
static void test_cert_mail(void **state)
{
	struct alert_env e = env_make();
	struct sbuf sb;
	char *subj;

	(void)state;
	sbuf_init(&sb);
	alert_format_cert(&sb, &e, "web", "fe01", 3, (time_t)1796544536);
	subj = header(sbuf_str(&sb), "Subject");
	assert_string_equal(
	    subj, "[lbA] TLS certificate of web/fe01 expires in 3 days");
	free(subj);
	assert_non_null(strstr(sbuf_str(&sb), "Server:"));
	assert_non_null(strstr(sbuf_str(&sb), "web/fe01"));
	assert_non_null(strstr(sbuf_str(&sb), "2026-12-06 08:08:56 UTC"));
	sbuf_free(&sb);
	sbuf_init(&sb);
	alert_format_cert(&sb, &e, "web", "fe01", -1, (time_t)1796544536);
	subj = header(sbuf_str(&sb), "Subject");
	assert_string_equal(subj,
			    "[lbA] TLS certificate of web/fe01 has expired");
	free(subj);
	sbuf_free(&sb);
}

/* An IPv6 VIP (VRRPv3) is named as such, not as 0.0.0.0. */
static void test_ipv6_vip(void **state)
{
	struct alert_env e = env_make();
	struct alert_transition t = tr_make("startup");
	struct conf_vip v6 = {.family = AF_INET6, .prefix = 64};
	char *m;

	(void)state;
	inet_pton(AF_INET6, "2001:2::50", &v6.addr6);
	t.vips = &v6;
	t.n_vips = 1;
	m = format(&e, &t);
	assert_non_null(strstr(m, "VIPs:         2001:2::50/64\r\n"));
	assert_null(strstr(m, "0.0.0.0"));
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_headers, setup),
	    cmocka_unit_test_setup(test_summary, setup),
	    cmocka_unit_test_setup(test_crlf, setup),
	    cmocka_unit_test_setup(test_reasons, setup),
	    cmocka_unit_test_setup(test_body_fields, setup),
	    cmocka_unit_test_setup(test_header_injection, setup),
	    cmocka_unit_test_setup(test_defaults, setup),
	    cmocka_unit_test_setup(test_message_id_unique, setup),
	    cmocka_unit_test_setup(test_date, setup),
	    cmocka_unit_test_setup(test_test_message, setup),
	    cmocka_unit_test_setup(test_addr_spec, setup),
	    cmocka_unit_test_setup(test_server_url, setup),
	    cmocka_unit_test_setup(test_cert_mail, setup),
	    cmocka_unit_test_setup(test_ipv6_vip, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
