#include "pipes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

void pipes_init(struct pipes *p, size_t cap)
{
	p->free = calloc(cap, sizeof(*p->free));
	p->cap = p->free ? cap : 0;
	p->n = 0;
	p->in_use = 0;
	p->size = 65536;
}

void pipes_free(struct pipes *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		close(p->free[i][0]);
		close(p->free[i][1]);
	}
	free(p->free);
	p->free = NULL;
	p->n = p->cap = 0;
}

int pipes_get(struct pipes *p, int fd[2])
{
	if (p->n) {
		p->n--;
		fd[0] = p->free[p->n][0];
		fd[1] = p->free[p->n][1];
	} else {
		int sz;

		if (p->in_use >= p->limit)
			return -EMFILE;
		if (pipe2(fd, O_NONBLOCK | O_CLOEXEC) < 0)
			return -errno;
		sz = fcntl(fd[0], F_GETPIPE_SZ);
		if (sz > 0)
			p->size = sz;
	}
	p->in_use++;
	return 0;
}

void pipes_put(struct pipes *p, int fd[2])
{
	p->in_use--;
	if (p->n < p->cap) {
		p->free[p->n][0] = fd[0];
		p->free[p->n][1] = fd[1];
		p->n++;
	} else {
		close(fd[0]);
		close(fd[1]);
	}
	fd[0] = fd[1] = -1;
}

void pipes_discard(struct pipes *p, int fd[2])
{
	p->in_use--;
	close(fd[0]);
	close(fd[1]);
	fd[0] = fd[1] = -1;
}
