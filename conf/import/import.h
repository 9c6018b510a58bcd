/*
 * vrrpd-import (issue #13): shared pieces of the keepalived.conf and
 * haproxy.cfg readers and of the writer. Every message the import prints
 * is "FILE:LINE: kind: text", FILE:LINE naming the foreign file.
 */
#ifndef CONF_IMPORT_H
#define CONF_IMPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "../conf.h"

/* Where a keyword came from; file points into the reader's file table. */
struct imp_src {
	const char *file;
	int line;
};

enum imp_kind { IMP_ERROR, IMP_WARNING, IMP_NOTE };

/* Messages go to d->text; errors and warnings are counted (notes are
 * information: --strict ignores them). */
void imp_msg(struct conf_diag *d, enum imp_kind kind, struct imp_src at,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void imp_vmsg(struct conf_diag *d, enum imp_kind kind, struct imp_src at,
	      const char *fmt, va_list ap);

/* Orders messages by file (in the order each first appears) and line;
 * messages of one line keep their order. */
void imp_sort_messages(struct sbuf *text);

/* A growable list of strings. */
struct imp_strv {
	char **v;
	size_t n;
};

void imp_strv_push(struct imp_strv *s, const char *str);
void imp_strv_free(struct imp_strv *s);

/* Durations as HAProxy reads them: bare numbers in unit_ms units (1 for
 * HAProxy's milliseconds), suffixes us ms s m h d. -1 on garbage. */
long long imp_parse_ms(const char *s, long long unit_ms);

/* A setting name libconfig accepts ([A-Za-z*][-A-Za-z0-9_*]*, at most
 * CONF_NAME_MAX - 1 bytes), made from name with prefix before a leading
 * digit; returns true when it had to change name. out has CONF_NAME_MAX
 * bytes. */
bool imp_setting_name(const char *name, const char *prefix, char *out);

#endif
