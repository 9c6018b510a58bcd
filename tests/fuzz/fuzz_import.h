/*
 * Shared by the two vrrpd-import fuzz targets: runs the writer on what a
 * reader made and checks the invariants of the whole import.
 */
#ifndef FUZZ_IMPORT_H
#define FUZZ_IMPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"

#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_import: %s:%d: %s\n", __FILE__,  \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

/* Every message is one "FILE:LINE: kind: text" line. */
static inline void check_diag(struct conf_diag *d)
{
	const char *p = sbuf_str(&d->text);

	while (*p) {
		const char *eol = strchr(p, '\n');

		REQUIRE(eol);
		REQUIRE(memmem(p, (size_t)(eol - p), ": error: ", 9) ||
			memmem(p, (size_t)(eol - p), ": warning: ", 11) ||
			memmem(p, (size_t)(eol - p), ": note: ", 8));
		p = eol + 1;
	}
}

/* The written file is always libconfig that libconfig reads back. */
static inline void check_emit(const struct ka_conf *ka,
			      const struct hap_conf *hap, struct conf_diag *d)
{
	struct imp_out o;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	config_t back;

	imp_out_init(&o, d);
	imp_strv_push(&o.header, "fuzz");
	imp_emit_vrrp(&o, ka, hap);
	imp_emit_fwd(&o, hap);
	mem = open_memstream(&text, &len);
	REQUIRE(mem);
	REQUIRE(imp_write(&o, mem) == 0);
	REQUIRE(fclose(mem) == 0);
	config_init(&back);
	if (!config_read_string(&back, text)) {
		fprintf(stderr, "unreadable output, line %d: %s\n%s\n",
			config_error_line(&back), config_error_text(&back),
			text);
		abort();
	}
	config_destroy(&back);
	free(text);
	imp_out_free(&o);
	check_diag(d);
}

#endif
