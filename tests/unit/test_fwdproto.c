/* The fwd <-> vrrpd link protocol, both directions (common/fwdproto.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "fwdproto.h"
#include "json.h"
#include "sbuf.h"

static void test_classify(void **state)
{
	(void)state;
	assert_int_equal(fwdproto_classify("hello fwd 1"), FWDPROTO_HELLO);
	assert_int_equal(fwdproto_classify("health web 1 1 1.2.3.4:1"),
			 FWDPROTO_HEALTH);
	assert_int_equal(fwdproto_classify("status"), FWDPROTO_NONE);
	assert_int_equal(fwdproto_classify("hello"), FWDPROTO_NONE);
	assert_int_equal(fwdproto_classify("healthy"), FWDPROTO_NONE);
	assert_int_equal(fwdproto_classify("heartbeat"), FWDPROTO_HEARTBEAT);
	assert_int_equal(fwdproto_classify("heartbeat \r"), FWDPROTO_HEARTBEAT);
	assert_int_equal(fwdproto_classify("heartbeats"), FWDPROTO_NONE);
	assert_int_equal(fwdproto_classify("heartbeat 1"), FWDPROTO_NONE);
}

/* What fwd sends is what vrrpd parses. */
static void test_encode_fwd_lines(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(443)};
	struct sockaddr_in6 b = {.sin6_family = AF_INET6,
				 .sin6_port = htons(80)};
	const struct sockaddr *binds[] = {(struct sockaddr *)&a,
					  (struct sockaddr *)&b};
	struct fwd_health h;
	struct sbuf sb;
	char why[128], *lines[3];
	int v = 0, i;

	(void)state;
	inet_pton(AF_INET, "198.18.0.50", &a.sin_addr);
	inet_pton(AF_INET6, "2001:db8::1", &b.sin6_addr);
	sbuf_init(&sb);
	fwdproto_put_hello(&sb, FWDPROTO_VERSION);
	fwdproto_put_health(&sb, "web", 1, 2, binds, 2);
	fwdproto_put_heartbeat(&sb);
	assert_string_equal(sbuf_str(&sb),
			    "hello fwd 2\n"
			    "health web 1 2 198.18.0.50:443,[2001:db8::1]:80\n"
			    "heartbeat\n");
	lines[0] = sb.buf;
	for (i = 0; i < 2; i++) {
		lines[i + 1] = strchr(lines[i], '\n') + 1;
		lines[i + 1][-1] = '\0';
	}
	sb.buf[sb.len - 1] = '\0';
	assert_int_equal(fwdproto_classify(lines[0]), FWDPROTO_HELLO);
	assert_int_equal(fwdproto_classify(lines[1]), FWDPROTO_HEALTH);
	assert_int_equal(fwdproto_classify(lines[2]), FWDPROTO_HEARTBEAT);
	assert_int_equal(fwdproto_parse_hello(lines[0], &v), 0);
	assert_int_equal(v, FWDPROTO_VERSION);
	assert_int_equal(fwdproto_parse_health(lines[1], &h, why, sizeof(why)),
			 0);
	assert_string_equal(h.listener, "web");
	assert_int_equal(h.up, 1);
	assert_int_equal(h.n_binds, 1);
	assert_int_equal(h.binds[0].s_addr, a.sin_addr.s_addr);
	sbuf_free(&sb);
}

/* What vrrpd pushes is what fwd parses, quotes and all. */
static void test_state_event(void **state)
{
	struct fwd_state_event ev;
	struct json *j;
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb);
	fwdproto_put_state(&sb, "VI_1", "MASTER", 103, "say \"hi\"\n");
	assert_string_equal(sbuf_str(&sb),
			    "{\"event\":\"state\",\"instance\":\"VI_1\","
			    "\"state\":\"MASTER\",\"priority\":103,"
			    "\"reason\":\"say \\\"hi\\\"\\u000a\"}\n");
	j = json_parse(sbuf_str(&sb));
	assert_non_null(j);
	assert_int_equal(fwdproto_parse_state(j, &ev), 0);
	assert_string_equal(ev.instance, "VI_1");
	assert_string_equal(ev.state, "MASTER");
	assert_int_equal(ev.priority, 103);
	assert_string_equal(ev.reason, "say \"hi\"\n");
	json_free(j);
	sbuf_free(&sb);

	/* the reply to hello and other answers are not events */
	sbuf_init(&sb);
	fwdproto_put_hello_ok(&sb, 1);
	assert_string_equal(sbuf_str(&sb), "{\"ok\":true,\"proto\":1}\n");
	j = json_parse(sbuf_str(&sb));
	assert_int_equal(fwdproto_parse_state(j, &ev), -EINVAL);
	json_free(j);
	sbuf_free(&sb);
	j = json_parse("{\"event\":\"other\"}");
	assert_int_equal(fwdproto_parse_state(j, &ev), -EINVAL);
	json_free(j);
}

static void test_hello(void **state)
{
	int v = 0;

	(void)state;
	assert_int_equal(fwdproto_parse_hello("hello fwd 1", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(fwdproto_parse_hello("hello fwd 2", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(fwdproto_parse_hello("hello fwd", &v), -EINVAL);
	assert_int_equal(fwdproto_parse_hello("hello fwd 0", &v), -EINVAL);
	assert_int_equal(fwdproto_parse_hello("hello fwd 1 x", &v), -EINVAL);
	/* an overflowing version is refused, not wrapped (found by lint) */
	assert_int_equal(fwdproto_parse_hello("hello fwd 4294967297", &v),
			 -EINVAL);
	assert_int_equal(fwdproto_parse_hello("hello fwd -1", &v), -EINVAL);
	assert_int_equal(fwdproto_parse_hello("hello vrrpd 1", &v), -EINVAL);
}

static void test_health(void **state)
{
	struct fwd_health h;
	char why[128], ip[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(
	    fwdproto_parse_health("health web_ext 2 3 198.18.0.50:443,"
				  "[2001:db8::1]:443,198.18.0.51:80",
				  &h, why, sizeof(why)),
	    0);
	assert_string_equal(h.listener, "web_ext");
	assert_int_equal(h.up, 2);
	assert_int_equal(h.total, 3);
	assert_int_equal(h.n_binds, 2);
	inet_ntop(AF_INET, &h.binds[1], ip, sizeof(ip));
	assert_string_equal(ip, "198.18.0.51");
	/* the IPv6 bind is kept apart, for the IPv6 VIPs (VRRPv3) */
	assert_int_equal(h.n_binds6, 1);
	inet_ntop(AF_INET6, &h.binds6[0], ip, sizeof(ip));
	assert_string_equal(ip, "2001:db8::1");
}

/* A port range's sockets (up to 1024, fwd-listen) go out as one address:
 * before, 17 ports made a health line vrrpd refused ("more than 16"). */
static void test_health_port_range(void **state)
{
	struct sockaddr_in a[1024];
	const struct sockaddr *binds[1024];
	struct fwd_health h;
	struct sbuf sb;
	char why[128];
	int i;

	(void)state;
	for (i = 0; i < 1024; i++) {
		a[i] = (struct sockaddr_in){
		    .sin_family = AF_INET, .sin_port = htons(60000 + i % 1000)};
		inet_pton(AF_INET, i < 1000 ? "198.18.0.50" : "198.18.0.51",
			  &a[i].sin_addr);
		binds[i] = (const struct sockaddr *)&a[i];
	}
	sbuf_init(&sb);
	fwdproto_put_health(&sb, "rpc", 2, 2, binds, 1024);
	assert_string_equal(
	    sbuf_str(&sb),
	    "health rpc 2 2 198.18.0.50:60000,198.18.0.51:60000\n");
	sb.buf[sb.len - 1] = '\0';
	assert_int_equal(fwdproto_parse_health(sb.buf, &h, why, sizeof(why)),
			 0);
	assert_int_equal(h.n_binds, 2);
	sbuf_free(&sb);
}

static void test_bind6_serves(void **state)
{
	struct in6_addr vip, other, any = IN6ADDR_ANY_INIT;

	(void)state;
	inet_pton(AF_INET6, "2001:2::50", &vip);
	inet_pton(AF_INET6, "2001:2::51", &other);
	assert_true(fwdproto_bind6_serves(&vip, &vip));
	assert_false(fwdproto_bind6_serves(&other, &vip));
	assert_true(fwdproto_bind6_serves(&any, &vip));
}

static void test_health_bad(void **state)
{
	static const struct {
		const char *line, *why;
	} bad[] = {
	    {"health web 2 3", "expected: health LISTENER UP TOTAL "
			       "BIND[,BIND...]"},
	    {"health web 2 3 1.2.3.4:80 extra",
	     "expected: health LISTENER UP TOTAL BIND[,BIND...]"},
	    {"health web x 3 1.2.3.4:80",
	     "UP and TOTAL must be numbers, UP <= TOTAL"},
	    {"health web 4 3 1.2.3.4:80",
	     "UP and TOTAL must be numbers, UP <= TOTAL"},
	    {"health web -1 3 1.2.3.4:80",
	     "UP and TOTAL must be numbers, UP <= TOTAL"},
	    {"health web 1 3 1.2.3.4", "bind '1.2.3.4' is not ADDRESS:PORT"},
	    {"health web 1 3 1.2.3.4:80,,", NULL},
	};
	struct fwd_health h;
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc =
		    fwdproto_parse_health(bad[i].line, &h, why, sizeof(why));

		print_message("%s\n", bad[i].line);
		if (!bad[i].why) {
			/* empty items between commas are skipped */
			assert_int_equal(rc, 0);
			assert_int_equal(h.n_binds, 1);
			continue;
		}
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(why, bad[i].why);
	}
}

/* A wildcard listener ("*:443" is 0.0.0.0:443) serves every VIP. */
static void test_bind_serves(void **state)
{
	struct in_addr vip, other, any;
	struct fwd_health h;
	char why[128];

	(void)state;
	inet_pton(AF_INET, "198.18.0.50", &vip);
	inet_pton(AF_INET, "198.18.0.51", &other);
	assert_true(fwdproto_bind_serves(vip, vip));
	assert_false(fwdproto_bind_serves(other, vip));
	assert_int_equal(fwdproto_parse_health("health web 0 2 0.0.0.0:443", &h,
					       why, sizeof(why)),
			 0);
	assert_int_equal(h.n_binds, 1);
	any = h.binds[0];
	assert_true(fwdproto_bind_serves(any, vip));
	assert_true(fwdproto_bind_serves(any, other));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_encode_fwd_lines),
	    cmocka_unit_test(test_state_event),
	    cmocka_unit_test(test_hello),
	    cmocka_unit_test(test_health),
	    cmocka_unit_test(test_health_bad),
	    cmocka_unit_test(test_bind_serves),
	    cmocka_unit_test(test_bind6_serves),
	    cmocka_unit_test(test_health_port_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
