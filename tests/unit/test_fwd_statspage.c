/* fwd's status page, pure parts: HTTP request parsing, Basic auth,
 * routing, and the JSON / HTML / Prometheus renderings of a snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/json.h"
#include "httpreq.h"
#include "statspage.h"

static enum httpreq_result parse(const char *text, struct httpreq *req)
{
	return httpreq_parse(text, strlen(text), req);
}

static void test_parse_ok(void **state)
{
	struct httpreq req;

	(void)state;
	assert_int_equal(parse("GET /stats.json?x=1 HTTP/1.1\r\nHost: a\r\n"
			       "authorization:   Basic YWRtaW46c2VjcmV0  \r\n"
			       "\r\n",
			       &req),
			 HTTPREQ_OK);
	assert_string_equal(req.method, "GET");
	assert_string_equal(req.path, "/stats.json");
	assert_string_equal(req.auth, "Basic YWRtaW46c2VjcmV0");
	/* bare LF line ends (curl -0 style tools, netcat) */
	assert_int_equal(parse("HEAD / HTTP/1.0\n\n", &req), HTTPREQ_OK);
	assert_string_equal(req.method, "HEAD");
	assert_string_equal(req.path, "/");
	assert_string_equal(req.auth, "");
}

static void test_parse_more_and_bad(void **state)
{
	static const char *const bad[] = {
	    "GET /\r\n\r\n",			 /* no version */
	    "GET / HTTP/2.0\r\n\r\n",		 /* not 1.x */
	    "GET stats HTTP/1.1\r\n\r\n",	 /* not a path */
	    "GET  / HTTP/1.1\r\n\r\n",		 /* empty target */
	    "GET / HTTP/1.1\r\nNoColon\r\n\r\n", /* header without ':' */
	    "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
	    "/ HTTP/1.1\r\n\r\n",
	    /* RFC 9112 5.1: no whitespace between name and colon */
	    "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
	    "GET / HTTP/1.1\r\nAuthorization\t: Basic YQ==\r\n\r\n",
	    "GET / HTTP/1.1\r\nA b: c\r\n\r\n", /* not a token */
	    "GET / HTTP/1.1\r\nA(b): c\r\n\r\n",
	    /* a second Authorization: which one would count? (RFC 9110
	     * 5.3: only list-valued fields may repeat) */
	    "GET / HTTP/1.1\r\nAuthorization: Basic YQ==\r\n"
	    "authorization: Basic Yg==\r\n\r\n",
	    "GET / HTTP/1.1\r\nAuthorization:\r\n"
	    "Authorization: Basic Yg==\r\n\r\n",
	};
	struct httpreq req;
	size_t i;
	char nul[] = "GET /\0x HTTP/1.1\r\n\r\n";

	(void)state;
	assert_int_equal(parse("", &req), HTTPREQ_MORE);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\n", &req),
			 HTTPREQ_MORE);
	assert_int_equal(parse("GET / HTTP/1.1\r\n\r", &req), HTTPREQ_MORE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("bad[%zu]\n", i);
		assert_int_equal(parse(bad[i], &req), HTTPREQ_BAD);
	}
	assert_int_equal(httpreq_parse(nul, sizeof(nul) - 1, &req),
			 HTTPREQ_BAD);
	/* every token character is allowed in a name */
	assert_int_equal(parse("GET / HTTP/1.1\r\nX-a_b.c!#$%&'*+^`|~9: v\r\n"
			       "Authorization: Basic YQ==\r\n\r\n",
			       &req),
			 HTTPREQ_OK);
	assert_string_equal(req.auth, "Basic YQ==");
}

static void test_b64(void **state)
{
	unsigned char out[32];

	(void)state;
	assert_int_equal(httpreq_b64_decode("YWRtaW46c2VjcmV0", 16, out, 32),
			 12);
	assert_memory_equal(out, "admin:secret", 12);
	assert_int_equal(httpreq_b64_decode("YQ==", 4, out, 32), 1);
	assert_int_equal(out[0], 'a');
	assert_int_equal(httpreq_b64_decode("YWI=", 4, out, 32), 2);
	assert_memory_equal(out, "ab", 2);
	assert_int_equal(httpreq_b64_decode("+/+/", 4, out, 32), 3);
	assert_int_equal(out[0], 0xfb);
	assert_int_equal(httpreq_b64_decode("", 0, out, 32), 0);
	assert_int_equal(httpreq_b64_decode("YWI", 3, out, 32), -1);
	assert_int_equal(httpreq_b64_decode("Y=I=", 4, out, 32), -1);
	assert_int_equal(httpreq_b64_decode("YQ==YQ==", 8, out, 32), -1);
	assert_int_equal(httpreq_b64_decode("YW*=", 4, out, 32), -1);
	assert_int_equal(httpreq_b64_decode("YWRtaW46", 8, out, 5), -1);
}

static void test_auth(void **state)
{
	(void)state;
	assert_true(httpreq_secret_equal("abc", 3, "abc", 3));
	assert_false(httpreq_secret_equal("abd", 3, "abc", 3));
	assert_false(httpreq_secret_equal("ab", 2, "abc", 3));
	assert_false(httpreq_secret_equal("abcd", 4, "abc", 3));
	assert_true(httpreq_secret_equal("", 0, "", 0));
	/* no auth configured: anything goes */
	assert_true(httpreq_auth_ok("", NULL));
	assert_true(httpreq_auth_ok("", ""));
	assert_true(httpreq_auth_ok("Basic YWRtaW46c2VjcmV0", "admin:secret"));
	assert_true(httpreq_auth_ok("basic YWRtaW46c2VjcmV0", "admin:secret"));
	/* admin:secreT, admin:secret2, admin */
	assert_false(httpreq_auth_ok("Basic YWRtaW46c2VjcmVU", "admin:secret"));
	assert_false(
	    httpreq_auth_ok("Basic YWRtaW46c2VjcmV0Mg==", "admin:secret"));
	assert_false(httpreq_auth_ok("Basic YWRtaW4=", "admin:secret"));
	assert_false(httpreq_auth_ok("", "admin:secret"));
	assert_false(
	    httpreq_auth_ok("Bearer YWRtaW46c2VjcmV0", "admin:secret"));
	assert_false(httpreq_auth_ok("Basic !!!!", "admin:secret"));
}

static void test_route(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(stats_route("/", "/"), STATS_PAGE_HTML);
	assert_int_equal(stats_route("/", "/stats.json"), STATS_PAGE_JSON);
	assert_int_equal(stats_route("/", "/metrics"), STATS_PAGE_METRICS);
	assert_int_equal(stats_route("/", "/metrics/"), STATS_PAGE_NONE);
	assert_int_equal(stats_route("/", "/favicon.ico"), STATS_PAGE_NONE);
	assert_int_equal(stats_route("/stats", "/stats"), STATS_PAGE_HTML);
	assert_int_equal(stats_route("/stats", "/stats/"), STATS_PAGE_HTML);
	assert_int_equal(stats_route("/stats", "/stats/stats.json"),
			 STATS_PAGE_JSON);
	assert_int_equal(stats_route("/stats", "/stats/metrics"),
			 STATS_PAGE_METRICS);
	assert_int_equal(stats_route("/stats", "/statsstats.json"),
			 STATS_PAGE_NONE);
	assert_int_equal(stats_route("/stats", "/metrics"), STATS_PAGE_NONE);
	assert_int_equal(stats_route("/stats", "/"), STATS_PAGE_NONE);
	assert_int_equal(stats_route("/lb/", "/lb/metrics"),
			 STATS_PAGE_METRICS);
	assert_string_equal(stats_base("/stats", buf, sizeof(buf)), "/stats/");
	assert_string_equal(stats_base("/", buf, sizeof(buf)), "/");
}

/* ---- rendering ----------------------------------------------------------- */

struct fixture {
	struct stats_snap s;
	struct snap_listen l;
	struct snap_server srv[2];
	char binds[1][SNAP_ADDR_MAX];
	struct snap_inst inst;
};

static void fill(struct fixture *x, bool connected)
{
	memset(x, 0, sizeof(*x));
	strcpy(x->s.node, "lbA");
	x->s.now_wall = 1700000000;
	x->s.cur = 3;
	x->s.maxconn = 4096;
	x->s.total = 77;
	x->s.listens = &x->l;
	x->s.n_listens = 1;
	x->l.name = "web";
	strcpy(x->binds[0], "198.18.0.50:8080");
	x->l.binds = x->binds;
	x->l.n_binds = 1;
	x->l.state = "OPEN";
	x->l.balance = "roundrobin";
	x->l.cur = 3;
	x->l.maxconn = 4096;
	x->l.total = 77;
	x->l.bytes_in = 1000;
	x->l.bytes_out = 5 << 20;
	x->l.servers = x->srv;
	x->l.n_servers = 2;
	x->srv[0] = (struct snap_server){.name = "s1",
					 .state = "UP",
					 .health = "UP",
					 .admin = "READY",
					 .check = "ok",
					 .weight = 1,
					 .cur = 3,
					 .total = 70,
					 .bytes_in = 900,
					 .checks_ok = 12,
					 .checks_fail = 1,
					 .last_change_wall = 1699999000,
					 .last_change_ago_ms = 1000000};
	strcpy(x->srv[0].address, "198.18.0.21:9000");
	x->srv[1] = (struct snap_server){.name = "a\"b\\<i>",
					 .state = "DOWN",
					 .health = "DOWN",
					 .admin = "READY",
					 .check = "Connection refused",
					 .weight = 1,
					 .total = 7,
					 .check_ago_ms = -1};
	strcpy(x->srv[1].address, "198.18.0.22:9000");
	x->s.vrrpd.enabled = true;
	x->s.vrrpd.connected = connected;
	x->s.vrrpd.status_age_ms = connected ? 120 : -1;
	if (!connected)
		return;
	x->s.vrrpd.router_id = "lbA";
	x->s.vrrpd.inst = &x->inst;
	x->s.vrrpd.n_inst = 1;
	x->inst = (struct snap_inst){.name = "VI_1",
				     .state = "MASTER",
				     .detail = true,
				     .priority = 101,
				     .effective_priority = 103,
				     .master_ip = "198.18.0.11",
				     .last_reason = "higher priority",
				     .transitions = 2,
				     .adverts_sent = 40,
				     .adverts_received = 5,
				     .n_drops = 2};
	x->inst.drops[0] = (struct snap_drop){"ttl", 3};
	x->inst.drops[1] = (struct snap_drop){"auth_pass", 0};
}

static void test_json(void **state)
{
	struct fixture x;
	struct sbuf sb;
	struct json *j;
	const struct json *l, *s, *v, *in;

	(void)state;
	fill(&x, true);
	sbuf_init(&sb);
	statspage_json(&x.s, &sb);
	j = json_parse(sbuf_str(&sb));
	assert_non_null(j);
	assert_int_equal(json_num(j, "cur", -1), 3);
	assert_int_equal(json_num(j, "total", -1), 77);
	l = json_get(j, "listeners")->kids;
	assert_string_equal(json_str(l, "name", ""), "web");
	assert_string_equal(json_get(l, "binds")->kids->str,
			    "198.18.0.50:8080");
	assert_int_equal(json_num(l, "bytes_out", -1), 5 << 20);
	s = json_get(l, "servers")->kids;
	assert_string_equal(json_str(s, "state", ""), "UP");
	assert_int_equal(json_num(json_get(s, "check"), "ok", -1), 12);
	assert_string_equal(json_str(s->next, "name", ""), "a\"b\\<i>");
	assert_string_equal(json_str(s->next, "health", ""), "DOWN");
	v = json_get(j, "vrrpd");
	assert_true(json_num(v, "connected", 0) == 1);
	assert_string_equal(json_str(v, "router_id", ""), "lbA");
	in = json_get(v, "instances")->kids;
	assert_string_equal(json_str(in, "state", ""), "MASTER");
	assert_int_equal(json_num(in, "effective_priority", -1), 103);
	assert_string_equal(json_str(in, "master_ip", ""), "198.18.0.11");
	assert_int_equal(json_num(json_get(in, "drops"), "ttl", -1), 3);
	json_free(j);
	sbuf_free(&sb);
}

/* Every sample follows its metric's # TYPE line, and a metric's samples
 * are contiguous (the exposition format's rules). */
static void check_prom_shape(const char *text)
{
	char typed[64][80];
	size_t n = 0, i;
	char cur[80] = "";
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		char name[80];
		size_t len;

		assert_non_null(nl);
		if (strncmp(p, "# TYPE ", 7) == 0) {
			sscanf(p + 7, "%79s", cur);
			for (i = 0; i < n; i++)
				assert_string_not_equal(typed[i], cur);
			assert_true(n < 64);
			strcpy(typed[n++], cur);
		} else if (*p != '#') {
			len = strcspn(p, "{ ");
			assert_true(len < sizeof(name));
			memcpy(name, p, len);
			name[len] = '\0';
			assert_string_equal(name, cur);
		}
		p = nl + 1;
	}
}

static void test_prom(void **state)
{
	struct fixture x;
	struct sbuf sb;
	const char *t;

	(void)state;
	fill(&x, true);
	sbuf_init(&sb);
	statspage_prom(&x.s, &sb);
	t = sbuf_str(&sb);
	check_prom_shape(t);
	assert_non_null(strstr(t, "# TYPE fwd_vrrp_state gauge\n"));
	assert_non_null(strstr(
	    t, "fwd_vrrp_state{instance=\"VI_1\",state=\"MASTER\"} 1\n"));
	assert_non_null(strstr(
	    t, "fwd_vrrp_state{instance=\"VI_1\",state=\"BACKUP\"} 0\n"));
	assert_non_null(
	    strstr(t, "fwd_vrrp_priority{instance=\"VI_1\"} 101\n"));
	assert_non_null(
	    strstr(t, "fwd_vrrp_effective_priority{instance=\"VI_1\"} 103\n"));
	assert_non_null(
	    strstr(t, "fwd_vrrp_transitions_total{instance=\"VI_1\"} 2\n"));
	assert_non_null(strstr(t, "fwd_vrrp_adverts_dropped_total{instance="
				  "\"VI_1\",reason=\"ttl\"} 3\n"));
	assert_non_null(strstr(t, "fwd_vrrpd_connected 1\n"));
	assert_non_null(
	    strstr(t, "fwd_server_up{listener=\"web\",server=\"s1\"} 1\n"));
	/* label values escaped: a"b\<i> */
	assert_non_null(strstr(
	    t, "fwd_server_up{listener=\"web\",server=\"a\\\"b\\\\<i>\"} 0\n"));
	assert_non_null(strstr(t, "fwd_server_checks_total{listener=\"web\","
				  "server=\"s1\",result=\"fail\"} 1\n"));
	assert_non_null(strstr(
	    t, "fwd_listener_bytes_out_total{listener=\"web\"} 5242880\n"));
	assert_non_null(strstr(t, "fwd_connections 3\n"));
	sbuf_free(&sb);
	/* without vrrpd: state lines vanish, the TYPE lines stay */
	fill(&x, false);
	sbuf_init(&sb);
	statspage_prom(&x.s, &sb);
	t = sbuf_str(&sb);
	check_prom_shape(t);
	assert_non_null(strstr(t, "fwd_vrrpd_connected 0\n"));
	assert_null(strstr(t, "fwd_vrrp_state{"));
	sbuf_free(&sb);
}

/* an anycast_instance's state is its own gauge, not a VRRP state */
static void test_prom_anycast(void **state)
{
	struct snap_inst two[2];
	struct fixture x;
	struct sbuf sb;
	const char *t;

	(void)state;
	fill(&x, true);
	two[0] = x.inst;
	two[1] = (struct snap_inst){.name = "AC", .state = "ANNOUNCED"};
	x.s.vrrpd.inst = two;
	x.s.vrrpd.n_inst = 2;
	sbuf_init(&sb);
	statspage_prom(&x.s, &sb);
	t = sbuf_str(&sb);
	check_prom_shape(t);
	assert_non_null(strstr(t, "# TYPE fwd_anycast_announced gauge\n"));
	assert_non_null(
	    strstr(t, "fwd_anycast_announced{instance=\"AC\"} 1\n"));
	assert_null(strstr(t, "fwd_anycast_announced{instance=\"VI_1\"}"));
	assert_null(strstr(t, "fwd_vrrp_state{instance=\"AC\""));
	assert_non_null(strstr(
	    t, "fwd_vrrp_state{instance=\"VI_1\",state=\"MASTER\"} 1\n"));
	sbuf_free(&sb);
	two[1].state = "WITHDRAWN";
	sbuf_init(&sb);
	statspage_prom(&x.s, &sb);
	assert_non_null(strstr(sbuf_str(&sb),
			       "fwd_anycast_announced{instance=\"AC\"} 0\n"));
	sbuf_free(&sb);
}

static void test_html(void **state)
{
	struct fixture x;
	struct sbuf sb;
	const char *t;

	(void)state;
	fill(&x, true);
	sbuf_init(&sb);
	statspage_html(&x.s, "/stats/", 6500, &sb);
	t = sbuf_str(&sb);
	assert_non_null(strstr(t, "<meta name=\"viewport\" content=\"width="
				  "device-width, initial-scale=1\">"));
	assert_non_null(
	    strstr(t, "<meta http-equiv=\"refresh\" content=\"7\">"));
	assert_non_null(strstr(t, "<span class=\"st MASTER\">MASTER</span>"));
	assert_non_null(strstr(t, "103 (101 configured)"));
	assert_non_null(strstr(t, "198.18.0.11"));
	assert_non_null(strstr(t, "<span class=\"st DOWN\">DOWN</span>"));
	assert_non_null(strstr(t, "a&quot;b\\&lt;i&gt;"));
	assert_null(strstr(t, "<i>"));
	assert_non_null(strstr(t, "href=\"/stats/stats.json\""));
	assert_non_null(strstr(t, "href=\"/stats/metrics\""));
	assert_non_null(strstr(t, "5.0 MiB"));
	assert_non_null(strstr(t, "16m 40s ago"));
	assert_null(strstr(t, "<script"));
	assert_null(strstr(t, "http://")); /* no external asset */
	assert_null(strstr(t, "https://"));
	assert_null(strstr(t, "not connected"));
	sbuf_free(&sb);
	fill(&x, false);
	sbuf_init(&sb);
	statspage_html(&x.s, "/", 5000, &sb);
	t = sbuf_str(&sb);
	assert_non_null(strstr(t, "vrrpd: not connected"));
	assert_null(strstr(t, "MASTER<"));
	sbuf_free(&sb);
}

static void test_helpers(void **state)
{
	char b[32];
	struct sbuf sb;

	(void)state;
	assert_string_equal(statspage_bytes(0, b, sizeof(b)), "0 B");
	assert_string_equal(statspage_bytes(1023, b, sizeof(b)), "1023 B");
	assert_string_equal(statspage_bytes(1536, b, sizeof(b)), "1.5 KiB");
	assert_string_equal(statspage_bytes(300ULL << 30, b, sizeof(b)),
			    "300 GiB");
	assert_string_equal(statspage_ago(999, b, sizeof(b)), "0s");
	assert_string_equal(statspage_ago(61000, b, sizeof(b)), "1m 1s");
	assert_string_equal(statspage_ago(7500000, b, sizeof(b)), "2h 5m");
	assert_string_equal(statspage_ago(90000000, b, sizeof(b)), "1d 1h");
	sbuf_init(&sb);
	statspage_html_esc(&sb, "<a href='x'>&</a>");
	assert_string_equal(sbuf_str(&sb),
			    "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
	sbuf_reset(&sb);
	statspage_prom_label(&sb, "a\\b\"c\nd");
	assert_string_equal(sbuf_str(&sb), "\"a\\\\b\\\"c\\nd\"");
	sbuf_free(&sb);
}

/* stats.admin: the headers a POST needs, and the page's buttons. */
static void test_admin_post_and_buttons(void **state)
{
	static const char post[] =
	    "POST /admin HTTP/1.1\r\nHost: 198.18.0.11:8404\r\n"
	    "Origin: http://198.18.0.11:8404\r\nContent-Length: 12\r\n"
	    "Referer: http://198.18.0.11:8404/\r\n\r\ntoken=x&a=b";
	struct httpreq req;
	struct fixture x;
	struct sbuf sb;

	(void)state;
	assert_int_equal(httpreq_parse(post, sizeof(post) - 1, &req),
			 HTTPREQ_OK);
	assert_string_equal(req.method, "POST");
	assert_string_equal(req.host, "198.18.0.11:8404");
	assert_string_equal(req.origin, "http://198.18.0.11:8404");
	assert_string_equal(req.referer, "http://198.18.0.11:8404/");
	assert_int_equal(req.content_length, 12);
	assert_string_equal(post + req.head_len, "token=x&a=b");
	assert_int_equal(httpreq_parse("GET / HTTP/1.1\r\n\r\n", 18, &req),
			 HTTPREQ_OK);
	assert_int_equal(req.content_length, -1);
	assert_int_equal(httpreq_parse("POST / HTTP/1.1\r\nContent-Length: "
				       "-1\r\n\r\n",
				       40, &req),
			 HTTPREQ_BAD);
	assert_int_equal(httpreq_parse("POST / HTTP/1.1\r\nContent-Length: "
				       "9999999999\r\n\r\n",
				       48, &req),
			 HTTPREQ_BAD);

	fill(&x, true);
	sbuf_init(&sb);
	statspage_html(&x.s, "/", 5000, &sb);
	assert_null(strstr(sbuf_str(&sb), "<form"));
	sbuf_free(&sb);
	x.s.admin_token = "0123456789abcdef0123456789abcdef";
	sbuf_init(&sb);
	statspage_html(&x.s, "/st/", 5000, &sb);
	assert_non_null(strstr(
	    sbuf_str(&sb),
	    "<form method=\"post\" action=\"/st/admin\"><input type=\"hidden\" "
	    "name=\"token\" value=\"0123456789abcdef0123456789abcdef\"><input "
	    "type=\"hidden\" name=\"listen\" value=\"web\"><input "
	    "type=\"hidden\" name=\"server\" value=\"s1\"><button "
	    "name=\"action\" value=\"enable\" class=\"adm\">enable</button>"));
	/* names are escaped in the form too */
	assert_non_null(strstr(sbuf_str(&sb), "value=\"a&quot;b\\&lt;i&gt;\""));
	sbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_ok),
	    cmocka_unit_test(test_parse_more_and_bad),
	    cmocka_unit_test(test_b64),
	    cmocka_unit_test(test_auth),
	    cmocka_unit_test(test_route),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_prom),
	    cmocka_unit_test(test_prom_anycast),
	    cmocka_unit_test(test_html),
	    cmocka_unit_test(test_helpers),
	    cmocka_unit_test(test_admin_post_and_buttons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
