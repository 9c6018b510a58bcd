/*
 * One {name, value} table per enum, read both ways: a configuration
 * word to its value when parsing, the value back to its word for
 * status output and messages. A table ends with {NULL, 0}.
 */
#ifndef COMMON_ENUM_NAME_H
#define COMMON_ENUM_NAME_H

#include <stdbool.h>
#include <stddef.h>

struct enum_name {
	const char *name;
	int value;
};

/* The value named name (exact match): true and *value, else false. */
bool enum_name_value(const struct enum_name *t, const char *name, int *value);
/* The name of value, or fallback when the table has none. */
const char *enum_name_str(const struct enum_name *t, int value,
			  const char *fallback);
/* The names for a message: "a", "b" or "c". Truncated to fit len. */
void enum_name_list(const struct enum_name *t, char *buf, size_t len);

#endif
