/*
 * libFuzzer target: the VRRP receive path (vrrpd/packet.c).
 *
 * Input: a 12-byte prefix that builds the instance's expectations, then
 * the addresses it names, then the packet as a raw socket delivers it
 * (IP header first):
 *   [0] vrid  [1] advert_int  [2] flags: bit0 owner, bits1-2 auth_type,
 *       bits3-4 mode: 0 VRRPv2, 1 and 3 VRRPv3 over IPv4, 2 VRRPv3 over
 *       IPv6
 *   [3] counts: bits0-1 vips, bits2-3 own addresses, bits4-5 peers
 *   [4..11] the configured password
 *   then 4 bytes per address (16 for IPv6: vips, own, peers), then the
 *   packet; for IPv6, which a socket delivers without its header, 16
 *   bytes source, 16 destination and the hop limit come first.
 * Checks, besides the sanitizers: decode accepts only what RFC 3768 7.1
 * or RFC 5798 7.1 allows, the decoded advert re-encodes to the same
 * bytes, and validate gives exactly the reason an independent model of
 * the rules gives.
 */
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"

#define PREFIX 12

#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_packet: %s:%d: %s\n", __FILE__,  \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

static bool in_set(struct in_addr x, const struct in_addr *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].s_addr == x.s_addr)
			return true;
	return false;
}

static bool in_set6(const struct in6_addr *x, const struct in6_addr *s,
		    size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(&s[i], x, 16) == 0)
			return true;
	return false;
}

/* The 7.1 rules in order, written again from the RFC, as the oracle. */
static enum vrrp_drop model(const struct vrrp_advert *a,
			    const struct vrrp_rx *rx,
			    const struct vrrp_expect *e, bool *mismatch)
{
	bool v6 = e->family == AF_INET6;

	*mismatch = false;
	if (v6 ? in_set6(&rx->src6, e->own6, e->n_own)
	       : in_set(rx->src, e->own, e->n_own))
		return VRRP_DROP_OWN_ADDRESS;
	if (e->n_peers && !(v6 ? in_set6(&rx->src6, e->peers6, e->n_peers)
			       : in_set(rx->src, e->peers, e->n_peers)))
		return VRRP_DROP_NOT_PEER;
	if (a->vrid != e->vrid || e->owner)
		return VRRP_DROP_VRID;
	if (e->version == 3) {
		/* RFC 5798: no authentication, no interval check */
		if (a->n_addrs != e->n_vips)
			*mismatch = true;
		for (size_t i = 0; i < a->n_addrs; i++)
			if (!(v6 ? in_set6(&a->addrs6[i], e->vips6, e->n_vips)
				 : in_set(a->addrs[i], e->vips, e->n_vips)))
				*mismatch = true;
		return VRRP_DROP_NONE;
	}
	if (a->auth_type != e->auth_type)
		return VRRP_DROP_AUTH_TYPE;
	if (a->auth_type == VRRP_AUTH_PASS &&
	    memcmp(a->auth, e->auth, VRRP_AUTH_LEN) != 0)
		return VRRP_DROP_AUTH_PASS;
	if (a->advert_int != e->advert_int)
		return VRRP_DROP_ADVERT_INT;
	if (a->n_addrs != e->n_vips)
		*mismatch = true;
	for (size_t i = 0; i < a->n_addrs; i++)
		if (!in_set(a->addrs[i], e->vips, e->n_vips))
			*mismatch = true;
	return VRRP_DROP_NONE;
}

static void check_why(const char *why, size_t len)
{
	REQUIRE(memchr(why, '\0', len) != NULL);
	REQUIRE(why[0] != '\0');
}

static void check_accepted(const uint8_t *pkt, size_t len,
			   const struct vrrp_rx *rx,
			   const struct vrrp_advert *a)
{
	const struct iphdr *ip = (const struct iphdr *)pkt;
	size_t ihl = (size_t)ip->ihl * 4, tot = ntohs(ip->tot_len);
	const uint8_t *v = pkt + ihl;
	uint8_t buf[VRRP_MAX_LEN];
	struct vrrp_advert b;
	struct vrrp_rx rx2;
	size_t n;
	uint8_t ipb[20 + VRRP_MAX_LEN];
	struct iphdr *ip2 = (struct iphdr *)ipb;

	REQUIRE(ip->version == 4 && ihl >= 20 && tot <= len && tot >= ihl);
	REQUIRE(rx->ttl == 255);
	/* RFC 3768 5.1: the auth data ends the message, no more, no less */
	REQUIRE(tot - ihl == VRRP_HDR_LEN + 4u * a->n_addrs + VRRP_AUTH_LEN);
	REQUIRE(v[0] == (VRRP_VERSION << 4 | VRRP_TYPE_ADVERT));
	REQUIRE(vrrp_checksum(v, tot - ihl) == 0);
	REQUIRE(a->vrid == v[1] && a->priority == v[2] && a->n_addrs == v[3] &&
		a->auth_type == v[4] && a->advert_int == v[5]);
	REQUIRE(memcmp(a->addrs, v + VRRP_HDR_LEN, 4u * a->n_addrs) == 0);

	/* encode -> decode gives the same advert back */
	n = vrrp_pkt_encode(a, buf, sizeof(buf));
	REQUIRE(n == VRRP_HDR_LEN + 4u * a->n_addrs + VRRP_AUTH_LEN);
	REQUIRE(vrrp_checksum(buf, n) == 0);
	REQUIRE(memcmp(buf, v, 6) == 0);
	REQUIRE(memcmp(buf + VRRP_HDR_LEN, v + VRRP_HDR_LEN,
		       n - VRRP_HDR_LEN) == 0 ||
		a->auth_type != VRRP_AUTH_PASS);
	memset(ipb, 0, 20);
	ip2->version = 4;
	ip2->ihl = 5;
	ip2->ttl = 255;
	ip2->tot_len = htons((uint16_t)(20 + n));
	ip2->saddr = ip->saddr;
	memcpy(ipb + 20, buf, n);
	REQUIRE(vrrp_pkt_decode(ipb, 20 + n, &rx2, &b, NULL, 0) ==
		VRRP_DROP_NONE);
	REQUIRE(b.vrid == a->vrid && b.priority == a->priority &&
		b.n_addrs == a->n_addrs && b.auth_type == a->auth_type &&
		b.advert_int == a->advert_int);
	REQUIRE(memcmp(b.addrs, a->addrs, 4u * a->n_addrs) == 0);
	if (a->auth_type == VRRP_AUTH_PASS)
		REQUIRE(memcmp(b.auth, a->auth, VRRP_AUTH_LEN) == 0);
	REQUIRE(rx2.src.s_addr == rx->src.s_addr);
}

/* A v3 advert decode accepted: the layout of RFC 5798 5.1, a checksum
 * of the form rx says, and encode gives the same bytes back. */
static void check_accepted3(const uint8_t *v, size_t vlen,
			    const struct vrrp_rx *rx,
			    const struct vrrp_advert *a)
{
	bool v6 = rx->family == AF_INET6;
	size_t alen = v6 ? 16 : 4;
	uint8_t buf[VRRP3_MAX_LEN6];
	struct vrrp_advert b;
	struct vrrp_rx rx2 = *rx;
	size_t n;

	REQUIRE(rx->ttl == 255);
	REQUIRE(a->version == 3 && a->n_addrs >= 1);
	REQUIRE(vlen == VRRP_HDR_LEN + alen * a->n_addrs);
	REQUIRE(v[0] == (3 << 4 | VRRP_TYPE_ADVERT));
	REQUIRE(a->max_adver_cs == ((v[4] & 0x0f) << 8 | v[5]) &&
		a->max_adver_cs > 0);
	REQUIRE(rx->csum == VRRP_CSUM_PSEUDO ||
		(!v6 && rx->csum == VRRP_CSUM_PLAIN));
	REQUIRE(rx->csum != VRRP_CSUM_PLAIN || vrrp_checksum(v, vlen) == 0);
	REQUIRE(memcmp(v6 ? (const void *)a->addrs6 : a->addrs,
		       v + VRRP_HDR_LEN, alen * a->n_addrs) == 0);
	n = vrrp3_pkt_encode(a, rx, rx->csum == VRRP_CSUM_PLAIN, buf,
			     sizeof(buf));
	REQUIRE(n == vlen);
	REQUIRE(memcmp(buf, v, 4) == 0 && buf[4] == (v[4] & 0x0f) &&
		buf[5] == v[5]);
	REQUIRE(memcmp(buf + VRRP_HDR_LEN, v + VRRP_HDR_LEN,
		       n - VRRP_HDR_LEN) == 0);
	/* only the reserved bits may differ, and the checksum with them */
	if (!(v[4] & 0xf0))
		REQUIRE(memcmp(buf, v, n) == 0);
	if (v6) {
		REQUIRE(vrrp3_pkt_decode6(buf, n, &rx2, &b, NULL, 0) ==
			VRRP_DROP_NONE);
	} else {
		uint8_t ipb[20 + VRRP3_MAX_LEN6] = {0};
		struct iphdr *ip = (struct iphdr *)ipb;

		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 255;
		ip->tot_len = htons((uint16_t)(20 + n));
		ip->saddr = rx->src.s_addr;
		ip->daddr = rx->dst.s_addr;
		memcpy(ipb + 20, buf, n);
		REQUIRE(vrrp_pkt_decode_ver(3, ipb, 20 + n, &rx2, &b, NULL,
					    0) == VRRP_DROP_NONE);
	}
	REQUIRE(rx2.csum == rx->csum);
	REQUIRE(b.vrid == a->vrid && b.priority == a->priority &&
		b.n_addrs == a->n_addrs && b.max_adver_cs == a->max_adver_cs);
}

static const uint8_t *take(const uint8_t **data, size_t *size, size_t n)
{
	const uint8_t *p = *data;

	if (*size < n)
		return NULL;
	*data += n;
	*size -= n;
	return p;
}

/* VRRPv3: the receive path of either family */
static int fuzz_v3(const uint8_t *data, size_t size, struct vrrp_expect *e,
		   bool v6, size_t nv, size_t no, size_t np)
{
	size_t alen = v6 ? 16 : 4, n = nv + no + np;
	struct in6_addr addrs6[9];
	struct in_addr addrs[9];
	struct vrrp_rx rx = {0};
	struct vrrp_advert *a;
	const uint8_t *p, *msg;
	enum vrrp_drop d, want;
	bool mismatch, want_mismatch;
	char why[96];
	uint8_t *pkt;
	size_t len;

	p = take(&data, &size, alen * n);
	if (!p)
		return 0;
	memcpy(v6 ? (void *)addrs6 : addrs, p, alen * n);
	e->version = 3;
	e->family = v6 ? AF_INET6 : AF_INET;
	e->vips = addrs;
	e->own = addrs + nv;
	e->peers = addrs + nv + no;
	e->vips6 = addrs6;
	e->own6 = addrs6 + nv;
	e->peers6 = addrs6 + nv + no;
	if (v6) {
		p = take(&data, &size, 33);
		if (!p)
			return 0;
		rx.family = AF_INET6;
		memcpy(&rx.src6, p, 16);
		memcpy(&rx.dst6, p + 16, 16);
		rx.ttl = p[32];
	}
	pkt = malloc(size ? size : 1);
	a = malloc(sizeof(*a));
	REQUIRE(pkt && a);
	memcpy(pkt, data, size);
	memset(a, 0xa5, sizeof(*a));
	d = v6 ? vrrp3_pkt_decode6(pkt, size, &rx, a, why, sizeof(why))
	       : vrrp_pkt_decode_ver(3, pkt, size, &rx, a, why, sizeof(why));
	REQUIRE(d < VRRP_DROP_COUNT);
	check_why(why, sizeof(why));
	REQUIRE(d == VRRP_DROP_NONE || d == VRRP_DROP_LENGTH ||
		d == VRRP_DROP_TTL || d == VRRP_DROP_VERSION ||
		d == VRRP_DROP_TYPE || d == VRRP_DROP_CHECKSUM ||
		d == VRRP_DROP_COUNT_IP || d == VRRP_DROP_ADVERT_INT);
	if (d == VRRP_DROP_NONE) {
		if (v6) {
			msg = pkt;
			len = size;
		} else {
			const struct iphdr *ip = (const struct iphdr *)pkt;

			msg = pkt + (size_t)ip->ihl * 4;
			len = ntohs(ip->tot_len) - (size_t)ip->ihl * 4;
		}
		check_accepted3(msg, len, &rx, a);
		d = vrrp_pkt_validate(a, &rx, e, &mismatch, why, sizeof(why));
		check_why(why, sizeof(why));
		want = model(a, &rx, e, &want_mismatch);
		REQUIRE(d == want);
		if (d == VRRP_DROP_NONE)
			REQUIRE(mismatch == want_mismatch);
	}
	free(pkt);
	free(a);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in_addr addrs[9];
	struct vrrp_expect e = {0};
	struct vrrp_advert *a;
	struct vrrp_rx rx = {0};
	enum vrrp_drop d, want;
	size_t nv, no, np, i;
	unsigned mode;
	bool mismatch, want_mismatch;
	char why[96];
	uint8_t *pkt;

	if (size < PREFIX)
		return 0;
	e.vrid = data[0];
	e.advert_int = data[1];
	e.owner = data[2] & 1;
	e.auth_type = (data[2] >> 1) & 3;
	nv = data[3] & 3;
	no = (data[3] >> 2) & 3;
	np = (data[3] >> 4) & 3;
	memcpy(e.auth, data + 4, VRRP_AUTH_LEN);
	mode = (data[2] >> 3) & 3;
	data += PREFIX;
	size -= PREFIX;
	if (mode)
		return fuzz_v3(data, size, &e, mode == 2, nv, no, np);
	if (size < 4 * (nv + no + np))
		return 0;
	memcpy(addrs, data, 4 * (nv + no + np));
	data += 4 * (nv + no + np);
	size -= 4 * (nv + no + np);
	e.vips = addrs;
	e.n_vips = nv;
	e.own = addrs + nv;
	e.n_own = no;
	e.peers = addrs + nv + no;
	e.n_peers = np;

	/* an exact-size heap copy, so ASan sees any read past the end */
	pkt = malloc(size ? size : 1);
	a = malloc(sizeof(*a));
	REQUIRE(pkt && a);
	memcpy(pkt, data, size);
	memset(a, 0xa5, sizeof(*a));
	d = vrrp_pkt_decode(pkt, size, &rx, a, why, sizeof(why));
	REQUIRE(d < VRRP_DROP_COUNT);
	REQUIRE(strcmp(vrrp_drop_str(d), "?") != 0);
	check_why(why, sizeof(why));
	/* decode checks only what needs no configuration */
	REQUIRE(d == VRRP_DROP_NONE || d == VRRP_DROP_LENGTH ||
		d == VRRP_DROP_TTL || d == VRRP_DROP_VERSION ||
		d == VRRP_DROP_TYPE || d == VRRP_DROP_CHECKSUM ||
		d == VRRP_DROP_COUNT_IP);
	if (d == VRRP_DROP_NONE) {
		check_accepted(pkt, size, &rx, a);
		d = vrrp_pkt_validate(a, &rx, &e, &mismatch, why, sizeof(why));
		check_why(why, sizeof(why));
		want = model(a, &rx, &e, &want_mismatch);
		REQUIRE(d == want);
		if (d == VRRP_DROP_NONE)
			REQUIRE(mismatch == want_mismatch);
	}
	/* a NULL why is allowed */
	(void)vrrp_pkt_decode(pkt, size, &rx, a, NULL, 0);
	for (i = 0; i < VRRP_DROP_COUNT; i++)
		REQUIRE(vrrp_drop_str((enum vrrp_drop)i)[0] != '?');
	free(pkt);
	free(a);
	return 0;
}
