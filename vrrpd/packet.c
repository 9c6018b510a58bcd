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

uint16_t vrrp_checksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t sum = 0;

	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
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

enum vrrp_drop vrrp_pkt_decode(const uint8_t *pkt, size_t len,
			       struct vrrp_rx *rx, struct vrrp_advert *a,
			       char *why, size_t why_len)
{
	const struct iphdr *ip = (const struct iphdr *)pkt;
	size_t ihl, ip_len, vlen, need;
	const uint8_t *v;

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
	rx->src.s_addr = ip->saddr;
	rx->dst.s_addr = ip->daddr;
	rx->ttl = ip->ttl;
	v = pkt + ihl;
	vlen = ip_len - ihl;

	/* RFC 3768 7.1: the checks in the order the RFC gives them */
	CHECK(ip->ttl == 255, VRRP_DROP_TTL, "TTL is %u; should be 255",
	      ip->ttl);
	CHECK(vlen >= VRRP_HDR_LEN + VRRP_AUTH_LEN, VRRP_DROP_LENGTH,
	      "VRRP message of %zu bytes is shorter than the minimum %d", vlen,
	      VRRP_HDR_LEN + VRRP_AUTH_LEN);
	CHECK(v[0] >> 4 == VRRP_VERSION, VRRP_DROP_VERSION,
	      "version is %u; should be 2", v[0] >> 4);
	CHECK((v[0] & 0x0f) == VRRP_TYPE_ADVERT, VRRP_DROP_TYPE,
	      "type is %u; should be 1 (advertisement)", v[0] & 0x0f);
	/* RFC 3768 5.1: the auth data ends the message, so a count that
	 * needs more bytes, or bytes left after the auth data, is forged or
	 * damaged either way */
	need = VRRP_HDR_LEN + 4u * v[3] + VRRP_AUTH_LEN;
	CHECK(vlen == need, VRRP_DROP_COUNT_IP,
	      "count IP addrs is %u, which needs %zu bytes; got %zu", v[3],
	      need, vlen);
	CHECK(vrrp_checksum(v, vlen) == 0, VRRP_DROP_CHECKSUM,
	      "checksum 0x%02x%02x is wrong", v[6], v[7]);

	a->vrid = v[1];
	a->priority = v[2];
	a->n_addrs = v[3];
	a->auth_type = v[4];
	a->advert_int = v[5];
	memcpy(a->addrs, v + VRRP_HDR_LEN, 4u * a->n_addrs);
	memcpy(a->auth, v + need - VRRP_AUTH_LEN, VRRP_AUTH_LEN);
	return VRRP_DROP_NONE;
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

static bool addr_in(struct in_addr x, const struct in_addr *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i].s_addr == x.s_addr)
			return true;
	return false;
}

static bool same_addr_set(const struct vrrp_advert *a,
			  const struct vrrp_expect *e)
{
	size_t i;

	if (a->n_addrs != e->n_vips)
		return false;
	for (i = 0; i < a->n_addrs; i++)
		if (!addr_in(a->addrs[i], e->vips, e->n_vips))
			return false;
	return true;
}

enum vrrp_drop vrrp_pkt_validate(const struct vrrp_advert *a,
				 const struct vrrp_rx *rx,
				 const struct vrrp_expect *e,
				 bool *addr_mismatch, char *why, size_t why_len)
{
	char src[INET_ADDRSTRLEN];

	/* only when asked why: a flood of junk should cost little */
	if (why && why_len)
		inet_ntop(AF_INET, &rx->src, src, sizeof(src));
	else
		src[0] = '\0';
	*addr_mismatch = false;
	explain(why, why_len, "ok");
	CHECK(!addr_in(rx->src, e->own, e->n_own), VRRP_DROP_OWN_ADDRESS,
	      "advert from our own address %s", src);
	CHECK(e->n_peers == 0 || addr_in(rx->src, e->peers, e->n_peers),
	      VRRP_DROP_NOT_PEER, "advert from %s, which is not a unicast_peer",
	      src);
	CHECK(a->vrid == e->vrid, VRRP_DROP_VRID,
	      "VRID %u from %s is not configured here", a->vrid, src);
	CHECK(!e->owner, VRRP_DROP_VRID,
	      "advert for VRID %u from %s, but we are its address owner",
	      a->vrid, src);
	CHECK(a->auth_type == e->auth_type, VRRP_DROP_AUTH_TYPE,
	      "auth type %u from %s; we use %u", a->auth_type, src,
	      e->auth_type);
	CHECK(a->auth_type != VRRP_AUTH_PASS ||
		  secret_equal(a->auth, e->auth, VRRP_AUTH_LEN),
	      VRRP_DROP_AUTH_PASS, "wrong password from %s", src);
	CHECK(a->advert_int == e->advert_int, VRRP_DROP_ADVERT_INT,
	      "advert_int %u from %s; we use %u", a->advert_int, src,
	      e->advert_int);
	/* RFC 3768 7.1 says drop unless from the owner; like keepalived we
	 * log and accept, so editing the VIP list on one node at a time does
	 * not cause a failover */
	if (!same_addr_set(a, e)) {
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
