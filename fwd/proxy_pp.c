#include "proxy_pp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proxyproto.h"

int pp_session_read(struct session *s, const char **why, int *err)
{
	uint8_t buf[PP_READ_MAX];
	struct pp_info pi;
	ssize_t n;
	int rc;

	*err = 0;
	/* peek: only the header is taken off the socket, the client's own
	 * bytes stay for session_start */
	n = recv(s->cli.io.fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR) {
			s->cli.rd = errno == EINTR;
			return 0;
		}
		*err = errno;
		*why = "read error";
		return -1;
	}
	if (n == 0) {
		*why = "closed before a PROXY header";
		return -1;
	}
	rc = pp_decode(buf, (size_t)n, &pi, why);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (s->cli.rdhup) {
			*why = "closed inside the PROXY header";
			return -1;
		}
		s->cli.rd = false; /* more bytes raise a new edge */
		return 0;
	}
	if (recv(s->cli.io.fd, buf, (size_t)rc, MSG_DONTWAIT) != rc) {
		*err = errno;
		*why = "read error";
		return -1;
	}
	if (!pi.local) {
		/* the load balancer's client: balancing, stickiness, logs
		 * and a forwarded header see this address */
		s->peer = pi.src;
		s->peerlen = pi.src.ss_family == AF_INET
				 ? sizeof(struct sockaddr_in)
				 : sizeof(struct sockaddr_in6);
		s->pp_dst = pi.dst;
		s->has_pp_dst = true;
	}
	return 1;
}

static size_t build(struct session *s, int version, char *buf)
{
	struct sockaddr_storage dst;
	socklen_t len = sizeof(dst);

	if (s->has_pp_dst) {
		dst = s->pp_dst;
	} else if (getsockname(s->cli.io.fd, (struct sockaddr *)&dst, &len) <
		   0) {
		memset(&dst, 0, sizeof(dst));
	}
	if (version == 2)
		return pp_encode_v2((struct sockaddr *)&s->peer,
				    (struct sockaddr *)&dst, (uint8_t *)buf);
	return pp_encode_v1((struct sockaddr *)&s->peer,
			    (struct sockaddr *)&dst, buf);
}

/*
 * Nothing reached the last server (its connect failed), so a header left
 * in front of up.buf is dropped and the new server's, if any, put there:
 * a retry may go to a server with another send_proxy.
 */
int pp_session_prepare(struct session *s)
{
	struct flow *fl = &s->up;
	char hdr[PP_V1_MAX + PP_V2_MAX];
	size_t hlen = 0;
	char *nb;

	if (s->pp_len && fl->blen >= s->pp_len) {
		fl->boff += s->pp_len;
		fl->blen -= s->pp_len;
	}
	s->pp_len = 0;
	if (s->srv->conf->send_proxy)
		hlen = build(s, s->srv->conf->send_proxy, hdr);
	if (!hlen)
		return 0;
	nb = malloc(hlen + fl->blen);
	if (!nb)
		return -ENOMEM;
	memcpy(nb, hdr, hlen);
	if (fl->blen)
		memcpy(nb + hlen, fl->buf + fl->boff, fl->blen);
	free(fl->buf);
	fl->buf = nb;
	fl->boff = 0;
	fl->blen += hlen;
	s->pp_len = hlen;
	return 0;
}

size_t pp_check_header(int version, char *buf, size_t len)
{
	if (version == 2 && len >= PP_V2_MAX)
		return pp_encode_v2(NULL, NULL, (uint8_t *)buf);
	if (len > PP_V1_MAX)
		return pp_encode_v1(NULL, NULL, buf);
	return 0;
}
