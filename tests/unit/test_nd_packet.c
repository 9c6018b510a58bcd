/* The unsolicited Neighbour Advertisement: layout of RFC 4861 4.4 and
 * the ICMPv6 checksum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "nd_packet.h"
#include "packet.h"

static void test_na(void **state)
{
	const uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x00, 0x01, 0x33};
	struct in6_addr src, target, all;
	uint8_t pkt[ND_NA_LEN], sum[40 + 32] = {0};
	int router;

	(void)state;
	inet_pton(AF_INET6, "fe80::12", &src);
	inet_pton(AF_INET6, "2001:2::50", &target);
	inet_pton(AF_INET6, "ff02::1", &all);
	assert_int_equal(nd_na_build(mac, &src, &target, false, pkt, 71), 0);
	for (router = 0; router <= 1; router++) {
		assert_int_equal(
		    nd_na_build(mac, &src, &target, router, pkt, sizeof(pkt)),
		    72);
		assert_int_equal(pkt[0] >> 4, 6);
		assert_int_equal(pkt[4] << 8 | pkt[5], 32); /* payload */
		assert_int_equal(pkt[6], 58);		    /* ICMPv6 */
		assert_int_equal(pkt[7], 255);		    /* hop limit */
		assert_memory_equal(pkt + 8, &src, 16);
		assert_memory_equal(pkt + 24, &all, 16);
		assert_int_equal(pkt[40], 136); /* NA */
		assert_int_equal(pkt[41], 0);
		/* Override; Router only when we route; never Solicited */
		assert_int_equal(pkt[44], router ? 0xa0 : 0x20);
		assert_memory_equal(pkt + 48, &target, 16);
		assert_int_equal(pkt[64], 2); /* target link-layer address */
		assert_int_equal(pkt[65], 1);
		assert_memory_equal(pkt + 66, mac, 6);
		/* the checksum sums to zero with the pseudo-header */
		memcpy(sum, &src, 16);
		memcpy(sum + 16, &all, 16);
		sum[35] = 32;
		sum[39] = 58;
		memcpy(sum + 40, pkt + 40, 32);
		assert_int_equal(vrrp_checksum(sum, sizeof(sum)), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_na),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
