#include "reload_reply.h"

#include <string.h>

static const char *const fates[RELOAD_FATE_COUNT] = {
    [RELOAD_KEPT] = "kept",
    [RELOAD_CHANGED] = "changed",
    [RELOAD_ADDED] = "added",
    [RELOAD_REMOVED] = "removed",
};

const char *reload_fate_str(enum reload_fate f)
{
	return (unsigned)f < RELOAD_FATE_COUNT ? fates[f] : "?";
}

void reload_area_init(struct reload_area *a, const char *key)
{
	int f;

	memset(a, 0, sizeof(*a));
	a->key = key;
	for (f = 0; f < RELOAD_FATE_COUNT; f++)
		sbuf_init(&a->names[f]);
}

void reload_area_add(struct reload_area *a, enum reload_fate f,
		     const char *name)
{
	if ((unsigned)f >= RELOAD_FATE_COUNT)
		return;
	if (a->count[f]++)
		sbuf_puts(&a->names[f], ",");
	sbuf_json_str(&a->names[f], name);
}

void reload_area_free(struct reload_area *a)
{
	int f;

	for (f = 0; f < RELOAD_FATE_COUNT; f++)
		sbuf_free(&a->names[f]);
}

void reload_reply_ok(struct sbuf *out, struct reload_area *areas, size_t n,
		     const char *extra)
{
	size_t i;
	int f;

	sbuf_puts(out, "{\"ok\":true");
	for (i = 0; i < n; i++) {
		sbuf_printf(out, ",\"%s\":{", areas[i].key);
		for (f = 0; f < RELOAD_FATE_COUNT; f++)
			sbuf_printf(out, "%s\"%s\":[%s]", f ? "," : "",
				    fates[f], sbuf_str(&areas[i].names[f]));
		sbuf_puts(out, "}");
	}
	if (extra && *extra)
		sbuf_printf(out, ",%s", extra);
	sbuf_puts(out, "}\n");
}

void reload_reply_fail(struct sbuf *out, const char *errors)
{
	struct sbuf first;
	const char *p = errors, *nl;
	bool any = false;

	sbuf_init(&first);
	sbuf_puts(out, "{\"ok\":false,\"errors\":[");
	for (; *p; p = *nl ? nl + 1 : nl) {
		struct sbuf line;

		nl = p + strcspn(p, "\n");
		if (nl == p)
			continue;
		sbuf_init(&line);
		sbuf_add(&line, p, (size_t)(nl - p));
		if (any)
			sbuf_puts(out, ",");
		else
			sbuf_add(&first, p, (size_t)(nl - p));
		sbuf_json_str(out, sbuf_str(&line));
		sbuf_free(&line);
		any = true;
	}
	sbuf_puts(out, "],\"error\":");
	sbuf_json_str(out, any ? sbuf_str(&first) : "reload failed");
	sbuf_puts(out, "}\n");
	sbuf_free(&first);
}
