#include "json.h"

#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define MAX_DEPTH 32

struct parser {
	const char *p;
	int depth;
};

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	       *ps->p == '\r')
		ps->p++;
}

static struct json *node(enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));

	if (j)
		j->type = t;
	return j;
}

/* Parses a string at ps->p (on the opening quote) into a new buffer. */
static char *parse_string(struct parser *ps)
{
	size_t cap = 16, len = 0;
	char *out = malloc(cap);

	if (!out || *ps->p != '"') {
		free(out);
		return NULL;
	}
	ps->p++;
	while (*ps->p && *ps->p != '"') {
		char c = *ps->p++;

		if ((unsigned char)c < 0x20)
			goto bad;
		if (c == '\\') {
			char e = *ps->p++;

			switch (e) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case '"':
			case '\\':
			case '/':
				c = e;
				break;
			case 'u': {
				int v = 0, i;

				for (i = 0; i < 4; i++) {
					int h = parse_hexdigit(ps->p[i]);

					if (h < 0)
						goto bad;
					v = v * 16 + h;
				}
				ps->p += 4;
				/* control replies only escape ASCII */
				c = v < 0x80 ? (char)v : '?';
				break;
			}
			default:
				goto bad;
			}
		}
		if (len + 2 > cap) {
			char *n = realloc(out, cap *= 2);

			if (!n)
				goto bad;
			out = n;
		}
		out[len++] = c;
	}
	if (*ps->p != '"')
		goto bad;
	ps->p++;
	out[len] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static struct json *parse_value(struct parser *ps);

static struct json *parse_container(struct parser *ps, bool obj)
{
	struct json *j = node(obj ? JSON_OBJ : JSON_ARR), **tail;
	char close = obj ? '}' : ']';

	if (!j || ++ps->depth > MAX_DEPTH)
		goto bad;
	tail = &j->kids;
	ps->p++;
	skip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		ps->depth--;
		return j;
	}
	for (;;) {
		char *key = NULL;
		struct json *v;

		skip_ws(ps);
		if (obj) {
			key = parse_string(ps);
			if (!key)
				goto bad;
			skip_ws(ps);
			if (*ps->p != ':') {
				free(key);
				goto bad;
			}
			ps->p++;
		}
		v = parse_value(ps);
		if (!v) {
			free(key);
			goto bad;
		}
		v->key = key;
		*tail = v;
		tail = &v->next;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p != close)
			goto bad;
		ps->p++;
		ps->depth--;
		return j;
	}
bad:
	json_free(j);
	return NULL;
}

static struct json *parse_value(struct parser *ps)
{
	struct json *j;

	skip_ws(ps);
	switch (*ps->p) {
	case '{':
		return parse_container(ps, true);
	case '[':
		return parse_container(ps, false);
	case '"':
		j = node(JSON_STR);
		if (j && !(j->str = parse_string(ps))) {
			free(j);
			j = NULL;
		}
		return j;
	case 't':
		if (strncmp(ps->p, "true", 4) != 0)
			return NULL;
		ps->p += 4;
		j = node(JSON_BOOL);
		if (j)
			j->num = 1;
		return j;
	case 'f':
		if (strncmp(ps->p, "false", 5) != 0)
			return NULL;
		ps->p += 5;
		return node(JSON_BOOL);
	case 'n':
		if (strncmp(ps->p, "null", 4) != 0)
			return NULL;
		ps->p += 4;
		return node(JSON_NULL);
	default: {
		char *end;
		double v = strtod(ps->p, &end);

		if (end == ps->p)
			return NULL;
		ps->p = end;
		j = node(JSON_NUM);
		if (j)
			j->num = v;
		return j;
	}
	}
}

struct json *json_parse(const char *text)
{
	struct parser ps = {text, 0};
	struct json *j = parse_value(&ps);

	if (!j)
		return NULL;
	skip_ws(&ps);
	if (*ps.p) {
		json_free(j);
		return NULL;
	}
	return j;
}

void json_free(struct json *j)
{
	while (j) {
		struct json *next = j->next;

		json_free(j->kids);
		free(j->str);
		free(j->key);
		free(j);
		j = next;
	}
}

const struct json *json_get(const struct json *obj, const char *key)
{
	const struct json *k;

	if (!obj || obj->type != JSON_OBJ)
		return NULL;
	for (k = obj->kids; k; k = k->next)
		if (k->key && strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

const char *json_str(const struct json *obj, const char *key, const char *def)
{
	const struct json *j = json_get(obj, key);

	return j && j->type == JSON_STR ? j->str : def;
}

double json_num(const struct json *obj, const char *key, double def)
{
	const struct json *j = json_get(obj, key);

	return j && (j->type == JSON_NUM || j->type == JSON_BOOL) ? j->num
								  : def;
}
