/*
 * Decisions for sessions on the kernel data path (kpath_sess.c), pure:
 * counters and times in, a verdict out. Unit tested (test_fwd_kpath.c).
 */
#ifndef FWD_KPATH_DECIDE_H
#define FWD_KPATH_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

/* One direction of a handed-off session, as seen from both sockets. */
struct kpath_dir {
	uint64_t received;   /* tcpi_bytes_received of the reading socket */
	bool fin;	     /* it saw the peer's FIN (counted in received) */
	uint64_t read0;	     /* bytes fwd read itself before the hand-off */
	uint64_t redirected; /* counted by the verdict program */
	uint64_t passed;     /* left to fwd by the program (held) */
	uint64_t consumed;   /* of those, read and sent on by fwd */
	uint64_t written;    /* into the writing socket since hand-off */
};

/*
 * Every byte the reader got has reached the writer's send queue, so a
 * FIN may follow it: nothing waits in the reader's receive queue or in
 * the kernel's redirect queue.
 */
bool kpath_dir_drained(const struct kpath_dir *d);
/* Bytes the program redirected that are not yet in the writer's send
 * queue: the kernel's own queue, which has no bound of its own. */
uint64_t kpath_dir_backlog(const struct kpath_dir *d);

/*
 * Flow control: hold the reader (the program leaves its bytes in its
 * own receive queue, so TCP's window holds the sender) above high
 * bytes of backlog, and let go below low.
 */
bool kpath_should_hold(uint64_t backlog, bool held, uint64_t high,
		       uint64_t low);
enum kpath_idle {
	KPATH_IDLE_NONE,
	KPATH_IDLE_CLIENT, /* timeout client */
	KPATH_IDLE_SERVER, /* timeout server */
};

/* Last activity in ms from the program's CLOCK_MONOTONIC stamp. */
int64_t kpath_last_ms(int64_t last_ms, uint64_t stamp_ns);
/*
 * The idle check of a session, as the copy path's: *next is when to
 * look again if nothing expired.
 */
enum kpath_idle kpath_idle_check(int64_t cli_last, int64_t srv_last,
				 int64_t client_ms, int64_t server_ms,
				 int64_t now, int64_t *next);

#endif
