/*
 * libFuzzer target: vrrpd-import's haproxy.cfg reader and the writer
 * behind it. Besides the sanitizers: every message is one FILE:LINE line
 * and the output is a libconfig file libconfig reads back.
 */
#include <stdint.h>

#include "fuzz_import.h"
#include "haproxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_diag d;
	struct hap_conf *c;

	if (size > 16384)
		return 0;
	conf_diag_init(&d);
	c = hap_parse((const char *)data, size, "haproxy.cfg", &d);
	if (c) {
		check_emit(NULL, c, &d);
		hap_conf_free(c);
	}
	conf_diag_free(&d);
	return 0;
}
