#include "proxyproto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v2_sig[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
				   0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

/* A rule of the spec: fail with its reason (see STYLE.md). */
#define CHECK(cond, reason)                                                    \
	do {                                                                   \
		if (!(cond)) {                                                 \
			*why = (reason);                                       \
			return -1;                                             \
		}                                                              \
	} while (0)

static bool same_family(const struct sockaddr *a, const struct sockaddr *b,
			int fam)
{
	return a && b && a->sa_family == fam && b->sa_family == fam;
}

size_t pp_encode_v1(const struct sockaddr *src, const struct sockaddr *dst,
		    char *buf)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int n;

	if (same_family(src, dst, AF_INET)) {
		const struct sockaddr_in *a = (const void *)src;
		const struct sockaddr_in *b = (const void *)dst;

		inet_ntop(AF_INET, &a->sin_addr, s, sizeof(s));
		inet_ntop(AF_INET, &b->sin_addr, d, sizeof(d));
		n = snprintf(buf, PP_V1_MAX + 1, "PROXY TCP4 %s %s %u %u\r\n",
			     s, d, ntohs(a->sin_port), ntohs(b->sin_port));
	} else if (same_family(src, dst, AF_INET6)) {
		const struct sockaddr_in6 *a = (const void *)src;
		const struct sockaddr_in6 *b = (const void *)dst;

		inet_ntop(AF_INET6, &a->sin6_addr, s, sizeof(s));
		inet_ntop(AF_INET6, &b->sin6_addr, d, sizeof(d));
		n = snprintf(buf, PP_V1_MAX + 1, "PROXY TCP6 %s %s %u %u\r\n",
			     s, d, ntohs(a->sin6_port), ntohs(b->sin6_port));
	} else {
		n = snprintf(buf, PP_V1_MAX + 1, "PROXY UNKNOWN\r\n");
	}
	return n < 0 ? 0 : (size_t)n;
}

size_t pp_encode_v2(const struct sockaddr *src, const struct sockaddr *dst,
		    uint8_t *buf)
{
	size_t alen = 0;

	memcpy(buf, v2_sig, sizeof(v2_sig));
	buf[12] = 0x21; /* version 2, PROXY */
	if (same_family(src, dst, AF_INET)) {
		const struct sockaddr_in *a = (const void *)src;
		const struct sockaddr_in *b = (const void *)dst;

		buf[13] = 0x11; /* TCP over IPv4 */
		memcpy(buf + 16, &a->sin_addr, 4);
		memcpy(buf + 20, &b->sin_addr, 4);
		memcpy(buf + 24, &a->sin_port, 2);
		memcpy(buf + 26, &b->sin_port, 2);
		alen = 12;
	} else if (same_family(src, dst, AF_INET6)) {
		const struct sockaddr_in6 *a = (const void *)src;
		const struct sockaddr_in6 *b = (const void *)dst;

		buf[13] = 0x21; /* TCP over IPv6 */
		memcpy(buf + 16, &a->sin6_addr, 16);
		memcpy(buf + 32, &b->sin6_addr, 16);
		memcpy(buf + 48, &a->sin6_port, 2);
		memcpy(buf + 50, &b->sin6_port, 2);
		alen = 36;
	} else {
		buf[12] = 0x20; /* LOCAL: no addresses */
		buf[13] = 0x00;
	}
	buf[14] = (uint8_t)(alen >> 8);
	buf[15] = (uint8_t)alen;
	return 16 + alen;
}

/* A decimal port, 0..65535, no sign, no leading zero (spec 2.1). */
static bool v1_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1]) || strlen(s) > 5)
		return false;
	v = strtoul(s, &end, 10);
	if (*end || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

static bool v1_addr(int fam, const char *ip, const char *port,
		    struct sockaddr_storage *ss)
{
	uint16_t p;

	memset(ss, 0, sizeof(*ss));
	if (!v1_port(port, &p))
		return false;
	if (fam == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		return inet_pton(AF_INET, ip, &sin->sin_addr) == 1;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(p);
	return inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1;
}

/* spec 2.1: "PROXY" SP proto SP src SP dst SP sport SP dport CRLF */
static int decode_v1(const uint8_t *buf, size_t len, struct pp_info *out,
		     const char **why)
{
	char line[PP_V1_MAX + 1], *w[6], *save = NULL, *tok;
	const uint8_t *crlf = NULL;
	size_t i, n = 0;
	int fam;

	for (i = 0; i + 1 < len && i + 1 < PP_V1_MAX; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n') {
			crlf = buf + i;
			break;
		}
	if (!crlf) {
		CHECK(len < PP_V1_MAX, "v1 header has no CRLF in 107 bytes");
		for (i = 0; i < len; i++)
			CHECK((buf[i] >= ' ' && buf[i] < 127) || buf[i] == '\r',
			      "v1 header holds a control character");
		return 0;
	}
	memcpy(line, buf, (size_t)(crlf - buf));
	line[crlf - buf] = '\0';
	/* every byte up to CRLF: a NUL must not end the line early */
	for (i = 0; i < (size_t)(crlf - buf); i++)
		CHECK((line[i] > ' ' && line[i] < 127) ||
			  (line[i] == ' ' && line[i + 1] != ' '),
		      "v1 header holds a control character or double space");
	if (strncmp(line, "PROXY UNKNOWN", 13) == 0 &&
	    (line[13] == '\0' || line[13] == ' ')) {
		out->local = true;
		return (int)(crlf - buf) + 2;
	}
	for (tok = strtok_r(line, " ", &save); tok && n < 6;
	     tok = strtok_r(NULL, " ", &save))
		w[n++] = tok;
	CHECK(n == 6 && !tok, "v1 header does not have 6 fields");
	CHECK(strcmp(w[0], "PROXY") == 0, "v1 header does not start PROXY");
	CHECK(strcmp(w[1], "TCP4") == 0 || strcmp(w[1], "TCP6") == 0,
	      "v1 protocol is not TCP4, TCP6 or UNKNOWN");
	fam = w[1][3] == '4' ? AF_INET : AF_INET6;
	CHECK(v1_addr(fam, w[2], w[4], &out->src),
	      "v1 source address or port is invalid");
	CHECK(v1_addr(fam, w[3], w[5], &out->dst),
	      "v1 destination address or port is invalid");
	out->local = false;
	return (int)(crlf - buf) + 2;
}

/* spec 2.2: signature, ver_cmd, fam, len, addresses, TLVs (skipped) */
static int decode_v2(const uint8_t *buf, size_t len, struct pp_info *out,
		     const char **why)
{
	size_t alen, total;
	uint8_t cmd, fam;

	if (len < 16)
		return 0;
	CHECK((buf[12] & 0xF0) == 0x20, "v2 version is not 2");
	cmd = buf[12] & 0x0F;
	CHECK(cmd <= 1, "v2 command is neither LOCAL nor PROXY");
	fam = buf[13];
	alen = (size_t)buf[14] << 8 | buf[15];
	total = 16 + alen;
	CHECK(total <= PP_READ_MAX, "v2 header is too long");
	if (len < total)
		return 0;
	memset(out, 0, sizeof(*out));
	if (cmd == 0) { /* LOCAL: the sender's own connection (health check) */
		out->local = true;
		return (int)total;
	}
	if (fam == 0x11) { /* TCP over IPv4 */
		struct sockaddr_in *s = (struct sockaddr_in *)&out->src;
		struct sockaddr_in *d = (struct sockaddr_in *)&out->dst;

		CHECK(alen >= 12, "v2 IPv4 addresses are truncated");
		s->sin_family = d->sin_family = AF_INET;
		memcpy(&s->sin_addr, buf + 16, 4);
		memcpy(&d->sin_addr, buf + 20, 4);
		memcpy(&s->sin_port, buf + 24, 2);
		memcpy(&d->sin_port, buf + 26, 2);
	} else if (fam == 0x21) { /* TCP over IPv6 */
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&out->src;
		struct sockaddr_in6 *d = (struct sockaddr_in6 *)&out->dst;

		CHECK(alen >= 36, "v2 IPv6 addresses are truncated");
		s->sin6_family = d->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, buf + 16, 16);
		memcpy(&d->sin6_addr, buf + 32, 16);
		memcpy(&s->sin6_port, buf + 48, 2);
		memcpy(&d->sin6_port, buf + 50, 2);
	} else {
		/* UNSPEC, UDP, UNIX: "the receiver must ignore the address
		 * information" and use the connection's own (spec 2.2) */
		CHECK((fam >> 4) <= 3 && (fam & 0x0F) <= 2,
		      "v2 address family or protocol is invalid");
		out->local = true;
	}
	return (int)total;
}

int pp_decode(const uint8_t *buf, size_t len, struct pp_info *out,
	      const char **why)
{
	size_t n;

	*why = NULL;
	if (len && buf[0] == v2_sig[0]) {
		n = len < sizeof(v2_sig) ? len : sizeof(v2_sig);
		CHECK(memcmp(buf, v2_sig, n) == 0, "no PROXY header");
		return n < sizeof(v2_sig) ? 0 : decode_v2(buf, len, out, why);
	}
	n = len < 6 ? len : 6;
	CHECK(memcmp(buf, "PROXY ", n) == 0, "no PROXY header");
	return n < 6 ? 0 : decode_v1(buf, len, out, why);
}
