/*
 * libFuzzer target: the frames vrrpd and vrrpd-mail read from each other
 * (vrrpd/mailmsg.c). The input is a byte stream, fed in pieces whose sizes
 * the first byte picks, as a stream socket may cut it.
 * Checks, besides the sanitizers: every field of a decoded frame is
 * "key=value" inside the frame; re-encoding a decoded frame gives the
 * same bytes; a refused stream stays refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailmsg.h"

#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_mailmsg: %s\n", #cond);          \
			abort();                                               \
		}                                                              \
	} while (0)

static void check_frame(const struct mailmsg *m)
{
	struct sbuf sb, keyb;
	struct mailmsg again;
	size_t at, i;

	sbuf_init(&sb);
	at = mailmsg_begin(&sb, m->type, m->id);
	for (i = 0; i < m->n; i++) {
		const char *eq = strchr(m->field[i], '=');

		REQUIRE(eq && eq != m->field[i]);
		sbuf_init(&keyb);
		sbuf_add(&keyb, m->field[i], (size_t)(eq - m->field[i]));
		mailmsg_put(&sb, sbuf_str(&keyb), eq + 1);
		sbuf_free(&keyb);
	}
	REQUIRE(mailmsg_end(&sb, at) == 0);
	REQUIRE(mailmsg_decode(sb.buf + 4, sb.len - 4, &again) == 0);
	REQUIRE(again.type == m->type && again.id == m->id && again.n == m->n);
	for (i = 0; i < m->n; i++)
		REQUIRE(strcmp(again.field[i], m->field[i]) == 0);
	sbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mailmsg_rx rx;
	struct mailmsg m;
	size_t off = 1, step;
	int rc = 0;

	if (size < 1)
		return 0;
	step = (size_t)data[0] % 17 + 1;
	mailmsg_rx_init(&rx);
	while (off < size && rc >= 0) {
		size_t n = size - off < step ? size - off : step;

		mailmsg_rx_feed(&rx, data + off, n);
		off += n;
		while ((rc = mailmsg_rx_next(&rx, &m)) == 1)
			check_frame(&m);
	}
	if (rc < 0)
		REQUIRE(mailmsg_rx_next(&rx, &m) < 0);
	mailmsg_rx_free(&rx);
	return 0;
}
