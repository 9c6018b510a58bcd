#include "spawnmsg.h"

#include <errno.h>
#include <string.h>

/* The fixed part of a request, as it travels. */
struct req_head {
	uint32_t id, flags;
	int64_t limit_ms;
	uint32_t uid, gid;
	uint16_t argc, envc;
	uint8_t user_set;
	uint8_t pad[3];
};

static int put_str(uint8_t *buf, size_t cap, size_t *off, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;

	if (*off + n > cap)
		return -E2BIG;
	memcpy(buf + *off, s ? s : "", n);
	*off += n;
	return 0;
}

int spawn_req_encode(const struct spawn_req *r, uint8_t *buf, size_t cap)
{
	struct req_head h = {0};
	size_t off = sizeof(h), i;

	if (r->argc < 1 || r->argc > SPAWN_MAX_ARGS ||
	    r->envc > SPAWN_MAX_ENV || cap < sizeof(h))
		return -E2BIG;
	h.id = r->id;
	h.flags = r->flags;
	h.limit_ms = r->limit_ms;
	h.uid = r->uid;
	h.gid = r->gid;
	h.argc = (uint16_t)r->argc;
	h.envc = (uint16_t)r->envc;
	h.user_set = r->user_set;
	memcpy(buf, &h, sizeof(h));
	if (put_str(buf, cap, &off, r->tag) < 0 ||
	    put_str(buf, cap, &off, r->user_name) < 0)
		return -E2BIG;
	for (i = 0; i < r->argc; i++)
		if (put_str(buf, cap, &off, r->argv[i]) < 0)
			return -E2BIG;
	for (i = 0; i < r->envc; i++)
		if (put_str(buf, cap, &off, r->env[i]) < 0)
			return -E2BIG;
	return (int)off;
}

/* The next NUL-terminated string at *off, or NULL past the end. */
static const char *get_str(const uint8_t *buf, size_t len, size_t *off)
{
	const uint8_t *nul;
	const char *s;

	if (*off >= len)
		return NULL;
	nul = memchr(buf + *off, '\0', len - *off);
	if (!nul)
		return NULL;
	s = (const char *)buf + *off;
	*off = (size_t)(nul - buf) + 1;
	return s;
}

int spawn_req_decode(const uint8_t *buf, size_t len, struct spawn_req *r)
{
	struct req_head h;
	size_t off = sizeof(h), i;

	memset(r, 0, sizeof(*r));
	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, buf, sizeof(h));
	if (h.argc < 1 || h.argc > SPAWN_MAX_ARGS || h.envc > SPAWN_MAX_ENV ||
	    h.user_set > 1)
		return -EBADMSG;
	r->id = h.id;
	r->flags = h.flags;
	r->limit_ms = h.limit_ms;
	r->uid = h.uid;
	r->gid = h.gid;
	r->user_set = h.user_set;
	r->argc = h.argc;
	r->envc = h.envc;
	if (!(r->tag = get_str(buf, len, &off)) ||
	    !(r->user_name = get_str(buf, len, &off)))
		return -EBADMSG;
	for (i = 0; i < r->argc; i++)
		if (!(r->argv[i] = get_str(buf, len, &off)))
			return -EBADMSG;
	for (i = 0; i < r->envc; i++)
		if (!(r->env[i] = get_str(buf, len, &off)))
			return -EBADMSG;
	if (off != len || !r->argv[0][0])
		return -EBADMSG;
	return 0;
}

int spawn_rep_encode(const struct spawn_rep *r, uint8_t *buf, size_t cap)
{
	if (cap < sizeof(*r))
		return -E2BIG;
	memcpy(buf, r, sizeof(*r));
	return (int)sizeof(*r);
}

int spawn_rep_decode(const uint8_t *buf, size_t len, struct spawn_rep *r)
{
	if (len != sizeof(*r))
		return -EBADMSG;
	memcpy(r, buf, sizeof(*r));
	return 0;
}
