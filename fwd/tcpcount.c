#include "tcpcount.h"

#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* TCP_INFO: the callers below read it around a second value. */
int tcpcount_info(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len) < 0 ? -errno : 0;
}

/*
 * Bytes ever queued for sending on fd: acknowledged plus in the send
 * queue. An ACK between the two reads would count bytes
 * twice or not at all, so the reads repeat until no ACK came between them.
 */
int tcpcount_written(int fd, uint64_t *out)
{
	*out = 0;
	for (int i = 0; i < 16; i++) {
		struct tcp_info a, b;
		int outq;

		if (tcpcount_info(fd, &a) < 0 ||
		    ioctl(fd, SIOCOUTQ, &outq) < 0 || tcpcount_info(fd, &b) < 0)
			return -errno;
		if (a.tcpi_bytes_acked == b.tcpi_bytes_acked) {
			*out = b.tcpi_bytes_acked + (uint64_t)outq;
			return 0;
		}
	}
	return -EAGAIN;
}

/* Bytes fd received that fwd read (all, less what is still queued). */
int tcpcount_read(int fd, uint64_t *out)
{
	*out = 0;
	for (int i = 0; i < 16; i++) {
		struct tcp_info a, b;
		int inq;

		if (tcpcount_info(fd, &a) < 0 || ioctl(fd, SIOCINQ, &inq) < 0 ||
		    tcpcount_info(fd, &b) < 0)
			return -errno;
		if (a.tcpi_bytes_received == b.tcpi_bytes_received) {
			*out = b.tcpi_bytes_received - (uint64_t)inq;
			return 0;
		}
	}
	return -EAGAIN;
}
