/* A small JSON reader for control-socket replies (vrrpctl, fwd). */
#ifndef COMMON_JSON_H
#define COMMON_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
	enum json_type type;
	double num;	   /* JSON_NUM, JSON_BOOL (0/1) */
	char *str;	   /* JSON_STR */
	char *key;	   /* member name when inside an object */
	struct json *kids; /* JSON_ARR, JSON_OBJ: first child */
	struct json *next; /* sibling */
};

/* NULL on malformed input (or trailing garbage), else a tree to free. */
struct json *json_parse(const char *text);
void json_free(struct json *j);
/* Member of an object, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* Convenience: string member or def; number member or def. */
const char *json_str(const struct json *obj, const char *key, const char *def);
double json_num(const struct json *obj, const char *key, double def);

#endif
