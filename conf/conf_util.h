/* Helpers for the section parsers: typed getters that report FILE:LINE. */
#ifndef CONF_UTIL_H
#define CONF_UTIL_H

#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/enum_name.h"
#include "conf.h"

struct conf_ctx {
	const char *file;
	struct conf_diag *diag;
};

void conf_error(struct conf_ctx *ctx, const config_setting_t *at,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void conf_warning(struct conf_ctx *ctx, const config_setting_t *at,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* What a parser returns: 0 when no error was reported since the count
 * was errors_before, else -1 (the problems are in ctx->diag). */
int conf_result(const struct conf_ctx *ctx, unsigned errors_before);

/* Reports each member of group not in known (NULL-terminated), with the
 * closest known key suggested. Returns false if any was unknown. */
bool conf_check_keys(struct conf_ctx *ctx, const config_setting_t *group,
		     const char *const *known);

/* Checks that s is a group, reporting otherwise. */
bool conf_is_group(struct conf_ctx *ctx, const config_setting_t *s);
/*
 * parent's key, a group of named entries (forwarder.listen, a listen's
 * server) that must hold one at least: "WHERE: 'KEY' is required (NEEDS)"
 * when absent, "WHERE: 'KEY' has no EACH" when empty. NULL when absent or
 * not a group; else the group and its length in *n.
 */
config_setting_t *conf_entries(struct conf_ctx *ctx,
			       const config_setting_t *parent, const char *key,
			       const char *where, const char *needs,
			       const char *each, int *n);
/* A member of g that must itself be a group; NULL when absent or bad. */
config_setting_t *conf_subgroup(struct conf_ctx *ctx, const config_setting_t *g,
				const char *name);

/*
 * Getters: a missing key leaves *out untouched (the caller's default) and
 * returns 0; a present key of the wrong type or out of range is reported
 * and returns -1. conf_get_str duplicates the string.
 */
int conf_get_int(struct conf_ctx *ctx, const config_setting_t *group,
		 const char *name, long min, long max, long *out);
int conf_get_bool(struct conf_ctx *ctx, const config_setting_t *group,
		  const char *name, bool *out);
int conf_get_str(struct conf_ctx *ctx, const config_setting_t *group,
		 const char *name, char **out);
/* A number of seconds, or a string with a unit ("500ms", "10s", "1m"). */
int conf_get_duration(struct conf_ctx *ctx, const config_setting_t *group,
		      const char *name, int64_t min_ms, int64_t max_ms,
		      int64_t *out);
/* The same, but a bare number other than 0 is an error showing both
 * readings (seconds and milliseconds): the forwarder section's durations,
 * where HAProxy habits mean milliseconds. */
int conf_get_duration_unit(struct conf_ctx *ctx, const config_setting_t *group,
			   const char *name, int64_t min_ms, int64_t max_ms,
			   int64_t *out);
/* A string naming an entry of table: *out set. A missing key leaves *out
 * untouched; another word is reported as "WHEREWHAT \"v\" must be \"a\" or
 * \"b\"" (the table's names) and returns -1. */
int conf_get_enum(struct conf_ctx *ctx, const config_setting_t *group,
		  const char *name, const struct enum_name *table,
		  const char *where, const char *what, int *out);
/* An array or list of strings (a single string is accepted too). */
int conf_get_str_list(struct conf_ctx *ctx, const config_setting_t *group,
		      const char *name, char ***out, size_t *n);
void conf_str_list_free(char **list, size_t n);
/* A group by name or as a number (gid): name and gid set when present,
 * "FILE:LINE: group ... does not exist" otherwise. */
int conf_get_group(struct conf_ctx *ctx, const config_setting_t *group,
		   const char *name, char **out, gid_t *gid);

/* Copies a name into a fixed buffer, reporting it if too long. */
bool conf_copy_name(struct conf_ctx *ctx, const config_setting_t *at, char *dst,
		    size_t size, const char *src, const char *what);

#endif
