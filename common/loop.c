#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int loop_init(struct loop *loop)
{
	memset(loop, 0, sizeof(*loop));
	loop->sigfd = -1;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		return -errno;
	loop->now_ms = mono_ms();
	return 0;
}

void loop_free(struct loop *loop)
{
	if (loop->sigfd >= 0)
		close(loop->sigfd);
	if (loop->epfd >= 0)
		close(loop->epfd);
	free(loop->heap);
	loop->heap = NULL;
	loop->epfd = loop->sigfd = -1;
}

int loop_io_add(struct loop *loop, struct loop_io *io)
{
	struct epoll_event ev = {.events = io->events, .data.ptr = io};

	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, io->fd, &ev) < 0)
		return -errno;
	return 0;
}

int loop_io_mod(struct loop *loop, struct loop_io *io, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = io};

	if (io->events == events)
		return 0;
	io->events = events;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0)
		return -errno;
	return 0;
}

void loop_io_del(struct loop *loop, struct loop_io *io)
{
	int i;

	if (io->fd >= 0)
		epoll_ctl(loop->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	for (i = 0; i < loop->batch_n; i++)
		if (loop->batch[i].data.ptr == io)
			loop->batch[i].data.ptr = NULL;
}

/* Timer heap: smallest when_ms at slot 0. */

static void heap_set(struct loop *loop, size_t slot, struct loop_timer *t)
{
	loop->heap[slot] = t;
	t->slot = slot;
}

static void heap_up(struct loop *loop, size_t slot)
{
	struct loop_timer *t = loop->heap[slot];

	while (slot > 0) {
		size_t parent = (slot - 1) / 2;

		if (loop->heap[parent]->when_ms <= t->when_ms)
			break;
		heap_set(loop, slot, loop->heap[parent]);
		slot = parent;
	}
	heap_set(loop, slot, t);
}

static void heap_down(struct loop *loop, size_t slot)
{
	struct loop_timer *t = loop->heap[slot];

	for (;;) {
		size_t child = 2 * slot + 1;

		if (child >= loop->n_timers)
			break;
		if (child + 1 < loop->n_timers &&
		    loop->heap[child + 1]->when_ms < loop->heap[child]->when_ms)
			child++;
		if (t->when_ms <= loop->heap[child]->when_ms)
			break;
		heap_set(loop, slot, loop->heap[child]);
		slot = child;
	}
	heap_set(loop, slot, t);
}

void loop_timer_init(struct loop_timer *t,
		     void (*cb)(struct loop *, struct loop_timer *), void *arg)
{
	t->when_ms = 0;
	t->slot = SIZE_MAX;
	t->cb = cb;
	t->arg = arg;
}

bool loop_timer_armed(const struct loop_timer *t)
{
	return t->slot != SIZE_MAX;
}

void loop_timer_cancel(struct loop *loop, struct loop_timer *t)
{
	size_t slot = t->slot;
	struct loop_timer *last;

	if (slot == SIZE_MAX)
		return;
	t->slot = SIZE_MAX;
	last = loop->heap[--loop->n_timers];
	if (last == t)
		return;
	heap_set(loop, slot, last);
	heap_up(loop, slot);
	heap_down(loop, last->slot);
}

void loop_timer_at(struct loop *loop, struct loop_timer *t, int64_t when_ms)
{
	loop_timer_cancel(loop, t);
	if (loop->n_timers == loop->cap_timers) {
		size_t cap = loop->cap_timers ? loop->cap_timers * 2 : 64;
		struct loop_timer **h = realloc(loop->heap, cap * sizeof(*h));

		if (!h)
			abort(); /* a daemon that cannot arm timers is dead */
		loop->heap = h;
		loop->cap_timers = cap;
	}
	t->when_ms = when_ms;
	heap_set(loop, loop->n_timers++, t);
	heap_up(loop, t->slot);
}

void loop_timer_in(struct loop *loop, struct loop_timer *t, int64_t delay_ms)
{
	loop_timer_at(loop, t, mono_ms() + delay_ms);
}

static void signal_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct signalfd_siginfo si;

	(void)ev;
	while (read(io->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo < 65 && loop->sig_cb[si.ssi_signo])
			loop->sig_cb[si.ssi_signo](loop, (int)si.ssi_signo,
						   loop->sig_arg[si.ssi_signo]);
	}
}

int loop_signal(struct loop *loop, int signo, loop_signal_cb cb, void *arg)
{
	sigset_t set;
	int i;

	if (signo <= 0 || signo >= 65)
		return -EINVAL;
	loop->sig_cb[signo] = cb;
	loop->sig_arg[signo] = arg;
	sigemptyset(&set);
	for (i = 1; i < 65; i++)
		if (loop->sig_cb[i])
			sigaddset(&set, i);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	if (loop->sigfd >= 0) {
		if (signalfd(loop->sigfd, &set, 0) < 0)
			return -errno;
		return 0;
	}
	loop->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (loop->sigfd < 0)
		return -errno;
	loop->sig_io.fd = loop->sigfd;
	loop->sig_io.events = EPOLLIN;
	loop->sig_io.cb = signal_ready;
	return loop_io_add(loop, &loop->sig_io);
}

static void run_timers(struct loop *loop)
{
	loop->now_ms = mono_ms();
	while (loop->n_timers && loop->heap[0]->when_ms <= loop->now_ms &&
	       !loop->stop) {
		struct loop_timer *t = loop->heap[0];

		loop_timer_cancel(loop, t);
		t->cb(loop, t);
	}
}

int loop_run(struct loop *loop)
{
	struct epoll_event evs[64];

	loop->stop = false;
	while (!loop->stop) {
		int timeout = -1, n, i;

		run_timers(loop);
		if (loop->stop)
			break;
		if (loop->n_timers) {
			int64_t d = loop->heap[0]->when_ms - mono_ms();

			timeout = d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
		}
		n = epoll_wait(loop->epfd, evs, 64, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		loop->now_ms = mono_ms();
		loop->batch = evs;
		loop->batch_n = n;
		for (i = 0; i < n && !loop->stop; i++) {
			struct loop_io *io = evs[i].data.ptr;

			if (io)
				io->cb(loop, io, evs[i].events);
		}
		loop->batch_n = 0;
	}
	return 0;
}

void loop_stop(struct loop *loop)
{
	loop->stop = true;
}
