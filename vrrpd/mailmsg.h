/*
 * Frames between vrrpd and its mail process, vrrpd-mail (pure: encode and
 * decode only, so a unit test and a fuzzer can feed it anything). The
 * link is a SOCK_STREAM socketpair, so frames carry their length:
 *
 *   u32 length (big-endian, of what follows: 5 .. MAILMSG_MAX)
 *   u8  type (enum mailmsg_type)
 *   u32 id (big-endian; the mail it is about, 0 when none)
 *   fields: "key=value" strings, each ending in a NUL
 *
 * A value holds anything but NUL (a whole mail text, CRLFs and all); a key
 * may repeat (one "to=" per recipient).
 */
#ifndef VRRPD_MAILMSG_H
#define VRRPD_MAILMSG_H

#include <stddef.h>
#include <stdint.h>

#include "../common/sbuf.h"

#define MAILMSG_MAX (1024 * 1024) /* a frame, without its length */
/* Fields a frame may hold: the settings carry one "rcpt" per
 * notification_email, and vrrpd sends at most MAILMSG_RCPT_MAX of them so
 * that vrrpd-mail never refuses the frame. */
#define MAILMSG_FIELDS	 1024
#define MAILMSG_RCPT_MAX (MAILMSG_FIELDS - 16)

enum mailmsg_type {
	/* vrrpd -> vrrpd-mail */
	MAILMSG_CONF = 1, /* the SMTP settings (start, reload) */
	MAILMSG_MAIL,	  /* a message to deliver: id, what, text, ... */
	/* vrrpd-mail -> vrrpd: what became of mail id */
	MAILMSG_SENT,
	MAILMSG_RETRY,	 /* failed; tried again later */
	MAILMSG_FAILED,	 /* given up after the last try */
	MAILMSG_DROPPED, /* pushed out of the full queue */
	MAILMSG_TYPE_MAX
};

struct mailmsg {
	uint8_t type;
	uint32_t id;
	size_t n;
	const char *field[MAILMSG_FIELDS]; /* "key=value", into the frame */
};

/* What one side reads: bytes in, frames out. */
struct mailmsg_rx {
	struct sbuf in;
	size_t done; /* the frame handed out last, dropped next call */
};

const char *mailmsg_type_str(uint8_t type);

/* Starts a frame at the end of out; put fields, then mailmsg_end(). */
size_t mailmsg_begin(struct sbuf *out, enum mailmsg_type type, uint32_t id);
void mailmsg_put(struct sbuf *out, const char *key, const char *value);
void mailmsg_putf(struct sbuf *out, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes the length of the frame begun at start. 0, or -E2BIG (then the
 * frame is taken back out). */
int mailmsg_end(struct sbuf *out, size_t start);

/* One frame body (after the length): 0, or -EBADMSG (unknown type, a
 * field without '=' or its NUL, too many fields). m points into buf. */
int mailmsg_decode(const char *buf, size_t len, struct mailmsg *m);

/* The value of the first (n = 0) or n-th field named key, or NULL. */
const char *mailmsg_get(const struct mailmsg *m, const char *key, size_t n);
/* The value of key as a number in [min, max], else def. */
long long mailmsg_get_num(const struct mailmsg *m, const char *key,
			  long long min, long long max, long long def);

void mailmsg_rx_init(struct mailmsg_rx *rx);
void mailmsg_rx_free(struct mailmsg_rx *rx);
void mailmsg_rx_feed(struct mailmsg_rx *rx, const void *data, size_t len);
/*
 * The next whole frame: 1 (m points into rx until the next call), 0 when
 * more bytes are needed, -EBADMSG for a bad length or frame (the stream
 * cannot be trusted past it: close the link), -ENOMEM.
 */
int mailmsg_rx_next(struct mailmsg_rx *rx, struct mailmsg *m);

#endif
