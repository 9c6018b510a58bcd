#include "packet.h"

#include <arpa/inet.h>
#include <netinet/ip.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const drop_names[VRRP_DROP_COUNT] = {
    [VRRP_DROP_NONE] = "none",
    [VRRP_DROP_LENGTH] = "length",
    [VRRP_DROP_TTL] = "ttl",
    [VRRP_DROP_VERSION] = "version",
    [VRRP_DROP_TYPE] = "type",
    [VRRP_DROP_CHECKSUM] = "checksum",
    [VRRP_DROP_VRID] = "vrid",
    [VRRP_DROP_AUTH_TYPE] = "auth_type",
    [VRRP_DROP_AUTH_PASS] = "auth_pass",
    [VRRP_DROP_ADVERT_INT] = "advert_int",
    [VRRP_DROP_OWN_ADDRESS] = "own_address",
    [VRRP_DROP_NOT_PEER] = "not_peer",
    [VRRP_DROP_COUNT_IP] = "count_ip",
    [VRRP_DROP_RCVBUF] = "rcvbuf",
};

const char *vrrp_drop_str(enum vrrp_drop d)
{
	return d < VRRP_DROP_COUNT ? drop_names[d] : "?";
}

const char *vrrp_csum_str(enum vrrp_csum c)
{
	static const char *const names[] = {"none", "pseudo-header",
					    "without pseudo-header"};

	return c <= VRRP_CSUM_PLAIN ? names[c] : "?";
}

/* The one's complement sum (RFC 1071) of buf added to sum, unfolded. */
static uint32_t sum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

static uint16_t sum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t vrrp_checksum(const void *buf, size_t len)
{
	return sum_fold(sum_add(0, buf, len));
}

/* RFC 5798 5.2.8: the checksum covers the IPv4 (RFC 768) or IPv6 (RFC
 * 8200 8.1) pseudo-header; the two sum the same fields, only their
 * widths differ, and the sum does not care where the zeros sit. */
static uint16_t v3_checksum(const struct vrrp_rx *ip, const uint8_t *v,
			    size_t len)
{
	uint8_t tail[4] = {(uint8_t)(len >> 8), (uint8_t)len, 0, VRRP_PROTO};
	uint32_t sum = 0;

	if (ip->family == AF_INET6) {
		sum = sum_add(sum, &ip->src6, 16);
		sum = sum_add(sum, &ip->dst6, 16);
	} else {
		sum = sum_add(sum, &ip->src, 4);
		sum = sum_add(sum, &ip->dst, 4);
	}
	sum = sum_add(sum, tail, sizeof(tail));
	return sum_fold(sum_add(sum, v, len));
}

size_t vrrp3_pkt_encode(const struct vrrp_advert *a, const struct vrrp_rx *hdr,
			bool plain, uint8_t *buf, size_t size)
{
	bool v6 = hdr->family == AF_INET6;
	size_t alen = v6 ? 16 : 4;
	size_t len = VRRP_HDR_LEN + alen * a->n_addrs;
	uint16_t sum;

	if (size < len)
		return 0;
	buf[0] = 3 << 4 | VRRP_TYPE_ADVERT;
	buf[1] = a->vrid;
	buf[2] = a->priority;
	buf[3] = a->n_addrs;
	/* RFC 5798 5.2.6: 4 reserved bits, zero, then 12 bits of interval */
	buf[4] = (uint8_t)(a->max_adver_cs >> 8 & 0x0f);
	buf[5] = (uint8_t)a->max_adver_cs;
	buf[6] = buf[7] = 0;
	memcpy(buf + VRRP_HDR_LEN, v6 ? (const void *)a->addrs6 : a->addrs,
	       alen * a->n_addrs);
	sum =
	    plain && !v6 ? vrrp_checksum(buf, len) : v3_checksum(hdr, buf, len);
	buf[6] = (uint8_t)(sum >> 8);
	buf[7] = (uint8_t)sum;
	return len;
}

size_t vrrp_pkt_encode(const struct vrrp_advert *a, uint8_t *buf, size_t size)
{
	size_t len = VRRP_HDR_LEN + 4u * a->n_addrs + VRRP_AUTH_LEN;
	uint16_t sum;

	if (size < len)
		return 0;
	buf[0] = VRRP_VERSION << 4 | VRRP_TYPE_ADVERT;
	buf[1] = a->vrid;
	buf[2] = a->priority;
	buf[3] = a->n_addrs;
	buf[4] = a->auth_type;
	buf[5] = a->advert_int;
	buf[6] = buf[7] = 0;
	memcpy(buf + VRRP_HDR_LEN, a->addrs, 4u * a->n_addrs);
	/* RFC 3768 5.3.10: auth data is zero unless the type is PASS */
	if (a->auth_type == VRRP_AUTH_PASS)
		memcpy(buf + len - VRRP_AUTH_LEN, a->auth, VRRP_AUTH_LEN);
	else
		memset(buf + len - VRRP_AUTH_LEN, 0, VRRP_AUTH_LEN);
	sum = vrrp_checksum(buf, len);
	buf[6] = (uint8_t)(sum >> 8);
	buf[7] = (uint8_t)sum;
	return len;
}

static void explain(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !why_len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

/* Each receive rule is one line: the condition that must hold, the drop
 * reason, and the message naming what was seen. */
#define CHECK(cond, reason, ...)                                               \
	do {                                                                   \
		if (!(cond)) {                                                 \
			explain(why, why_len, __VA_ARGS__);                    \
			return reason;                                         \
		}                                                              \
	} while (0)

/*
 * RFC 3768 7.1 and RFC 5798 7.1 on the VRRP message, in the order the
 * RFCs give them; the IP layer's facts are in rx. Only the message's
 * layout and checksum depend on the version.
 */
static enum vrrp_drop check_msg(uint8_t version, const uint8_t *v, size_t vlen,
				struct vrrp_rx *rx, struct vrrp_advert *a,
				char *why, size_t why_len)
{
	bool v6 = rx->family == AF_INET6;
	size_t alen = v6 ? 16 : 4;
	/* v2 ends with the auth data; v3 has none but one address at least */
	size_t tail = version == 3 ? 0 : VRRP_AUTH_LEN;
	size_t min = VRRP_HDR_LEN + (version == 3 ? alen : VRRP_AUTH_LEN);
	size_t need;

	CHECK(rx->ttl == 255, VRRP_DROP_TTL, "%s is %u; should be 255",
	      v6 ? "hop limit" : "TTL", rx->ttl);
	CHECK(vlen >= min, VRRP_DROP_LENGTH,
	      "VRRP message of %zu bytes is shorter than the minimum %zu", vlen,
	      min);
	CHECK(v[0] >> 4 == version, VRRP_DROP_VERSION,
	      "version is %u; should be %u", v[0] >> 4, version);
	CHECK((v[0] & 0x0f) == VRRP_TYPE_ADVERT, VRRP_DROP_TYPE,
	      "type is %u; should be 1 (advertisement)", v[0] & 0x0f);
	/* RFC 3768 5.1, RFC 5798 5.1: the addresses (and v2's auth data)
	 * end the message, so a count that needs more bytes, or bytes left
	 * over, is forged or damaged either way */
	need = VRRP_HDR_LEN + alen * v[3] + tail;
	CHECK(vlen == need, VRRP_DROP_COUNT_IP,
	      "count IP addrs is %u, which needs %zu bytes; got %zu", v[3],
	      need, vlen);
	rx->csum = VRRP_CSUM_NONE;
	if (version != 3) {
		CHECK(vrrp_checksum(v, vlen) == 0, VRRP_DROP_CHECKSUM,
		      "checksum 0x%02x%02x is wrong", v[6], v[7]);
	} else if (v3_checksum(rx, v, vlen) == 0) {
		rx->csum = VRRP_CSUM_PSEUDO;
	} else {
		/* IPv4 peers disagree on the pseudo-header (packet.h) */
		CHECK(!v6 && vrrp_checksum(v, vlen) == 0, VRRP_DROP_CHECKSUM,
		      "checksum 0x%02x%02x is wrong%s", v[6], v[7],
		      v6 ? "" : " with and without the pseudo-header");
		rx->csum = VRRP_CSUM_PLAIN;
	}

	a->version = version;
	a->family = v6 ? AF_INET6 : AF_INET;
	a->vrid = v[1];
	a->priority = v[2];
	a->n_addrs = v[3];
	if (version == 3) {
		a->max_adver_cs = (uint16_t)((v[4] & 0x0f) << 8 | v[5]);
		a->auth_type = VRRP_AUTH_NONE;
		a->advert_int = 0;
		/* an interval of 0 would make a Backup's timer fire at once */
		CHECK(a->max_adver_cs > 0, VRRP_DROP_ADVERT_INT,
		      "max advert interval is 0");
	} else {
		a->auth_type = v[4];
		a->advert_int = v[5];
		a->max_adver_cs = (uint16_t)(v[5] * 100);
		memcpy(a->auth, v + need - VRRP_AUTH_LEN, VRRP_AUTH_LEN);
	}
	memcpy(v6 ? (void *)a->addrs6 : a->addrs, v + VRRP_HDR_LEN,
	       alen * a->n_addrs);
	return VRRP_DROP_NONE;
}

enum vrrp_drop vrrp_pkt_decode_ver(uint8_t version, const uint8_t *pkt,
				   size_t len, struct vrrp_rx *rx,
				   struct vrrp_advert *a, char *why,
				   size_t why_len)
{
	const struct iphdr *ip = (const struct iphdr *)pkt;
	size_t ihl, ip_len;

	explain(why, why_len, "ok");
	CHECK(len >= sizeof(*ip), VRRP_DROP_LENGTH,
	      "packet of %zu bytes is shorter than an IP header", len);
	ihl = (size_t)ip->ihl * 4;
	ip_len = ntohs(ip->tot_len);
	CHECK(ip->version == 4 && ihl >= sizeof(*ip) && ihl <= len,
	      VRRP_DROP_LENGTH, "bad IP header (version %u, length %zu)",
	      ip->version, ihl);
	/* the kernel may hand over less than tot_len only if truncated */
	CHECK(ip_len >= ihl && ip_len <= len, VRRP_DROP_LENGTH,
	      "IP total length %zu does not match the %zu bytes received",
	      ip_len, len);
	rx->family = AF_INET;
	rx->src.s_addr = ip->saddr;
	rx->dst.s_addr = ip->daddr;
	rx->ttl = ip->ttl;
	return check_msg(version, pkt + ihl, ip_len - ihl, rx, a, why, why_len);
}

enum vrrp_drop vrrp_pkt_decode(const uint8_t *pkt, size_t len,
			       struct vrrp_rx *rx, struct vrrp_advert *a,
			       char *why, size_t why_len)
{
	return vrrp_pkt_decode_ver(VRRP_VERSION, pkt, len, rx, a, why, why_len);
}

enum vrrp_drop vrrp3_pkt_decode6(const uint8_t *msg, size_t len,
				 struct vrrp_rx *rx, struct vrrp_advert *a,
				 char *why, size_t why_len)
{
	explain(why, why_len, "ok");
	rx->family = AF_INET6;
	return check_msg(3, msg, len, rx, a, why, why_len);
}

/* Compares secrets in time independent of where they differ. */
static bool secret_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	uint8_t diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/* x (alen bytes) among the n addresses of set, for either family. */
static bool addr_in(const void *x, const void *set, size_t n, size_t alen)
{
	const uint8_t *p = set;
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(x, p + i * alen, alen) == 0)
			return true;
	return false;
}

static bool same_addr_set(const struct vrrp_advert *a,
			  const struct vrrp_expect *e, bool v6)
{
	size_t alen = v6 ? 16 : 4, i;
	const uint8_t *got = v6 ? (const void *)a->addrs6 : a->addrs;
	const void *vips = v6 ? (const void *)e->vips6 : e->vips;

	if (a->n_addrs != e->n_vips)
		return false;
	for (i = 0; i < a->n_addrs; i++)
		if (!addr_in(got + i * alen, vips, e->n_vips, alen))
			return false;
	return true;
}

enum vrrp_drop vrrp_pkt_validate(const struct vrrp_advert *a,
				 const struct vrrp_rx *rx,
				 const struct vrrp_expect *e,
				 bool *addr_mismatch, char *why, size_t why_len)
{
	bool v6 = e->family == AF_INET6, v3 = e->version == 3;
	size_t alen = v6 ? 16 : 4;
	const void *from = v6 ? (const void *)&rx->src6 : &rx->src;
	char src[INET6_ADDRSTRLEN];

	/* only when asked why: a flood of junk should cost little */
	if (why && why_len)
		inet_ntop(v6 ? AF_INET6 : AF_INET, from, src, sizeof(src));
	else
		src[0] = '\0';
	*addr_mismatch = false;
	explain(why, why_len, "ok");
	CHECK(
	    !addr_in(from, v6 ? (const void *)e->own6 : e->own, e->n_own, alen),
	    VRRP_DROP_OWN_ADDRESS, "advert from our own address %s", src);
	CHECK(e->n_peers == 0 ||
		  addr_in(from, v6 ? (const void *)e->peers6 : e->peers,
			  e->n_peers, alen),
	      VRRP_DROP_NOT_PEER, "advert from %s, which is not a unicast_peer",
	      src);
	CHECK(a->vrid == e->vrid, VRRP_DROP_VRID,
	      "VRID %u from %s is not configured here", a->vrid, src);
	CHECK(!e->owner, VRRP_DROP_VRID,
	      "advert for VRID %u from %s, but we are its address owner",
	      a->vrid, src);
	/* RFC 5798 removed authentication and the interval check: a v3
	 * Backup learns the Master's interval instead (6.4.2) */
	CHECK(v3 || a->auth_type == e->auth_type, VRRP_DROP_AUTH_TYPE,
	      "auth type %u from %s; we use %u", a->auth_type, src,
	      e->auth_type);
	CHECK(v3 || a->auth_type != VRRP_AUTH_PASS ||
		  secret_equal(a->auth, e->auth, VRRP_AUTH_LEN),
	      VRRP_DROP_AUTH_PASS, "wrong password from %s", src);
	CHECK(v3 || a->advert_int == e->advert_int, VRRP_DROP_ADVERT_INT,
	      "advert_int %u from %s; we use %u", a->advert_int, src,
	      e->advert_int);
	/* RFC 3768 7.1 says drop unless from the owner; like keepalived we
	 * log and accept, so editing the VIP list on one node at a time does
	 * not cause a failover */
	if (!same_addr_set(a, e, v6)) {
		*addr_mismatch = true;
		explain(why, why_len,
			"address list from %s (%u addresses) differs from ours "
			"(%zu)",
			src, a->n_addrs, e->n_vips);
	}
	return VRRP_DROP_NONE;
}

bool vrrp_pkt_owner_suspect(const struct vrrp_advert *a,
			    const struct vrrp_rx *rx,
			    const struct in_addr *vips, size_t n_vips)
{
	size_t i;

	if (a->priority != VRRP_PRIO_OWNER)
		return false;
	for (i = 0; i < n_vips; i++)
		if (vips[i].s_addr == rx->src.s_addr)
			return false;
	return true;
}
