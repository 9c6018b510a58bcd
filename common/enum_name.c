#include "enum_name.h"

#include <stdio.h>
#include <string.h>

bool enum_name_value(const struct enum_name *t, const char *name, int *value)
{
	for (; t->name; t++)
		if (strcmp(t->name, name) == 0) {
			*value = t->value;
			return true;
		}
	return false;
}

const char *enum_name_str(const struct enum_name *t, int value,
			  const char *fallback)
{
	for (; t->name; t++)
		if (t->value == value)
			return t->name;
	return fallback;
}

void enum_name_list(const struct enum_name *t, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	if (!len)
		return;
	buf[0] = '\0';
	for (; t->name && used < len; t++, used += (size_t)n) {
		const char *sep = used == 0 ? "" : t[1].name ? ", " : " or ";

		n = snprintf(buf + used, len - used, "%s\"%s\"", sep, t->name);
		if (n < 0)
			return;
	}
}
