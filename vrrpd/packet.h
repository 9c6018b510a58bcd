/*
 * VRRP advertisement codec, v2 (RFC 3768 section 5) and v3 (RFC 5798
 * section 5, IPv4 and IPv6), and the receive checks of section 7.1 of
 * each, shared where they are the same. Pure: bytes in, struct or reason
 * out.
 */
#ifndef VRRPD_PACKET_H
#define VRRPD_PACKET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VRRP_PROTO	 112
#define VRRP_GROUP	 "224.0.0.18"
#define VRRP_VERSION	 2
#define VRRP_GROUP6	 "ff02::12"
#define VRRP3_MAX_INT_CS 4095 /* 12 bits of centiseconds */
#define VRRP_TYPE_ADVERT 1
#define VRRP_AUTH_NONE	 0
#define VRRP_AUTH_PASS	 1
#define VRRP_AUTH_LEN	 8
#define VRRP_HDR_LEN	 8
#define VRRP_MAX_ADDRS	 255
#define VRRP_PRIO_STOP	 0
#define VRRP_PRIO_OWNER	 255
/* header + 255 addresses + auth data */
#define VRRP_MAX_LEN (VRRP_HDR_LEN + 4 * VRRP_MAX_ADDRS + VRRP_AUTH_LEN)
/* v3 over IPv6: header + 255 addresses */
#define VRRP3_MAX_LEN6 (VRRP_HDR_LEN + 16 * VRRP_MAX_ADDRS)

struct vrrp_advert {
	uint8_t version; /* 3, or 2 (also 0: zeroed v2 callers) */
	uint8_t vrid;
	uint8_t priority;
	uint8_t auth_type;     /* v2 */
	uint8_t advert_int;    /* v2: seconds */
	uint16_t max_adver_cs; /* v3: Max Advert Int, centiseconds */
	int family;	       /* v3: AF_INET6 means addrs6; else addrs */
	uint8_t n_addrs;
	struct in_addr addrs[VRRP_MAX_ADDRS];
	struct in6_addr addrs6[VRRP_MAX_ADDRS];
	uint8_t auth[VRRP_AUTH_LEN]; /* v2 */
};

/* The IPv4 checksum forms of a v3 advert (RFC 5798 5.2.8): over the
 * pseudo-header (the RFC, keepalived's default) or without it (VRRPv2's
 * way: keepalived's v3_checksum_as_v2, RFC 9568's reading). */
enum vrrp_csum {
	VRRP_CSUM_NONE = 0, /* not a v3 IPv4 advert */
	VRRP_CSUM_PSEUDO,
	VRRP_CSUM_PLAIN,
};

const char *vrrp_csum_str(enum vrrp_csum c);

/* Why a received packet was dropped; one counter each. */
enum vrrp_drop {
	VRRP_DROP_NONE = 0,
	VRRP_DROP_LENGTH,
	VRRP_DROP_TTL,
	VRRP_DROP_VERSION,
	VRRP_DROP_TYPE,
	VRRP_DROP_CHECKSUM,
	VRRP_DROP_VRID,
	VRRP_DROP_AUTH_TYPE,
	VRRP_DROP_AUTH_PASS,
	VRRP_DROP_ADVERT_INT,
	VRRP_DROP_OWN_ADDRESS,
	VRRP_DROP_NOT_PEER,
	VRRP_DROP_COUNT_IP, /* count_ip disagrees with the message length */
	VRRP_DROP_RCVBUF,   /* the kernel's queue overflowed (SO_RXQ_OVFL) */
	VRRP_DROP_COUNT
};

const char *vrrp_drop_str(enum vrrp_drop d);

/* Encodes the VRRP message (no IP header) with its checksum.
 * Returns the length, or 0 if buf is too small. */
size_t vrrp_pkt_encode(const struct vrrp_advert *a, uint8_t *buf, size_t size);

/* The Internet checksum (RFC 1071) over buf. */
uint16_t vrrp_checksum(const void *buf, size_t len);

/* What the IP layer told us about a received packet (or, to the v3
 * encoder, the addresses it goes between). */
struct vrrp_rx {
	int family; /* 0 or AF_INET: src, dst; AF_INET6: src6, dst6 */
	struct in_addr src, dst;
	struct in6_addr src6, dst6;
	uint8_t ttl;	     /* IPv6: the hop limit */
	enum vrrp_csum csum; /* set by decode for v3 over IPv4 */
};

/* Encodes a v3 message (no IP header) between hdr's addresses, with the
 * checksum over the pseudo-header unless plain (IPv4 only). Returns the
 * length, or 0 if buf is too small. */
size_t vrrp3_pkt_encode(const struct vrrp_advert *a, const struct vrrp_rx *hdr,
			bool plain, uint8_t *buf, size_t size);

/*
 * Parses an IPv4 packet as delivered by a raw socket (IP header first).
 * Checks what needs no configuration: IP header, TTL 255, version, type,
 * length (exactly what count_ip implies: no fewer bytes, no trailing
 * junk), checksum. On failure returns the reason and writes a one-line
 * explanation into why (may be NULL).
 */
enum vrrp_drop vrrp_pkt_decode(const uint8_t *pkt, size_t len,
			       struct vrrp_rx *rx, struct vrrp_advert *a,
			       char *why, size_t why_len);

/* The same for the version the instance speaks (2 or 3). A v3 advert is
 * accepted with either IPv4 checksum form; rx->csum says which. */
enum vrrp_drop vrrp_pkt_decode_ver(uint8_t version, const uint8_t *pkt,
				   size_t len, struct vrrp_rx *rx,
				   struct vrrp_advert *a, char *why,
				   size_t why_len);

/* A v3 message as an AF_INET6 raw socket delivers it (no IP header); rx
 * comes in with family AF_INET6, src6, dst6 and ttl (the hop limit) from
 * the socket's control messages. */
enum vrrp_drop vrrp3_pkt_decode6(const uint8_t *msg, size_t len,
				 struct vrrp_rx *rx, struct vrrp_advert *a,
				 char *why, size_t why_len);

/* What an instance expects of its peers' adverts. */
struct vrrp_expect {
	uint8_t version; /* 3, else 2 */
	int family;	 /* AF_INET6: the *6 lists below; else IPv4 */
	uint8_t vrid;
	uint8_t advert_int; /* v2 */
	bool owner;	    /* we have priority 255 (RFC 3768 7.1) */
	uint8_t auth_type;
	uint8_t auth[VRRP_AUTH_LEN];
	const struct in_addr *vips;
	size_t n_vips;
	const struct in_addr *own; /* our addresses on the interface */
	size_t n_own;
	const struct in_addr *peers; /* unicast peers; none: anyone */
	size_t n_peers;
	const struct in6_addr *vips6, *own6, *peers6; /* n_* as above */
};

/*
 * The configuration-dependent checks of RFC 3768 7.1 for an advert that
 * vrrp_pkt_decode accepted. *addr_mismatch is set (and the advert still
 * accepted, as keepalived does) when the address list differs.
 */
enum vrrp_drop vrrp_pkt_validate(const struct vrrp_advert *a,
				 const struct vrrp_rx *rx,
				 const struct vrrp_expect *e,
				 bool *addr_mismatch, char *why,
				 size_t why_len);

/*
 * An accepted advert claiming priority 255 (the address owner, which
 * wins at once) from a source that is none of the virtual addresses. The
 * owner's own address is the VIP (RFC 3768 1), so this is a router
 * configured with 255 by mistake, or a forged advert. Accepted all the
 * same (RFC behaviour); the caller warns.
 */
bool vrrp_pkt_owner_suspect(const struct vrrp_advert *a,
			    const struct vrrp_rx *rx,
			    const struct in_addr *vips, size_t n_vips);

#endif
