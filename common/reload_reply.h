/*
 * The one reply of `reload` for both daemons (docs/reload.md), pure:
 *
 *   {"ok":true,"AREA":{"kept":[NAMES],"changed":[...],"added":[...],
 *    "removed":[...]},...,EXTRA}            one AREA per kind of thing
 *                                            (vrrpd: instances; fwd:
 *                                            listeners, servers, binds)
 *   {"ok":false,"errors":["FILE:LINE: ...",...],"error":"FILE:LINE: ..."}
 *                                            every error, the first again
 *                                            in "error" for readers of
 *                                            ctl_send_error's shape
 */
#ifndef COMMON_RELOAD_REPLY_H
#define COMMON_RELOAD_REPLY_H

#include <stddef.h>

#include "sbuf.h"

enum reload_fate {
	RELOAD_KEPT,
	RELOAD_CHANGED, /* matched, but its settings differ */
	RELOAD_ADDED,
	RELOAD_REMOVED,
	RELOAD_FATE_COUNT,
};

struct reload_area {
	const char *key;
	struct sbuf
	    names[RELOAD_FATE_COUNT]; /* JSON strings, comma-separated */
	unsigned count[RELOAD_FATE_COUNT];
};

const char *reload_fate_str(enum reload_fate f);
void reload_area_init(struct reload_area *a, const char *key);
void reload_area_add(struct reload_area *a, enum reload_fate f,
		     const char *name);
void reload_area_free(struct reload_area *a);

/* Appends the success reply and its newline; extra is more members
 * ("\"reloads\":3") or NULL. */
void reload_reply_ok(struct sbuf *out, struct reload_area *areas, size_t n,
		     const char *extra);
/* Appends the failure reply and its newline; errors holds one error per
 * line (a trailing newline or none). */
void reload_reply_fail(struct sbuf *out, const char *errors);

#endif
