/*
 * Single-threaded event loop: epoll for file descriptors, a binary heap of
 * monotonic timers, and signals delivered through a signalfd.
 */
#ifndef COMMON_LOOP_H
#define COMMON_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

struct loop;

/* Embedded in whatever owns the fd; the loop never frees it. */
struct loop_io {
	int fd;
	uint32_t events;
	void (*cb)(struct loop *loop, struct loop_io *io, uint32_t events);
	void *arg;
};

struct loop_timer {
	int64_t when_ms;
	size_t slot; /* index in the heap, or SIZE_MAX when not armed */
	void (*cb)(struct loop *loop, struct loop_timer *t);
	void *arg;
};

typedef void (*loop_signal_cb)(struct loop *loop, int signo, void *arg);

struct loop {
	int epfd;
	int sigfd;
	struct loop_io sig_io;
	loop_signal_cb sig_cb[65];
	void *sig_arg[65];
	struct loop_timer **heap;
	size_t n_timers, cap_timers;
	bool stop;
	int64_t now_ms;		   /* refreshed once per iteration */
	struct epoll_event *batch; /* events being dispatched right now */
	int batch_n;
};

int64_t mono_ms(void);

int loop_init(struct loop *loop);
void loop_free(struct loop *loop);

/* Returns 0 or -errno. */
int loop_io_add(struct loop *loop, struct loop_io *io);
int loop_io_mod(struct loop *loop, struct loop_io *io, uint32_t events);
/*
 * Removes the fd from epoll and forgets any event for it still pending in
 * the current batch, so the owner may free io right after this call. With
 * io->fd == -1 (already closed, which drops it from epoll) it only forgets
 * the pending events.
 */
void loop_io_del(struct loop *loop, struct loop_io *io);

void loop_timer_init(struct loop_timer *t,
		     void (*cb)(struct loop *, struct loop_timer *), void *arg);
/* Arms (or re-arms) the timer to fire at an absolute monotonic time. */
void loop_timer_at(struct loop *loop, struct loop_timer *t, int64_t when_ms);
void loop_timer_in(struct loop *loop, struct loop_timer *t, int64_t delay_ms);
void loop_timer_cancel(struct loop *loop, struct loop_timer *t);
bool loop_timer_armed(const struct loop_timer *t);

/* Blocks the signal and delivers it through the loop. */
int loop_signal(struct loop *loop, int signo, loop_signal_cb cb, void *arg);

/* Runs until loop_stop(); returns 0, or -errno on a fatal epoll error. */
int loop_run(struct loop *loop);
void loop_stop(struct loop *loop);

#endif
