/* The kernel path's program cuts bytes the kernel hands it twice
 * (fwd/bpf/splice_side.h): how many head bytes of an skb it saw, and
 * where its next expected sequence number moves, across a wrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bpf/splice_side.h"

static void test_seen_table(void **state)
{
	static const struct {
		__u32 next, known, seq, len;
		__u32 seen, next_after;
		const char *why;
	} t[] = {
	    {0, 0, 1000, 100, 0, 1100, "the first skb after the hand-off"},
	    {1100, 1, 1100, 100, 0, 1200, "the next in order"},
	    {1100, 1, 1000, 100, 100, 1100, "the same skb again: all seen"},
	    {1100, 1, 1050, 100, 50, 1150, "overlaps: its head was seen"},
	    {1100, 1, 1000, 65483, 100, 66483, "a retransmission, longer"},
	    {1100, 1, 900, 100, 100, 1100, "wholly before what was seen"},
	    {1100, 1, 1200, 100, 0, 1300, "a gap (never: TCP orders)"},
	    {10, 1, 0xfffffff6u, 20, 20, 10, "seen, across the wrap"},
	    {10, 1, 0xfffffffbu, 20, 15, 15, "overlaps across the wrap"},
	    {0xfffffff6u, 1, 0xfffffff6u, 20, 0, 10, "in order across it"},
	    {5000, 0, 1000, 100, 0, 1100, "not known: next is not read"},
	    {0x80001000u, 1, 0x1000, 100, 0, 0x80001000u,
	     "2^31 apart: taken as ahead"},
	    {0x80000fffu, 1, 0x1000, 100, 100, 0x80000fffu,
	     "just under 2^31 behind: seen"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		__u32 seen =
		    splice_seen(t[i].next, t[i].known, t[i].seq, t[i].len);
		__u32 next =
		    splice_next(t[i].next, t[i].known, t[i].seq, t[i].len);

		if (seen != t[i].seen || next != t[i].next_after)
			fail_msg("%s: seen %u (want %u), next %u (want %u)",
				 t[i].why, seen, t[i].seen, next,
				 t[i].next_after);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seen_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
