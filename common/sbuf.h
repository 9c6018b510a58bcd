/* Growable string buffer, with JSON string escaping for control replies. */
#ifndef COMMON_SBUF_H
#define COMMON_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf {
	char *buf;
	size_t len, cap;
	bool oom; /* sticky: set when an append could not allocate */
};

void sbuf_init(struct sbuf *sb);
void sbuf_free(struct sbuf *sb);
void sbuf_reset(struct sbuf *sb);
void sbuf_add(struct sbuf *sb, const void *data, size_t len);
void sbuf_puts(struct sbuf *sb, const char *s);
void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s as a quoted JSON string. */
void sbuf_json_str(struct sbuf *sb, const char *s);
/* Drops the first n bytes. */
void sbuf_consume(struct sbuf *sb, size_t n);
/* NUL-terminated view (never NULL). */
const char *sbuf_str(struct sbuf *sb);

#endif
