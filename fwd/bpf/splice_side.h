/* Shared by splice.bpf.c and fwd/kpath.c: what the verdict program keeps
 * per socket of a handed-off session. */
#ifndef FWD_BPF_SPLICE_SIDE_H
#define FWD_BPF_SPLICE_SIDE_H

#include <linux/types.h>

struct splice_side {
	__u64 peer;    /* cookie of the socket the bytes go to */
	__u64 bytes;   /* read from this socket and redirected */
	__u64 last_ns; /* CLOCK_MONOTONIC of the last redirect or pass */
	__u64 passed;  /* left to fwd (SK_PASS) while held, see below */
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
};

#endif
