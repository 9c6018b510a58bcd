/* Shared by splice.bpf.c and fwd/kpath.c: what the verdict program keeps
 * per socket of a handed-off session. */
#ifndef FWD_BPF_SPLICE_SIDE_H
#define FWD_BPF_SPLICE_SIDE_H

#include <linux/types.h>

struct splice_side {
	__u64 peer;	/* cookie of the socket the bytes go to */
	__u64 bytes;	/* read from this socket and redirected */
	__u64 last_ns;	/* CLOCK_MONOTONIC of the last redirect or pass */
	__u64 passed;	/* left to fwd (SK_PASS) while held, see below */
	__u64 tag;	/* fwd's, echoed in wake-ups (struct splice_wake) */
	__u64 limit;	/* credit: bytes + consumed may reach it (at first) */
	__u64 warned;	/* the limit fwd was woken for */
	__u64 dup;	/* bytes the kernel delivered twice, left out */
	__u64 broken;	/* SPLICE_BROKEN_*: fwd resets the session */
	__u64 cut_max;	/* the longest repeat cut off an skb's head */
	__u32 next_seq; /* TCP sequence after the last byte seen */
	__u32 seq_known;
};

/*
 * Credit: bytes one side redirected (or fwd sent on for it) since the
 * hand-off may reach a limit fwd publishes: what had reached the peer's
 * send queue at fwd's last look, + SPLICE_CREDIT. The program wakes fwd
 * through the ring buffer when half of it is used; past it, it passes
 * bytes to the socket's own queue (as held, below). So the kernel's
 * redirect queue, which has no bound of its own, stays bounded without
 * fwd looking at every message.
 */
#define SPLICE_CREDIT (4u << 20)

/* Why a side was broken: a repeat the program could not cut. */
#define SPLICE_BROKEN_LONG  1 /* longer than it cuts off one skb */
#define SPLICE_BROKEN_NOMEM 2 /* the kernel could not cut (memory) */
#define SPLICE_BROKEN_WHOLE 3 /* a whole skb again (see the program) */

/*
 * Of an skb of len bytes whose first byte has TCP sequence number seq,
 * how many at its head the program saw already: next is the sequence
 * number after the last byte it saw, known whether it saw any. Serial
 * arithmetic (RFC 1982), so the sequence space may wrap in between.
 * len: the whole skb is a repeat.
 */
static inline __u32 splice_seen(__u32 next, __u32 known, __u32 seq, __u32 len)
{
	__s32 over = (__s32)(next - seq);

	if (!known || over <= 0)
		return 0;
	return (__u32)over >= len ? len : (__u32)over;
}

/* The sequence number after the last byte seen, once that skb is. */
static inline __u32 splice_next(__u32 next, __u32 known, __u32 seq, __u32 len)
{
	__u32 end = seq + len;

	return !known || (__s32)(end - next) > 0 ? end : next;
}

/* A ring buffer record: the socket began to pass bytes to fwd. */
struct splice_wake {
	__u64 cookie;
	__u64 tag;
};

/*
 * Written by fwd only (the program only reads it), so fwd's updates
 * never overwrite the program's counters. Flow control: while held, or
 * while fwd has not yet taken and sent on every byte passed to it,
 * the program passes bytes to the socket's own queue, which fills the
 * socket's receive buffer and closes TCP's window on the sender.
 */
struct splice_hold {
	__u64 held;
	__u64 consumed; /* of passed: read by fwd and sent to the peer */
	__u64 limit;	/* credit (above); 0: splice_side's */
};

#endif
