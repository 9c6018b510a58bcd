/*
 * libFuzzer target: vrrpd-import's keepalived.conf reader and the writer
 * behind it. The input is the file; "include" reads the input again (one
 * level deep), so includes inside blocks are covered.
 * Besides the sanitizers: every message is one FILE:LINE line and the
 * output is a libconfig file libconfig reads back.
 */
#include <stdint.h>

#include "fuzz_import.h"
#include "keepalived.h"

struct input {
	const char *data;
	size_t len;
};

static void include_again(struct ka_reader *r, const char *pattern,
			  struct imp_src at, void *arg)
{
	const struct input *in = arg;

	(void)pattern;
	(void)at;
	/* one level: k includes in a file would otherwise cost k^8 reads */
	if (ka_reader_depth(r) <= 1)
		ka_reader_feed(r, in->data, in->len, "inc.conf");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {(const char *)data, size};
	struct conf_diag d;
	struct ka_reader *r;
	struct ka_conf *c;

	if (size > 16384)
		return 0;
	conf_diag_init(&d);
	r = ka_reader_new(&d, include_again, &in);
	if (!r)
		return 0;
	ka_reader_feed(r, in.data, in.len, "keepalived.conf");
	c = ka_reader_finish(r);
	if (c) {
		check_emit(c, NULL, &d);
		ka_conf_free(c);
	}
	conf_diag_free(&d);
	return 0;
}
