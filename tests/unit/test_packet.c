/* RFC 3768 codec: round trips and every receive check of section 7.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/ip.h>
#include <string.h>

#include "packet.h"

/* A received packet: IP header + VRRP message, as a raw socket gives it. */
struct wire {
	uint8_t buf[20 + VRRP_MAX_LEN];
	size_t len;
};

static struct vrrp_advert sample(void)
{
	struct vrrp_advert a = {.vrid = 51,
				.priority = 101,
				.auth_type = VRRP_AUTH_PASS,
				.advert_int = 1,
				.n_addrs = 2};

	inet_pton(AF_INET, "198.18.0.50", &a.addrs[0]);
	inet_pton(AF_INET, "198.18.0.51", &a.addrs[1]);
	memcpy(a.auth, "s3cret\0\0", 8);
	return a;
}

static void wrap(struct wire *w, const struct vrrp_advert *a, uint8_t ttl)
{
	struct iphdr *ip = (struct iphdr *)w->buf;
	size_t vlen = vrrp_pkt_encode(a, w->buf + 20, sizeof(w->buf) - 20);

	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = ttl;
	ip->protocol = VRRP_PROTO;
	ip->tot_len = htons((uint16_t)(20 + vlen));
	inet_pton(AF_INET, "198.18.0.12", &ip->saddr);
	inet_pton(AF_INET, VRRP_GROUP, &ip->daddr);
	w->len = 20 + vlen;
}

/* Re-checksums the VRRP part after a test edits a field. */
static void fix_sum(struct wire *w)
{
	uint8_t *v = w->buf + 20;
	uint16_t s;

	v[6] = v[7] = 0;
	s = vrrp_checksum(v, w->len - 20);
	v[6] = (uint8_t)(s >> 8);
	v[7] = (uint8_t)s;
}

static void test_round_trip(void **state)
{
	struct vrrp_advert a = sample(), b;
	struct vrrp_rx rx;
	struct wire w;
	char why[128];

	(void)state;
	wrap(&w, &a, 255);
	assert_int_equal(w.len, 20 + 8 + 8 + 8);
	assert_int_equal(
	    vrrp_pkt_decode(w.buf, w.len, &rx, &b, why, sizeof(why)),
	    VRRP_DROP_NONE);
	assert_int_equal(b.vrid, 51);
	assert_int_equal(b.priority, 101);
	assert_int_equal(b.n_addrs, 2);
	assert_int_equal(b.advert_int, 1);
	assert_int_equal(b.auth_type, VRRP_AUTH_PASS);
	assert_memory_equal(b.addrs, a.addrs, 8);
	assert_memory_equal(b.auth, "s3cret\0\0", 8);
	assert_int_equal(rx.ttl, 255);
	/* the wire layout of RFC 3768 5.1 */
	assert_int_equal(w.buf[20], 0x21);
	assert_int_equal(w.buf[21], 51);
	assert_int_equal(w.buf[22], 101);
	assert_int_equal(w.buf[23], 2);
	assert_int_equal(w.buf[24], 1);
	assert_int_equal(w.buf[25], 1);
	assert_int_equal(vrrp_checksum(w.buf + 20, w.len - 20), 0);
}

static void test_auth_none_zeroes_auth_data(void **state)
{
	struct vrrp_advert a = sample();
	uint8_t buf[VRRP_MAX_LEN];
	size_t len;

	(void)state;
	a.auth_type = VRRP_AUTH_NONE;
	len = vrrp_pkt_encode(&a, buf, sizeof(buf));
	assert_memory_equal(buf + len - 8, "\0\0\0\0\0\0\0\0", 8);
}

static void test_encode_too_small(void **state)
{
	struct vrrp_advert a = sample();
	uint8_t buf[16];

	(void)state;
	assert_int_equal(vrrp_pkt_encode(&a, buf, sizeof(buf)), 0);
}

/* Known checksum: header of RFC-style example computed by hand. */
static void test_checksum_known(void **state)
{
	const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};

	(void)state;
	/* RFC 1071 example: sum 0xddf2 -> checksum ~0xddf2 = 0x220d */
	assert_int_equal(vrrp_checksum(data, sizeof(data)), 0x220d);
}

struct decode_case {
	const char *name;
	void (*mutate)(struct wire *w);
	enum vrrp_drop want;
	const char *why;
};

static void m_ttl(struct wire *w)
{
	((struct iphdr *)w->buf)->ttl = 64;
}
static void m_version(struct wire *w)
{
	w->buf[20] = 0x31;
	fix_sum(w);
}
static void m_type(struct wire *w)
{
	w->buf[20] = 0x22;
	fix_sum(w);
}
static void m_checksum(struct wire *w)
{
	w->buf[27] ^= 0xff;
}
static void m_short(struct wire *w)
{
	w->len = 20 + 12;
	((struct iphdr *)w->buf)->tot_len = htons(32);
}
static void m_count(struct wire *w)
{
	w->buf[23] = 9; /* claims 9 addresses, carries 2 */
	fix_sum(w);
}
/* 40 junk bytes after the auth data, checksum made valid over them */
static void m_trailing(struct wire *w)
{
	memset(w->buf + w->len, 0xa5, 40);
	w->len += 40;
	((struct iphdr *)w->buf)->tot_len = htons((uint16_t)w->len);
	fix_sum(w);
}
static void m_count_low(struct wire *w)
{
	w->buf[23] = 1; /* claims 1 address, carries 2 */
	fix_sum(w);
}
static void m_iplen(struct wire *w)
{
	((struct iphdr *)w->buf)->tot_len = htons((uint16_t)(w->len + 10));
}
static void m_tiny(struct wire *w)
{
	w->len = 10;
}

static const struct decode_case decode_cases[] = {
    {"ttl", m_ttl, VRRP_DROP_TTL, "TTL is 64; should be 255"},
    {"version", m_version, VRRP_DROP_VERSION, "version is 3; should be 2"},
    {"type", m_type, VRRP_DROP_TYPE, "type is 2; should be 1 (advertisement)"},
    {"checksum", m_checksum, VRRP_DROP_CHECKSUM, NULL},
    {"short", m_short, VRRP_DROP_LENGTH,
     "VRRP message of 12 bytes is shorter than the minimum 16"},
    {"count", m_count, VRRP_DROP_COUNT_IP,
     "count IP addrs is 9, which needs 52 bytes; got 24"},
    {"trailing", m_trailing, VRRP_DROP_COUNT_IP,
     "count IP addrs is 2, which needs 24 bytes; got 64"},
    {"count_low", m_count_low, VRRP_DROP_COUNT_IP,
     "count IP addrs is 1, which needs 20 bytes; got 24"},
    {"iplen", m_iplen, VRRP_DROP_LENGTH, NULL},
    {"tiny", m_tiny, VRRP_DROP_LENGTH,
     "packet of 10 bytes is shorter than an IP header"},
};

static void test_decode_rejections(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		const struct decode_case *c = &decode_cases[i];
		struct vrrp_advert a = sample(), out;
		struct vrrp_rx rx;
		struct wire w;
		char why[128];

		wrap(&w, &a, 255);
		c->mutate(&w);
		print_message("case %s\n", c->name);
		assert_int_equal(
		    vrrp_pkt_decode(w.buf, w.len, &rx, &out, why, sizeof(why)),
		    c->want);
		if (c->why)
			assert_string_equal(why, c->why);
	}
}

struct validate_case {
	const char *name;
	void (*mutate)(struct vrrp_advert *a, struct vrrp_rx *rx,
		       struct vrrp_expect *e);
	enum vrrp_drop want;
	bool mismatch;
	const char *why;
};

static struct in_addr own_addr, peer_addr, vips[2];

static void v_ok(struct vrrp_advert *a, struct vrrp_rx *rx,
		 struct vrrp_expect *e)
{
	(void)a, (void)rx, (void)e;
}
static void v_own(struct vrrp_advert *a, struct vrrp_rx *rx,
		  struct vrrp_expect *e)
{
	(void)a, (void)e;
	rx->src = own_addr;
}
static void v_vrid(struct vrrp_advert *a, struct vrrp_rx *rx,
		   struct vrrp_expect *e)
{
	(void)rx, (void)e;
	a->vrid = 52;
}
static void v_owner(struct vrrp_advert *a, struct vrrp_rx *rx,
		    struct vrrp_expect *e)
{
	(void)a, (void)rx;
	e->owner = true;
}
static void v_auth_type(struct vrrp_advert *a, struct vrrp_rx *rx,
			struct vrrp_expect *e)
{
	(void)rx, (void)e;
	a->auth_type = VRRP_AUTH_NONE;
}
static void v_auth_pass(struct vrrp_advert *a, struct vrrp_rx *rx,
			struct vrrp_expect *e)
{
	(void)rx, (void)e;
	a->auth[7] = 'x';
}
static void v_advert_int(struct vrrp_advert *a, struct vrrp_rx *rx,
			 struct vrrp_expect *e)
{
	(void)rx, (void)e;
	a->advert_int = 5;
}
static void v_not_peer(struct vrrp_advert *a, struct vrrp_rx *rx,
		       struct vrrp_expect *e)
{
	(void)a, (void)rx;
	e->peers = &vips[0];
	e->n_peers = 1;
}
static void v_is_peer(struct vrrp_advert *a, struct vrrp_rx *rx,
		      struct vrrp_expect *e)
{
	(void)a, (void)rx;
	e->peers = &peer_addr;
	e->n_peers = 1;
}
static void v_addr_count(struct vrrp_advert *a, struct vrrp_rx *rx,
			 struct vrrp_expect *e)
{
	(void)rx, (void)e;
	a->n_addrs = 1;
}
static void v_addr_other(struct vrrp_advert *a, struct vrrp_rx *rx,
			 struct vrrp_expect *e)
{
	(void)rx, (void)e;
	inet_pton(AF_INET, "198.18.0.99", &a->addrs[1]);
}
static void v_addr_order(struct vrrp_advert *a, struct vrrp_rx *rx,
			 struct vrrp_expect *e)
{
	struct in_addr t = a->addrs[0];

	(void)rx, (void)e;
	a->addrs[0] = a->addrs[1];
	a->addrs[1] = t;
}

static const struct validate_case validate_cases[] = {
    {"ok", v_ok, VRRP_DROP_NONE, false, "ok"},
    {"own", v_own, VRRP_DROP_OWN_ADDRESS, false,
     "advert from our own address 198.18.0.11"},
    {"vrid", v_vrid, VRRP_DROP_VRID, false,
     "VRID 52 from 198.18.0.12 is not configured here"},
    {"owner", v_owner, VRRP_DROP_VRID, false,
     "advert for VRID 51 from 198.18.0.12, but we are its address owner"},
    {"auth_type", v_auth_type, VRRP_DROP_AUTH_TYPE, false,
     "auth type 0 from 198.18.0.12; we use 1"},
    {"auth_pass", v_auth_pass, VRRP_DROP_AUTH_PASS, false,
     "wrong password from 198.18.0.12"},
    {"advert_int", v_advert_int, VRRP_DROP_ADVERT_INT, false,
     "advert_int 5 from 198.18.0.12; we use 1"},
    {"not_peer", v_not_peer, VRRP_DROP_NOT_PEER, false,
     "advert from 198.18.0.12, which is not a unicast_peer"},
    {"is_peer", v_is_peer, VRRP_DROP_NONE, false, "ok"},
    {"addr_count", v_addr_count, VRRP_DROP_NONE, true,
     "address list from 198.18.0.12 (1 addresses) differs from ours (2)"},
    {"addr_other", v_addr_other, VRRP_DROP_NONE, true, NULL},
    {"addr_order", v_addr_order, VRRP_DROP_NONE, false, "ok"},
};

static void test_validate(void **state)
{
	size_t i;

	(void)state;
	inet_pton(AF_INET, "198.18.0.11", &own_addr);
	inet_pton(AF_INET, "198.18.0.12", &peer_addr);
	inet_pton(AF_INET, "198.18.0.50", &vips[0]);
	inet_pton(AF_INET, "198.18.0.51", &vips[1]);
	for (i = 0; i < sizeof(validate_cases) / sizeof(validate_cases[0]);
	     i++) {
		const struct validate_case *c = &validate_cases[i];
		struct vrrp_advert a = sample();
		struct vrrp_rx rx = {.src = peer_addr, .ttl = 255};
		struct vrrp_expect e = {.vrid = 51,
					.advert_int = 1,
					.auth_type = VRRP_AUTH_PASS,
					.vips = vips,
					.n_vips = 2,
					.own = &own_addr,
					.n_own = 1};
		bool mismatch = !c->mismatch;
		char why[128];

		memcpy(e.auth, "s3cret\0\0", 8);
		c->mutate(&a, &rx, &e);
		print_message("case %s\n", c->name);
		assert_int_equal(
		    vrrp_pkt_validate(&a, &rx, &e, &mismatch, why, sizeof(why)),
		    c->want);
		if (c->want == VRRP_DROP_NONE)
			assert_int_equal(mismatch, c->mismatch);
		if (c->why)
			assert_string_equal(why, c->why);
	}
}

static void test_drop_names(void **state)
{
	int i;

	(void)state;
	assert_string_equal(vrrp_drop_str(VRRP_DROP_TTL), "ttl");
	assert_string_equal(vrrp_drop_str(VRRP_DROP_AUTH_PASS), "auth_pass");
	for (i = 0; i < VRRP_DROP_COUNT; i++)
		assert_string_not_equal(vrrp_drop_str((enum vrrp_drop)i), "?");
	assert_string_equal(vrrp_drop_str(VRRP_DROP_COUNT), "?");
}

/* Issue #18 item 10: priority 255 from a source that is not a VIP. */
static void test_owner_suspect(void **state)
{
	struct in_addr vips[2];
	struct vrrp_advert a = {.priority = 255};
	struct vrrp_rx rx = {0};

	(void)state;
	inet_pton(AF_INET, "198.18.0.50", &vips[0]);
	inet_pton(AF_INET, "198.18.0.51", &vips[1]);
	inet_pton(AF_INET, "198.18.0.100", &rx.src);
	assert_true(vrrp_pkt_owner_suspect(&a, &rx, vips, 2));
	rx.src = vips[1]; /* the real owner sends from the VIP */
	assert_false(vrrp_pkt_owner_suspect(&a, &rx, vips, 2));
	inet_pton(AF_INET, "198.18.0.100", &rx.src);
	a.priority = 254;
	assert_false(vrrp_pkt_owner_suspect(&a, &rx, vips, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_owner_suspect),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_auth_none_zeroes_auth_data),
	    cmocka_unit_test(test_encode_too_small),
	    cmocka_unit_test(test_checksum_known),
	    cmocka_unit_test(test_decode_rejections),
	    cmocka_unit_test(test_validate),
	    cmocka_unit_test(test_drop_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
