/*
 * For the conf unit tests: a configuration given as text, written to a
 * temporary file and loaded, with its path at hand for the expected
 * "FILE:LINE: message" lines.
 */
#ifndef TESTS_UNIT_CONF_TEXT_H
#define TESTS_UNIT_CONF_TEXT_H

#include "conf.h"

/* The file conf_text_write wrote last. */
extern char conf_text_path[64];

/* Writes text to a new temporary file named in conf_text_path. */
void conf_text_write(const char *text);

/* Writes text and loads its sections: conf_load's result, the problems
 * in diag (initialised here, freed by the caller). The file stays. */
int conf_text_load(const char *text, unsigned sections, struct conf **c,
		   struct conf_diag *diag);

/* Loads text and removes the file: the problems (the caller frees them)
 * and *rc; *out gets the conf, or it is freed when out is NULL. */
char *conf_text_msgs(const char *text, unsigned sections, int *rc,
		     struct conf **out);

/* Asserts that loading text returns want_rc and reports a line that
 * starts "FILE:LINE: msg". */
void conf_text_expect(const char *text, unsigned sections, int want_rc,
		      int line, const char *msg);

/* The same for a load that fails, and a whole line: "FILE:LINE: msg\n". */
void conf_text_expect_error(const char *text, unsigned sections, int line,
			    const char *msg);

/* Asserts that loading text fails with exactly the problems expected,
 * each "%s" in it standing for conf_text_path. */
void conf_text_expect_all(const char *text, unsigned sections,
			  const char *expected);

/* The start of a vrrp_instance the tests complete. */
#define INSTANCE_HEAD                                                          \
	"vrrp_instance = {\n"                                                  \
	"  VI_1 = {\n"                                                         \
	"    interface = \"eth0\";\n"                                          \
	"    virtual_router_id = 51;\n"

#endif
