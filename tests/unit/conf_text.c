#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_text.h"

char conf_text_path[64];

void conf_text_write(const char *text)
{
	int fd;

	strcpy(conf_text_path, "/tmp/vrrpd-conftest-XXXXXX");
	fd = mkstemp(conf_text_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

int conf_text_load(const char *text, unsigned sections, struct conf **c,
		   struct conf_diag *diag)
{
	conf_text_write(text);
	conf_diag_init(diag);
	return conf_load(conf_text_path, sections, c, diag);
}

char *conf_text_msgs(const char *text, unsigned sections, int *rc,
		     struct conf **out)
{
	struct conf_diag d;
	struct conf *c = NULL;
	char *msgs;

	*rc = conf_text_load(text, sections, &c, &d);
	msgs = strdup(sbuf_str(&d.text));
	conf_diag_free(&d);
	unlink(conf_text_path);
	if (out)
		*out = c;
	else
		conf_free(c);
	return msgs;
}

void conf_text_expect(const char *text, unsigned sections, int want_rc,
		      int line, const char *msg)
{
	char want[512];
	char *got;
	int rc;

	got = conf_text_msgs(text, sections, &rc, NULL);
	snprintf(want, sizeof(want), "%s:%d: %s", conf_text_path, line, msg);
	print_message("got: %s", got);
	assert_int_equal(rc, want_rc);
	assert_non_null(strstr(got, want));
	free(got);
}

void conf_text_expect_all(const char *text, unsigned sections,
			  const char *expected)
{
	struct conf_diag diag;
	struct conf *c = NULL;
	char want[4096];
	const char *p = expected;
	char *w = want;

	assert_int_equal(conf_text_load(text, sections, &c, &diag), -1);
	assert_null(c);
	/* every line starts with the file name */
	while (*p && w < want + sizeof(want) - sizeof(conf_text_path)) {
		if (p[0] == '%' && p[1] == 's') {
			w += sprintf(w, "%s", conf_text_path);
			p += 2;
		} else {
			*w++ = *p++;
		}
	}
	*w = '\0';
	assert_string_equal(sbuf_str(&diag.text), want);
	conf_diag_free(&diag);
	unlink(conf_text_path);
}

void conf_text_expect_error(const char *text, unsigned sections, int line,
			    const char *msg)
{
	char whole[512];

	snprintf(whole, sizeof(whole), "%s\n", msg);
	conf_text_expect(text, sections, -1, line, whole);
}
