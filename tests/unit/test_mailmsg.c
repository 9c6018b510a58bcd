/* Frames between vrrpd and vrrpd-mail (vrrpd/mailmsg.c): what is encoded
 * decodes the same, byte by byte or many at once, and a bad stream is
 * refused, never read past. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mailmsg.h"

static const char MAIL[] = "Subject: [lbA] VI_1: BACKUP -> MASTER\r\n"
			   "\r\n=body= with = signs\r\n.\r\n";

static void encode_mail(struct sbuf *sb, uint32_t id)
{
	size_t at = mailmsg_begin(sb, MAILMSG_MAIL, id);

	mailmsg_put(sb, "what", "VI_1: BACKUP -> MASTER");
	mailmsg_putf(sb, "queued_at", "%lld", 123456789LL);
	mailmsg_put(sb, "text", MAIL);
	assert_int_equal(mailmsg_end(sb, at), 0);
}

static void test_roundtrip(void **state)
{
	struct mailmsg_rx rx;
	struct mailmsg m;
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb);
	encode_mail(&sb, 7);
	mailmsg_rx_init(&rx);
	mailmsg_rx_feed(&rx, sb.buf, sb.len);
	assert_int_equal(mailmsg_rx_next(&rx, &m), 1);
	assert_int_equal(m.type, MAILMSG_MAIL);
	assert_int_equal(m.id, 7);
	assert_int_equal(m.n, 3);
	assert_string_equal(mailmsg_get(&m, "what", 0),
			    "VI_1: BACKUP -> MASTER");
	assert_string_equal(mailmsg_get(&m, "text", 0), MAIL);
	assert_int_equal(mailmsg_get_num(&m, "queued_at", 0, INT64_MAX, -1),
			 123456789LL);
	/* a key is matched whole: "what" is no "wha" */
	assert_null(mailmsg_get(&m, "wha", 0));
	assert_null(mailmsg_get(&m, "what", 1));
	assert_int_equal(mailmsg_rx_next(&rx, &m), 0);
	mailmsg_rx_free(&rx);
	sbuf_free(&sb);
}

/* A stream socket cuts anywhere: one byte at a time still gives the same
 * frames, in order, and never one early. */
static void test_byte_by_byte(void **state)
{
	struct mailmsg_rx rx;
	struct mailmsg m;
	struct sbuf sb;
	size_t at, i;
	int got = 0, rc;

	(void)state;
	sbuf_init(&sb);
	at = mailmsg_begin(&sb, MAILMSG_CONF, 0);
	mailmsg_put(&sb, "url", "smtp://198.18.0.25:25/lbA");
	mailmsg_put(&sb, "rcpt", "ops@example.com");
	mailmsg_put(&sb, "rcpt", "noc@example.com");
	mailmsg_putf(&sb, "connect_timeout", "%d", 30);
	assert_int_equal(mailmsg_end(&sb, at), 0);
	encode_mail(&sb, 8);
	mailmsg_end(&sb, mailmsg_begin(&sb, MAILMSG_SENT, 8));
	mailmsg_rx_init(&rx);
	for (i = 0; i < sb.len; i++) {
		mailmsg_rx_feed(&rx, sb.buf + i, 1);
		while ((rc = mailmsg_rx_next(&rx, &m)) == 1) {
			got++;
			if (got == 1) {
				assert_int_equal(m.type, MAILMSG_CONF);
				assert_string_equal(mailmsg_get(&m, "rcpt", 1),
						    "noc@example.com");
				assert_int_equal(
				    mailmsg_get_num(&m, "connect_timeout", 1,
						    3600, 0),
				    30);
			} else if (got == 2) {
				assert_int_equal(m.id, 8);
				assert_string_equal(mailmsg_get(&m, "text", 0),
						    MAIL);
			} else {
				assert_int_equal(m.type, MAILMSG_SENT);
				assert_int_equal(m.n, 0);
				assert_int_equal(i, sb.len - 1);
			}
		}
		assert_int_equal(rc, 0);
	}
	assert_int_equal(got, 3);
	mailmsg_rx_free(&rx);
	sbuf_free(&sb);
}

static int feed_one(const void *buf, size_t len)
{
	struct mailmsg_rx rx;
	struct mailmsg m;
	int rc;

	mailmsg_rx_init(&rx);
	mailmsg_rx_feed(&rx, buf, len);
	rc = mailmsg_rx_next(&rx, &m);
	mailmsg_rx_free(&rx);
	return rc;
}

static void test_bad_frames(void **state)
{
	/* length 0, 4: shorter than type + id */
	static const uint8_t too_short[] = {0, 0, 0, 4, 2, 0, 0, 0, 1};
	/* a length past MAILMSG_MAX: refused before any body arrives */
	static const uint8_t too_long[] = {0, 0x20, 0, 0, 2};
	static const uint8_t bad_type[] = {0, 0, 0, 5, 99, 0, 0, 0, 1};
	static const uint8_t zero_type[] = {0, 0, 0, 5, 0, 0, 0, 0, 1};
	/* a field without '=', one without its NUL, one "=v" */
	static const uint8_t no_eq[] = {0, 0, 0, 8, 2, 0, 0, 0, 1, 'a', 'b', 0};
	static const uint8_t no_nul[] = {0, 0, 0, 8,   2,   0,
					 0, 0, 1, 'a', '=', 'b'};
	static const uint8_t no_key[] = {0, 0, 0, 8,   2,   0,
					 0, 0, 1, '=', 'b', 0};
	static const uint8_t ok[] = {0, 0, 0, 8, 2, 0, 0, 0, 1, 'a', '=', 0};
	static const uint8_t partial[] = {0, 0, 0, 8, 2, 0, 0};

	(void)state;
	assert_int_equal(feed_one(too_short, sizeof(too_short)), -EBADMSG);
	assert_int_equal(feed_one(too_long, sizeof(too_long)), -EBADMSG);
	assert_int_equal(feed_one(bad_type, sizeof(bad_type)), -EBADMSG);
	assert_int_equal(feed_one(zero_type, sizeof(zero_type)), -EBADMSG);
	assert_int_equal(feed_one(no_eq, sizeof(no_eq)), -EBADMSG);
	assert_int_equal(feed_one(no_nul, sizeof(no_nul)), -EBADMSG);
	assert_int_equal(feed_one(no_key, sizeof(no_key)), -EBADMSG);
	assert_int_equal(feed_one(ok, sizeof(ok)), 1);
	assert_int_equal(feed_one(partial, sizeof(partial)), 0);
}

static void test_limits(void **state)
{
	struct mailmsg m;
	struct sbuf sb;
	size_t at, i;
	char *big;

	(void)state;
	/* more fields than MAILMSG_FIELDS: refused */
	sbuf_init(&sb);
	at = mailmsg_begin(&sb, MAILMSG_CONF, 0);
	for (i = 0; i <= MAILMSG_FIELDS; i++)
		mailmsg_put(&sb, "rcpt", "a@b");
	assert_int_equal(mailmsg_end(&sb, at), 0);
	assert_int_equal(mailmsg_decode(sb.buf + 4, sb.len - 4, &m), -EBADMSG);
	sbuf_free(&sb);
	/* a frame past MAILMSG_MAX is taken back out, not sent cut */
	big = malloc(MAILMSG_MAX + 1);
	assert_non_null(big);
	memset(big, 'x', MAILMSG_MAX);
	big[MAILMSG_MAX] = '\0';
	sbuf_init(&sb);
	encode_mail(&sb, 1);
	i = sb.len;
	at = mailmsg_begin(&sb, MAILMSG_MAIL, 2);
	mailmsg_put(&sb, "text", big);
	assert_int_equal(mailmsg_end(&sb, at), -E2BIG);
	assert_int_equal(sb.len, i);
	free(big);
	sbuf_free(&sb);
	/* numbers out of range or not numbers take the default */
	{
		static const char body[] = "\x02\0\0\0\x01n=12x\0r=99\0";

		assert_int_equal(mailmsg_decode(body, sizeof(body) - 1, &m), 0);
		assert_int_equal(mailmsg_get_num(&m, "n", 0, 100, -1), -1);
		assert_int_equal(mailmsg_get_num(&m, "r", 0, 50, -1), -1);
		assert_int_equal(mailmsg_get_num(&m, "r", 0, 100, -1), 99);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_byte_by_byte),
	    cmocka_unit_test(test_bad_frames),
	    cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
