/*
 * libFuzzer target: what a health check makes of a server's answer
 * (fwd/check_answer.c) and the expect_status lists (conf/conf_check.c).
 *
 * The first byte picks the parser and its options, the rest is input:
 *   bit 0..1: 0 HTTP answer, 1 SMTP reply, 2 expect_status list
 *   bit 2: the answer has ended; bit 3: an expect_body is set
 * Besides the sanitizers: a verdict is one of the L4/L6/L7 codes with a
 * terminated detail; an OK verdict agrees with expect_status; an SMTP
 * reply's length lies within the input; a parsed list matches its ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_answer.h"

#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_check: %s:%d: %s\n", __FILE__,   \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

static void do_http(const char *in, size_t len, unsigned opt)
{
	struct conf_check_app a;
	struct check_verdict v;
	enum check_judge j;

	conf_check_app_init(&a);
	if (opt & 8)
		strcpy(a.expect_body, "ready");
	memset(&v, 0x55, sizeof(v));
	j = check_http_judge(in, len, opt & 4, &a, &v);
	if (j == CHECK_MORE) {
		/* a full buffer or a closed connection is always judged */
		REQUIRE(!(opt & 4) && len < CHECK_ANSWER_MAX);
		return;
	}
	REQUIRE(j == CHECK_DONE);
	REQUIRE(v.st == CHECK_L7OK || v.st == CHECK_L7STS ||
		v.st == CHECK_L7RSP);
	REQUIRE(memchr(v.detail, '\0', sizeof(v.detail)) != NULL);
	if (v.st == CHECK_L7OK) {
		int code = atoi(v.detail + strlen("status "));

		REQUIRE(strncmp(v.detail, "status ", 7) == 0);
		REQUIRE(conf_status_match(&a.expect, code));
		REQUIRE(len >= 12 && memcmp(in, "HTTP/1.", 7) == 0);
	}
}

static void do_smtp(const char *in, size_t len)
{
	int code = -1;
	size_t used = 0;
	bool tls;
	int rc = check_smtp_reply(in, len, &code, &used, &tls);

	REQUIRE(rc >= -1 && rc <= 1);
	if (rc == 1) {
		REQUIRE(code >= 200 && code <= 599);
		REQUIRE(used > 0 && used <= len && in[used - 1] == '\n');
	}
}

static void do_status(const char *s)
{
	struct conf_status_set set;
	int i;

	if (conf_status_parse(s, &set) < 0)
		return;
	REQUIRE(set.n >= 1 && set.n <= CONF_STATUS_RANGES);
	for (i = 0; i < set.n; i++) {
		REQUIRE(set.r[i].lo >= 100 && set.r[i].hi <= 599);
		REQUIRE(set.r[i].lo <= set.r[i].hi);
		REQUIRE(conf_status_match(&set, set.r[i].lo));
		REQUIRE(conf_status_match(&set, set.r[i].hi));
	}
	REQUIRE(!conf_status_match(&set, 99) && !conf_status_match(&set, 600));
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *in;
	unsigned opt;

	if (size < 1)
		return 0;
	opt = data[0];
	size--;
	/* an exact-size copy, so that reading past len is caught */
	in = malloc(size + 1);
	if (!in)
		return 0;
	memcpy(in, data + 1, size);
	in[size] = '\0';
	switch (opt & 3) {
	case 0:
		do_http(in, size, opt);
		break;
	case 1:
		do_smtp(in, size);
		break;
	default:
		do_status(in);
		break;
	}
	free(in);
	return 0;
}
