/* Frames between vrrpd and vrrpd-mail (pure). */
#include "mailmsg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HDR 4 /* the length */

const char *mailmsg_type_str(uint8_t type)
{
	static const char *const names[MAILMSG_TYPE_MAX] = {
	    [MAILMSG_CONF] = "conf",	 [MAILMSG_MAIL] = "mail",
	    [MAILMSG_SENT] = "sent",	 [MAILMSG_RETRY] = "retry",
	    [MAILMSG_FAILED] = "failed", [MAILMSG_DROPPED] = "dropped"};

	return type < MAILMSG_TYPE_MAX && names[type] ? names[type] : "?";
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

size_t mailmsg_begin(struct sbuf *out, enum mailmsg_type type, uint32_t id)
{
	size_t start = out->len;
	uint8_t hdr[HDR + 1 + 4];

	put_u32(hdr, 0);
	hdr[HDR] = (uint8_t)type;
	put_u32(hdr + HDR + 1, id);
	sbuf_add(out, hdr, sizeof(hdr));
	return start;
}

void mailmsg_put(struct sbuf *out, const char *key, const char *value)
{
	sbuf_puts(out, key);
	sbuf_add(out, "=", 1);
	/* a NUL inside would end the value early: it cannot be sent */
	sbuf_add(out, value, strlen(value) + 1);
}

void mailmsg_putf(struct sbuf *out, const char *key, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mailmsg_put(out, key, buf);
}

int mailmsg_end(struct sbuf *out, size_t start)
{
	size_t len = out->len - start - HDR;

	if (out->oom || len > MAILMSG_MAX) {
		out->len = start;
		return -E2BIG;
	}
	put_u32((uint8_t *)out->buf + start, (uint32_t)len);
	return 0;
}

int mailmsg_decode(const char *buf, size_t len, struct mailmsg *m)
{
	size_t off = 5;

	memset(m, 0, sizeof(*m));
	if (len < 5 || (uint8_t)buf[0] == 0 ||
	    (uint8_t)buf[0] >= MAILMSG_TYPE_MAX)
		return -EBADMSG;
	m->type = (uint8_t)buf[0];
	m->id = get_u32((const uint8_t *)buf + 1);
	while (off < len) {
		const char *f = buf + off;
		const char *nul = memchr(f, '\0', len - off);
		const char *eq = memchr(f, '=', len - off);

		if (!nul || !eq || eq > nul || eq == f ||
		    m->n == MAILMSG_FIELDS)
			return -EBADMSG;
		m->field[m->n++] = f;
		off += (size_t)(nul - f) + 1;
	}
	return 0;
}

const char *mailmsg_get(const struct mailmsg *m, const char *key, size_t n)
{
	size_t i, klen = strlen(key);

	for (i = 0; i < m->n; i++)
		if (!strncmp(m->field[i], key, klen) &&
		    m->field[i][klen] == '=' && n-- == 0)
			return m->field[i] + klen + 1;
	return NULL;
}

long long mailmsg_get_num(const struct mailmsg *m, const char *key,
			  long long min, long long max, long long def)
{
	const char *v = mailmsg_get(m, key, 0);
	char *end;
	long long n;

	if (!v || !*v)
		return def;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return def;
	return n;
}

void mailmsg_rx_init(struct mailmsg_rx *rx)
{
	sbuf_init(&rx->in);
	rx->done = 0;
}

void mailmsg_rx_free(struct mailmsg_rx *rx)
{
	sbuf_free(&rx->in);
	rx->done = 0;
}

void mailmsg_rx_feed(struct mailmsg_rx *rx, const void *data, size_t len)
{
	sbuf_add(&rx->in, data, len);
}

int mailmsg_rx_next(struct mailmsg_rx *rx, struct mailmsg *m)
{
	uint32_t len;

	if (rx->done) {
		sbuf_consume(&rx->in, rx->done);
		rx->done = 0;
	}
	if (rx->in.oom)
		return -ENOMEM;
	if (rx->in.len < HDR)
		return 0;
	len = get_u32((const uint8_t *)rx->in.buf);
	if (len < 5 || len > MAILMSG_MAX)
		return -EBADMSG;
	if (rx->in.len - HDR < len)
		return 0;
	if (mailmsg_decode(rx->in.buf + HDR, len, m) < 0)
		return -EBADMSG;
	rx->done = HDR + len;
	return 1;
}
