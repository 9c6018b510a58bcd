/*
 * Inside a session (proxy.h is the public face): what session.c (life
 * cycle, timeouts, end reasons) offers to flow.c and connect.c.
 */
#ifndef FWD_SESSION_H
#define FWD_SESSION_H

#include "proxy.h"

/*
 * Edge-triggered and registered once: the interest set never changes,
 * so moving bytes costs no epoll_ctl. Readiness is tracked in side.rd/wr.
 */
#define SIDE_EVENTS (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)

static inline int64_t now_ms(const struct session *s)
{
	return s->l->f->loop.now_ms;
}

void set_nodelay(int fd);
void side_close(struct fwd *f, struct side *sd);
/* Records readiness from epoll events (edge-triggered: set here,
 * cleared by EAGAIN). */
void side_ready(struct side *sd, uint32_t ev);
/* Arms s->timer for the nearer of the two idle deadlines. */
void arm_idle(struct session *s);

#endif
