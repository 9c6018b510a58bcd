#include "nd_packet.h"

#include <arpa/inet.h>
#include <string.h>

#include "packet.h"

#define ICMP6_NA       136
#define NA_ROUTER      0x80
#define NA_OVERRIDE    0x20
#define OPT_TARGET_LLA 2

size_t nd_na_build(const uint8_t mac[6], const struct in6_addr *src,
		   const struct in6_addr *target, bool router, uint8_t *buf,
		   size_t size)
{
	uint8_t sum_buf[40 + 32] = {0};
	uint8_t *icmp = buf + 40;
	struct in6_addr all_nodes;
	uint16_t sum;

	if (size < ND_NA_LEN)
		return 0;
	inet_pton(AF_INET6, "ff02::1", &all_nodes);
	memset(buf, 0, ND_NA_LEN);
	/* RFC 8200 3: version 6, payload 32 bytes, ICMPv6, hop limit 255
	 * (RFC 4861 7.1.2: receivers drop NAs with any other) */
	buf[0] = 0x60;
	buf[5] = 32;
	buf[6] = IPPROTO_ICMPV6;
	buf[7] = 255;
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, &all_nodes, 16);
	/* RFC 4861 4.4 */
	icmp[0] = ICMP6_NA;
	icmp[4] = NA_OVERRIDE | (router ? NA_ROUTER : 0);
	memcpy(icmp + 8, target, 16);
	icmp[24] = OPT_TARGET_LLA;
	icmp[25] = 1; /* in units of 8 bytes */
	memcpy(icmp + 26, mac, 6);
	/* RFC 4443 2.3: over the pseudo-header of RFC 8200 8.1 */
	memcpy(sum_buf, src, 16);
	memcpy(sum_buf + 16, &all_nodes, 16);
	sum_buf[35] = 32;
	sum_buf[39] = IPPROTO_ICMPV6;
	memcpy(sum_buf + 40, icmp, 32);
	sum = vrrp_checksum(sum_buf, sizeof(sum_buf));
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
	return ND_NA_LEN;
}
