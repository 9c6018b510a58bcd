/*
 * Recognises a file in a foreign syntax (keepalived.conf, haproxy.cfg)
 * that was given to vrrpd -t / fwd -t, so the error names the converter
 * instead of libconfig's bare "syntax error" (issue #13).
 */
#ifndef CONF_SNIFF_H
#define CONF_SNIFF_H

#include <stddef.h>

#include "../common/sbuf.h"

enum conf_foreign {
	CONF_FOREIGN_NONE,
	CONF_FOREIGN_KEEPALIVED,
	CONF_FOREIGN_HAPROXY
};

/* Pure: what text looks like. */
enum conf_foreign conf_sniff(const char *text, size_t len);

/* Reads path; when it is foreign, appends "PATH: this looks like a ...;
 * convert it with: vrrpd-import ..." to out. Returns the kind found. */
enum conf_foreign conf_sniff_hint(const char *path, struct sbuf *out);

#endif
