/* The PROXY protocol codec, with the examples of HAProxy's
 * proxy-protocol.txt (sections 2.1 and 2.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "proxyproto.h"

static struct sockaddr_storage v4(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &s->sin_addr), 1);
	return ss;
}

static struct sockaddr_storage v6(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, ip, &s->sin6_addr), 1);
	return ss;
}

static int decode_str(const char *s, struct pp_info *pi, const char **why)
{
	return pp_decode((const uint8_t *)s, strlen(s), pi, why);
}

static void assert_v4(const struct sockaddr_storage *ss, const char *ip,
		      uint16_t port)
{
	const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
	char buf[INET_ADDRSTRLEN];

	assert_int_equal(s->sin_family, AF_INET);
	inet_ntop(AF_INET, &s->sin_addr, buf, sizeof(buf));
	assert_string_equal(buf, ip);
	assert_int_equal(ntohs(s->sin_port), port);
}

/* spec 2.1's example and worst cases */
static void test_v1_spec(void **state)
{
	struct pp_info pi;
	const char *why;
	const char *ex = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n";
	const char *tcp4max = "PROXY TCP4 255.255.255.255 255.255.255.255 "
			      "65535 65535\r\n";
	const char *tcp6max =
	    "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	const char *unk6 =
	    "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";

	(void)state;
	assert_int_equal(decode_str(ex, &pi, &why), (int)strlen(ex));
	assert_false(pi.local);
	assert_v4(&pi.src, "192.168.0.1", 56324);
	assert_v4(&pi.dst, "192.168.0.11", 443);
	assert_int_equal(strlen(tcp4max), 56);
	assert_int_equal(decode_str(tcp4max, &pi, &why), 56);
	assert_int_equal(strlen(tcp6max), 104);
	assert_int_equal(decode_str(tcp6max, &pi, &why), 104);
	assert_int_equal(pi.src.ss_family, AF_INET6);
	assert_int_equal(decode_str("PROXY UNKNOWN\r\n", &pi, &why), 15);
	assert_true(pi.local);
	assert_int_equal(strlen(unk6), 107);
	assert_int_equal(decode_str(unk6, &pi, &why), 107);
	assert_true(pi.local);
	/* the client's own bytes follow; only the header is consumed */
	assert_int_equal(
	    decode_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nGET /", &pi, &why),
	    32);
}

static void test_v1_partial_and_bad(void **state)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
	    {"GET / HTTP/1.0\r\n", "no PROXY header"},
	    {"PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
	     "v1 protocol is not TCP4, TCP6 or UNKNOWN"},
	    {"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
	     "v1 header does not have 6 fields"},
	    {"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",
	     "v1 header does not have 6 fields"},
	    {"PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n",
	     "v1 source address or port is invalid"},
	    {"PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n",
	     "v1 destination address or port is invalid"},
	    {"PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n",
	     "v1 source address or port is invalid"},
	    {"PROXY TCP4 ::1 ::1 1 2\r\n",
	     "v1 source address or port is invalid"},
	    {"PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n",
	     "v1 header holds a control character or double space"},
	    {"PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n",
	     "v1 header holds a control character or double space"},
	};
	char longline[200];
	struct pp_info pi;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(decode_str(bad[i].in, &pi, &why), -1);
		assert_string_equal(why, bad[i].why);
	}
	/* a NUL inside the line (found by fuzz_proxyproto) */
	assert_int_equal(pp_decode((const uint8_t *)"PROXY TCP4 1.2.3.4 "
						    "5.6.7.8 1 2\0x\r\n",
				   34, &pi, &why),
			 -1);
	assert_string_equal(
	    why, "v1 header holds a control character or double space");
	/* incomplete: wait for more */
	assert_int_equal(decode_str("PRO", &pi, &why), 0);
	assert_int_equal(decode_str("PROXY TCP4 1.2.3.4", &pi, &why), 0);
	assert_int_equal(
	    decode_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r", &pi, &why), 0);
	/* no CRLF within 107 bytes */
	memset(longline, 'A', sizeof(longline));
	memcpy(longline, "PROXY ", 6);
	longline[sizeof(longline) - 1] = '\0';
	assert_int_equal(decode_str(longline, &pi, &why), -1);
	assert_string_equal(why, "v1 header has no CRLF in 107 bytes");
}

static void test_v1_encode(void **state)
{
	struct sockaddr_storage a = v4("192.168.0.1", 56324),
				b = v4("192.168.0.11", 443);
	struct sockaddr_storage c = v6("2001:db8::1", 1),
				d = v6("2001:db8::50", 443);
	char buf[PP_V1_MAX + 1];
	struct pp_info pi;
	const char *why;

	(void)state;
	assert_int_equal(
	    pp_encode_v1((struct sockaddr *)&a, (struct sockaddr *)&b, buf),
	    47);
	assert_string_equal(
	    buf, "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");
	pp_encode_v1((struct sockaddr *)&c, (struct sockaddr *)&d, buf);
	assert_string_equal(buf,
			    "PROXY TCP6 2001:db8::1 2001:db8::50 1 443\r\n");
	assert_int_equal(decode_str(buf, &pi, &why), (int)strlen(buf));
	assert_memory_equal(&pi.src, &c, sizeof(struct sockaddr_in6));
	/* mixed families: UNKNOWN */
	pp_encode_v1((struct sockaddr *)&a, (struct sockaddr *)&d, buf);
	assert_string_equal(buf, "PROXY UNKNOWN\r\n");
}

/* spec 2.2: the 12-byte signature, 0x21 PROXY, 0x11 TCP4, length 12 */
static void test_v2_spec(void **state)
{
	static const uint8_t tcp4[] = {
	    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49,
	    0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C, 192,  168,  0,	  1,
	    192,  168,	0,    11,   0xDC, 0x04, 0x01, 0xBB, 'G',  'E'};
	static const uint8_t local[] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
					0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
					0x20, 0x00, 0x00, 0x00};
	/* TCP4 with a 3-byte TLV (PP2_TYPE_ALPN "h2") after the addresses */
	static const uint8_t tlv[] = {
	    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54,
	    0x0A, 0x21, 0x11, 0x00, 0x11, 10,	0,    0,    1,	  10,	0,
	    0,	  2,	0x00, 0x50, 0x01, 0xBB, 0x01, 0x00, 0x02, 'h',	'2'};
	struct sockaddr_storage a = v4("192.168.0.1", 56324),
				b = v4("192.168.0.11", 443);
	uint8_t buf[PP_V2_MAX];
	struct pp_info pi;
	const char *why;

	(void)state;
	assert_int_equal(pp_decode(tcp4, sizeof(tcp4), &pi, &why), 28);
	assert_false(pi.local);
	assert_v4(&pi.src, "192.168.0.1", 56324);
	assert_v4(&pi.dst, "192.168.0.11", 443);
	assert_int_equal(
	    pp_encode_v2((struct sockaddr *)&a, (struct sockaddr *)&b, buf),
	    28);
	assert_memory_equal(buf, tcp4, 28);
	assert_int_equal(pp_decode(local, sizeof(local), &pi, &why), 16);
	assert_true(pi.local);
	assert_int_equal(pp_decode(tlv, sizeof(tlv), &pi, &why), 33);
	assert_v4(&pi.src, "10.0.0.1", 80);
	/* every prefix is incomplete, never an error */
	for (size_t n = 0; n < 28; n++)
		assert_int_equal(pp_decode(tcp4, n, &pi, &why), 0);
}

static void test_v2_ipv6_and_bad(void **state)
{
	struct sockaddr_storage c = v6("2001:db8::1", 40000),
				d = v6("2001:db8::50", 443);
	uint8_t buf[PP_V2_MAX + 600];
	struct pp_info pi;
	const char *why;

	(void)state;
	assert_int_equal(
	    pp_encode_v2((struct sockaddr *)&c, (struct sockaddr *)&d, buf),
	    52);
	assert_int_equal(buf[13], 0x21);
	assert_int_equal(pp_decode(buf, 52, &pi, &why), 52);
	assert_memory_equal(&pi.src, &c, sizeof(struct sockaddr_in6));
	assert_memory_equal(&pi.dst, &d, sizeof(struct sockaddr_in6));

	buf[12] = 0x11; /* version 1 in a v2 header */
	assert_int_equal(pp_decode(buf, 52, &pi, &why), -1);
	assert_string_equal(why, "v2 version is not 2");
	buf[12] = 0x22; /* command 2 */
	assert_int_equal(pp_decode(buf, 52, &pi, &why), -1);
	assert_string_equal(why, "v2 command is neither LOCAL nor PROXY");
	buf[12] = 0x21;
	buf[15] = 20; /* IPv6 with 20 bytes of addresses */
	assert_int_equal(pp_decode(buf, 52, &pi, &why), -1);
	assert_string_equal(why, "v2 IPv6 addresses are truncated");
	buf[14] = 0x02; /* 532 + 16 bytes: beyond PP_READ_MAX */
	buf[15] = 0x14;
	assert_int_equal(pp_decode(buf, sizeof(buf), &pi, &why), -1);
	assert_string_equal(why, "v2 header is too long");
	buf[14] = 0;
	buf[15] = 36;
	buf[13] = 0xF1;
	assert_int_equal(pp_decode(buf, 52, &pi, &why), -1);
	assert_string_equal(why, "v2 address family or protocol is invalid");
	buf[13] = 0x00; /* UNSPEC: use the connection's own addresses */
	assert_int_equal(pp_decode(buf, 52, &pi, &why), 52);
	assert_true(pi.local);
	buf[7] = 0x52; /* a broken signature */
	assert_int_equal(pp_decode(buf, 52, &pi, &why), -1);
	assert_string_equal(why, "no PROXY header");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v1_spec),
	    cmocka_unit_test(test_v1_partial_and_bad),
	    cmocka_unit_test(test_v1_encode),
	    cmocka_unit_test(test_v2_spec),
	    cmocka_unit_test(test_v2_ipv6_and_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
