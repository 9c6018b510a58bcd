#include "kpath.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/splice_side.h"
#include "splice.skel.h"

struct kpath {
	struct splice *skel;
	int socks, targets, sides, holds; /* map fds */
};

const char *kpath_err_str(enum kpath_err e)
{
	switch (e) {
	case KPATH_OK:
		return "ok";
	case KPATH_NOT_PERMITTED:
		return "not permitted";
	case KPATH_UNSUPPORTED:
		return "unsupported";
	case KPATH_FAILED:
		break;
	}
	return "failed";
}

/* libbpf prints its own diagnostics; fwd says what matters itself. */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static enum kpath_err classify(int err)
{
	if (err == EPERM || err == EACCES)
		return KPATH_NOT_PERMITTED;
	if (err == EINVAL || err == ENOSYS || err == EOPNOTSUPP ||
	    err == ENOTSUP)
		return KPATH_UNSUPPORTED;
	return KPATH_FAILED;
}

enum kpath_err kpath_open(struct kpath **out, size_t max_sessions, char *why,
			  size_t whylen)
{
	struct kpath *k = calloc(1, sizeof(*k));
	__u32 n =
	    max_sessions > 0x3fffffff ? 0x7ffffffe : (__u32)max_sessions * 2;
	const char *step = "open";
	int err;

	*out = NULL;
	if (!k) {
		snprintf(why, whylen, "out of memory");
		return KPATH_FAILED;
	}
	libbpf_set_print(quiet);
	k->skel = splice__open();
	if (!k->skel) {
		err = errno;
		goto fail;
	}
	if (n < 2)
		n = 2;
	step = "size maps";
	if ((err = -bpf_map__set_max_entries(k->skel->maps.socks, n)) ||
	    (err = -bpf_map__set_max_entries(k->skel->maps.targets, n)) ||
	    (err = -bpf_map__set_max_entries(k->skel->maps.sides, n)) ||
	    (err = -bpf_map__set_max_entries(k->skel->maps.holds, n)))
		goto fail;
	step = "load";
	if ((err = -splice__load(k->skel)))
		goto fail;
	k->socks = bpf_map__fd(k->skel->maps.socks);
	k->targets = bpf_map__fd(k->skel->maps.targets);
	k->sides = bpf_map__fd(k->skel->maps.sides);
	k->holds = bpf_map__fd(k->skel->maps.holds);
	step = "attach";
	if (bpf_prog_attach(bpf_program__fd(k->skel->progs.splice_verdict),
			    k->socks, BPF_SK_SKB_STREAM_VERDICT, 0) < 0) {
		err = errno;
		goto fail;
	}
	*out = k;
	return KPATH_OK;
fail:
	if (err < 0)
		err = -err;
	snprintf(why, whylen, "%s: %s", step, strerror(err));
	kpath_close(k);
	return classify(err);
}

void kpath_close(struct kpath *k)
{
	if (!k)
		return;
	splice__destroy(k->skel);
	free(k);
}

static int cookie_of(int fd, uint64_t *c)
{
	socklen_t len = sizeof(*c);

	return getsockopt(fd, SOL_SOCKET, SO_COOKIE, c, &len) < 0 ? -errno : 0;
}

static int map_put(int map, uint64_t key, const void *val)
{
	return bpf_map_update_elem(map, &key, val, BPF_NOEXIST) < 0 ? -errno
								    : 0;
}

int kpath_adopt(struct kpath *k, int client_fd, int server_fd,
		struct kpath_handle *h)
{
	struct splice_side up = {0}, down = {0};
	uint64_t cfd = (uint64_t)client_fd, sfd = (uint64_t)server_fd;
	int rc;

	if ((rc = cookie_of(client_fd, &h->cli)) < 0 ||
	    (rc = cookie_of(server_fd, &h->srv)) < 0)
		return rc;
	up.peer = h->srv;
	down.peer = h->cli;
	/* order matters: a socket joins socks (and its bytes start to
	 * move) only once its peer can be found in targets and its own
	 * entry in sides */
	if ((rc = map_put(k->sides, h->cli, &up)) < 0 ||
	    (rc = map_put(k->sides, h->srv, &down)) < 0 ||
	    (rc = map_put(k->targets, h->cli, &cfd)) < 0 ||
	    (rc = map_put(k->targets, h->srv, &sfd)) < 0 ||
	    (rc = map_put(k->socks, h->srv, &sfd)) < 0 ||
	    (rc = map_put(k->socks, h->cli, &cfd)) < 0) {
		kpath_release(k, h);
		return rc;
	}
	return 0;
}

int kpath_counters(const struct kpath *k, const struct kpath_handle *h,
		   struct kpath_counts *c)
{
	struct splice_side a, b;

	if (bpf_map_lookup_elem(k->sides, &h->cli, &a) < 0 ||
	    bpf_map_lookup_elem(k->sides, &h->srv, &b) < 0)
		return -errno;
	c->up = a.bytes;
	c->up_passed = a.passed;
	c->down_passed = b.passed;
	c->up_ns = a.last_ns;
	c->down = b.bytes;
	c->down_ns = b.last_ns;
	return 0;
}

int kpath_hold(struct kpath *k, const struct kpath_handle *h, bool client,
	       bool held, uint64_t consumed)
{
	struct splice_hold v = {.held = held, .consumed = consumed};
	uint64_t key = client ? h->cli : h->srv;

	return bpf_map_update_elem(k->holds, &key, &v, BPF_ANY) < 0 ? -errno
								    : 0;
}

void kpath_release(struct kpath *k, const struct kpath_handle *h)
{
	/* closing a socket takes it out of both socket maps by itself;
	 * deleting here too keeps a socket that lives on (never, today)
	 * from carrying the program */
	bpf_map_delete_elem(k->socks, &h->cli);
	bpf_map_delete_elem(k->socks, &h->srv);
	bpf_map_delete_elem(k->targets, &h->cli);
	bpf_map_delete_elem(k->targets, &h->srv);
	bpf_map_delete_elem(k->sides, &h->cli);
	bpf_map_delete_elem(k->sides, &h->srv);
	bpf_map_delete_elem(k->holds, &h->cli);
	bpf_map_delete_elem(k->holds, &h->srv);
}
