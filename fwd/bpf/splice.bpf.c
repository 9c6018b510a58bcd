// SPDX-License-Identifier: GPL-2.0
/*
 * fwd's kernel data path (issue 20): a stream verdict program that moves
 * each side's bytes straight to its peer's send queue, so fwd is woken
 * only for close, error and timeout. Loaded by fwd/kpath.c.
 *
 * Two socket maps, so a session's sockets can be added one at a time
 * without data being dropped: "targets" holds both sockets first (no
 * program attached: only a place to redirect to), then "socks" (the
 * verdict program attached) takes them. Once a socket is in socks, its
 * peer is already in targets.
 */
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "splice_side.h"

/*
 * The kernel's structures, only as far as the program reads them; libbpf
 * places each field at load time from the running kernel's BTF (CO-RE).
 * An skb's control block starts with TCP's struct tcp_skb_cb, whose
 * first field is the sequence number of the skb's first byte; the skb
 * belongs to its socket (sk) by the time the program sees it.
 */
struct sock;

struct sk_buff {
	char cb[48];
	struct sock *sk;
} __attribute__((preserve_access_index));

struct tcp_sock {
	__u32 copied_seq; /* what the reader (fwd, before the hand-off) took */
} __attribute__((preserve_access_index));

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* sk_skb_adjust_room() removes at most this many head bytes a call;
 * together at most 1,048,320 bytes off one skb. */
#define TRIM_STEP  4095
#define TRIM_CALLS 256

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 2); /* set by kpath_open() */
	__type(key, __u64);	/* socket cookie */
	__type(value, __u64);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 2);
	__type(key, __u64);
	__type(value, __u64);
} targets SEC(".maps");

/* One entry per socket of a handed-off session, keyed by its cookie. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct splice_side);
} sides SEC(".maps");

/* fwd's flow control per socket (struct splice_hold); no entry: none. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct splice_hold);
} holds SEC(".maps");

/* Wake-ups for fwd (struct splice_wake), read from its event loop. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 10);
} wakes SEC(".maps");

/*
 * Bytes this socket's program saw already. Under load the kernel hands
 * the program an skb whose head it handed over before (in bulk: a 64 KiB
 * loopback segment again at the head of a longer skb), and the client
 * got those bytes twice. Whatever the kernel's path to it, the program
 * keeps its own next sequence number and cuts what it saw from the
 * head; the skb's own length then also keeps TCP's copied_seq right
 * (the kernel advances it by what the program redirects). 0: go on
 * with what is left; else why the side is broken (SPLICE_BROKEN_*).
 */
static __always_inline int cut_seen(struct __sk_buff *skb,
				    struct splice_side *sd)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);
	__u32 seq = *(__u32 *)&k->cb[0];
	__u32 len = skb->len;
	__u32 over, seen;

	/* the first skb after the hand-off: everything before the socket's
	 * copied_seq fwd read itself on the copy path */
	if (!sd->seq_known) {
		/* read-only: bpf_skc_to_tcp_sock() refuses the RCU pointer
		 * k->sk is, and a sock of a TCP socket is a tcp_sock */
		struct tcp_sock *tp = bpf_rdonly_cast(
		    k->sk, bpf_core_type_id_kernel(struct tcp_sock));

		if (tp) {
			sd->next_seq = tp->copied_seq;
			sd->seq_known = 1;
		}
	}
	over = splice_seen(sd->next_seq, sd->seq_known, seq, len);
	seen = over;
	/* a whole repeat (never seen): dropping it would advance
	 * copied_seq past what TCP received, and the kernel would then
	 * hold back the program until that many more bytes came */
	if (over && over == len)
		return SPLICE_BROKEN_WHOLE;
	if (over > TRIM_STEP * TRIM_CALLS)
		return SPLICE_BROKEN_LONG;
	for (int i = 0; i < TRIM_CALLS && over; i++) {
		__u32 n = over > TRIM_STEP ? TRIM_STEP : over;

		if (bpf_skb_adjust_room(skb, -(__s32)n, 0, 0))
			return SPLICE_BROKEN_NOMEM;
		over -= n;
	}
	if (seen) {
		__sync_fetch_and_add(&sd->dup, seen);
		if (seen > sd->cut_max)
			sd->cut_max = seen;
	}
	sd->next_seq = splice_next(sd->next_seq, sd->seq_known, seq, len);
	sd->seq_known = 1;
	return 0;
}

SEC("sk_skb/stream_verdict")
int splice_verdict(struct __sk_buff *skb)
{
	__u64 cookie = bpf_get_socket_cookie(skb);
	struct splice_side *sd = bpf_map_lookup_elem(&sides, &cookie);
	struct splice_hold *hold;
	__u64 peer, consumed, limit, sent;
	int why;

	/* not (or no longer) a session's: leave the bytes to fwd */
	if (!sd)
		return SK_PASS;
	/* the skb that carried a bare FIN: fwd passes FINs on itself, and
	 * the kernel would report an empty redirect as EPIPE on the peer;
	 * a broken side's stream has a hole: nothing more goes on, and fwd
	 * resets the session as soon as it looks */
	if (!skb->len || sd->broken)
		return SK_DROP;
	why = cut_seen(skb, sd);
	if (why) {
		struct splice_wake w = {.cookie = cookie, .tag = sd->tag};

		sd->broken = why;
		bpf_ringbuf_output(&wakes, &w, sizeof(w), 0);
		return SK_DROP;
	}
	sd->last_ns = bpf_ktime_get_ns();
	hold = bpf_map_lookup_elem(&holds, &cookie);
	consumed = hold ? hold->consumed : 0;
	/* bytes are handled one skb at a time, in order: once one was
	 * passed, all that follow are, until fwd has sent them all on */
	if ((hold && hold->held) || sd->passed != consumed) {
		sd->passed += skb->len;
		return SK_PASS;
	}
	/* credit: fwd moves the limit on as the peer acknowledges; it is
	 * woken when half is used, and if it is late, the bytes wait in
	 * this socket's own queue, where TCP's window bounds them */
	limit = hold && hold->limit ? hold->limit : sd->limit;
	sent = sd->bytes + consumed + skb->len;
	if (sent > limit || limit - sent < SPLICE_CREDIT / 2) {
		struct splice_wake w = {.cookie = cookie, .tag = sd->tag};

		if (sd->warned != limit || sent > limit)
			bpf_ringbuf_output(&wakes, &w, sizeof(w), 0);
		sd->warned = limit;
		if (sent > limit) {
			sd->passed += skb->len;
			return SK_PASS;
		}
	}
	peer = sd->peer;
	__sync_fetch_and_add(&sd->bytes, skb->len);
	return bpf_sk_redirect_hash(skb, &targets, &peer, 0);
}

char LICENSE[] SEC("license") = "GPL";
