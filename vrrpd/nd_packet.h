/*
 * The unsolicited Neighbour Advertisement a new IPv6 Master sends for each
 * VIP (RFC 5798 6.4.2, RFC 4861 7.2.6), built whole (IPv6 header and
 * all) for a packet socket. Pure: addresses in, bytes out.
 */
#ifndef VRRPD_ND_PACKET_H
#define VRRPD_ND_PACKET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ND_NA_LEN (40 + 24 + 8) /* IPv6 header, NA, target link-layer */

/* To ff02::1 from src, hop limit 255, Override set, Solicited clear,
 * Router as given, with mac as the target's link-layer address. Returns
 * the length, or 0 if buf is too small. */
size_t nd_na_build(const uint8_t mac[6], const struct in6_addr *src,
		   const struct in6_addr *target, bool router, uint8_t *buf,
		   size_t size);

#endif
