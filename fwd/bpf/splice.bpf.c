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
#include <bpf/bpf_helpers.h>

#include "splice_side.h"

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

SEC("sk_skb/stream_verdict")
int splice_verdict(struct __sk_buff *skb)
{
	__u64 cookie = bpf_get_socket_cookie(skb);
	struct splice_side *sd = bpf_map_lookup_elem(&sides, &cookie);
	struct splice_hold *hold;
	__u64 peer;

	/* not (or no longer) a session's: leave the bytes to fwd */
	if (!sd)
		return SK_PASS;
	/* the skb that carried a bare FIN: fwd passes FINs on itself, and
	 * the kernel would report an empty redirect as EPIPE on the peer */
	if (!skb->len)
		return SK_DROP;
	sd->last_ns = bpf_ktime_get_ns();
	hold = bpf_map_lookup_elem(&holds, &cookie);
	/* bytes are handled one skb at a time, in order: once one was
	 * passed, all that follow are, until fwd has sent them all on */
	if (hold && (hold->held || sd->passed != hold->consumed)) {
		sd->passed += skb->len;
		return SK_PASS;
	}
	peer = sd->peer;
	__sync_fetch_and_add(&sd->bytes, skb->len);
	return bpf_sk_redirect_hash(skb, &targets, &peer, 0);
}

char LICENSE[] SEC("license") = "GPL";
