/*
 * libFuzzer target: the PROXY protocol header parser (fwd/proxyproto.c),
 * which reads bytes from any client of a listener with accept_proxy.
 * Invariants checked with abort():
 *  - the result is -1 (with a reason), 0, or a length within the input
 *    and within PP_READ_MAX;
 *  - a prefix of an input that parses is never an error (a header that
 *    arrives byte by byte is read the same);
 *  - decoded addresses, encoded again in the same version, decode to the
 *    same addresses.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxyproto.h"

#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_proxyproto: %s:%d: %s\n",        \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

static size_t addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in)
					: sizeof(struct sockaddr_in6);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_info pi, again;
	const char *why;
	uint8_t v2[PP_V2_MAX];
	char v1[PP_V1_MAX + 1];
	int n, m;
	size_t len;

	memset(&pi, 0, sizeof(pi));
	n = pp_decode(data, size, &pi, &why);
	REQUIRE(n >= -1);
	REQUIRE(n != -1 || why);
	REQUIRE((size_t)(n > 0 ? n : 0) <= size && n <= PP_READ_MAX);
	if (n <= 0)
		return 0;
	for (len = 0; len < (size_t)n; len++)
		REQUIRE(pp_decode(data, len, &again, &why) == 0);
	if (pi.local)
		return 0;
	REQUIRE(pi.src.ss_family == pi.dst.ss_family);
	REQUIRE(pi.src.ss_family == AF_INET || pi.src.ss_family == AF_INET6);
	if (data[0] == 'P') {
		len = pp_encode_v1((struct sockaddr *)&pi.src,
				   (struct sockaddr *)&pi.dst, v1);
		m = pp_decode((const uint8_t *)v1, len, &again, &why);
	} else {
		len = pp_encode_v2((struct sockaddr *)&pi.src,
				   (struct sockaddr *)&pi.dst, v2);
		m = pp_decode(v2, len, &again, &why);
	}
	REQUIRE(m == (int)len);
	REQUIRE(!again.local);
	REQUIRE(memcmp(&again.src, &pi.src, addr_len(&pi.src)) == 0);
	REQUIRE(memcmp(&again.dst, &pi.dst, addr_len(&pi.dst)) == 0);
	return 0;
}
