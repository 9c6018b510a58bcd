/* Health check answers (issue #14): expect_status lists, the HTTP answer
 * judge, SMTP replies, the request line and the check config keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_answer.h"
#include "conf.h"
#include "conf_text.h"
#include "conf_fwd.h"

static void test_status_parse(void **state)
{
	static const struct {
		const char *in;
		int ok;
		int n;
	} cases[] = {
	    {"200", 0, 1},	   {"200-399", 0, 1},  {"200,301-302", 0, 2},
	    {" 200 , 204 ", 0, 2}, {"", -1, 0},	       {"20", -1, 0},
	    {"2000", -1, 0},	   {"099", -1, 0},     {"600", -1, 0},
	    {"399-200", -1, 0},	   {"200-", -1, 0},    {"200,", -1, 0},
	    {"abc", -1, 0},	   {"200;300", -1, 0}, {"200-399-500", -1, 0},
	};
	struct conf_status_set set;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = conf_status_parse(cases[i].in, &set);

		if (rc != cases[i].ok)
			fail_msg("\"%s\": %d", cases[i].in, rc);
		if (rc == 0)
			assert_int_equal(set.n, cases[i].n);
	}
	/* 17 ranges are one too many */
	assert_int_equal(
	    conf_status_parse("200,201,202,203,204,205,206,207,208,209,210,"
			      "211,212,213,214,215,216",
			      &set),
	    -1);
	assert_int_equal(conf_status_parse("200,301-302", &set), 0);
	assert_true(conf_status_match(&set, 200));
	assert_true(conf_status_match(&set, 301));
	assert_true(conf_status_match(&set, 302));
	assert_false(conf_status_match(&set, 201));
	assert_false(conf_status_match(&set, 303));
	assert_int_equal(conf_status_parse("200-399", &set), 0);
	assert_true(conf_status_match(&set, 399));
	assert_false(conf_status_match(&set, 404));
	assert_false(conf_status_match(&set, 199));
}

static struct conf_check_app app(const char *expect, const char *body)
{
	struct conf_check_app a;

	conf_check_app_init(&a);
	if (expect)
		assert_int_equal(conf_status_parse(expect, &a.expect), 0);
	if (body)
		strcpy(a.expect_body, body);
	return a;
}

/* Judges text whole; returns the verdict's "STATUS detail". */
static const char *judge(const char *text, bool end,
			 const struct conf_check_app *a)
{
	static char out[256];
	struct check_verdict v;

	memset(&v, 0, sizeof(v));
	if (check_http_judge(text, strlen(text), end, a, &v) == CHECK_MORE)
		return "MORE";
	snprintf(out, sizeof(out), "%s %s", check_status_str(v.st), v.detail);
	return out;
}

static void test_http_status(void **state)
{
	struct conf_check_app a = app(NULL, NULL);

	(void)state;
	assert_string_equal(judge("HTTP/1.1 200 OK\r\n", false, &a),
			    "L7OK status 200");
	assert_string_equal(judge("HTTP/1.0 302 Found\r\n", false, &a),
			    "L7OK status 302");
	assert_string_equal(
	    judge("HTTP/1.1 503 Service Unavailable\r\nX: y\r\n", false, &a),
	    "L7STS status 503 Service Unavailable");
	assert_string_equal(judge("HTTP/1.1 404 Not Found\r\n", false, &a),
			    "L7STS status 404 Not Found");
	/* a reason phrase is optional */
	assert_string_equal(judge("HTTP/1.1 404\r\n", false, &a),
			    "L7STS status 404");
	assert_string_equal(judge("HTTP/1.1 200 O", false, &a), "MORE");
	assert_string_equal(judge("", false, &a), "MORE");
	assert_string_equal(judge("", true, &a),
			    "L7RSP closed without an answer");
	assert_string_equal(judge("HTTP/1.1 200", true, &a),
			    "L7RSP no HTTP status line");
	assert_string_equal(
	    judge("SSH-2.0-OpenSSH_9.2\r\n", false, &a),
	    "L7RSP not an HTTP answer: \"SSH-2.0-OpenSSH_9.2\"");
	assert_string_equal(judge("HTTP/2 200\r\n", false, &a),
			    "L7RSP not an HTTP answer: \"HTTP/2 200\"");
	assert_string_equal(judge("HTTP/1.1 20x OK\r\n", false, &a),
			    "L7RSP not an HTTP answer: \"HTTP/1.1 20x OK\"");
	assert_string_equal(judge("HTTP/1.1 2000 OK\r\n", false, &a),
			    "L7RSP not an HTTP answer: \"HTTP/1.1 2000 OK\"");
	/* control characters are not copied into log lines */
	assert_string_equal(judge("HTTP/1.1 500 a\033b\r\n", false, &a),
			    "L7STS status 500 a?b");

	a = app("200", NULL);
	assert_string_equal(judge("HTTP/1.1 204 No Content\r\n", false, &a),
			    "L7STS status 204 No Content");
	a = app("200,404", NULL);
	assert_string_equal(judge("HTTP/1.1 404 Not Found\r\n", false, &a),
			    "L7OK status 404");
}

static void test_http_body(void **state)
{
	struct conf_check_app a = app(NULL, "ready");

	(void)state;
	/* the body is read before it is judged */
	assert_string_equal(
	    judge("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", false, &a),
	    "MORE");
	assert_string_equal(
	    judge("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nnot ", false,
		  &a),
	    "MORE");
	assert_string_equal(
	    judge("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nnot ready",
		  false, &a),
	    "L7OK status 200, body matched");
	assert_string_equal(
	    judge("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbusy", false,
		  &a),
	    "L7RSP body mismatch (status 200, no \"ready\")");
	/* bytes beyond Content-Length are not the body */
	assert_string_equal(
	    judge("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nbusyready",
		  false, &a),
	    "L7RSP body mismatch (status 200, no \"ready\")");
	/* no length: the body ends when the server closes */
	assert_string_equal(judge("HTTP/1.1 200 OK\r\n\r\nbusy", false, &a),
			    "MORE");
	assert_string_equal(judge("HTTP/1.1 200 OK\r\n\r\nbusy", true, &a),
			    "L7RSP body mismatch (status 200, no \"ready\")");
	assert_string_equal(judge("HTTP/1.1 200 OK\n\nall ready\n", true, &a),
			    "L7OK status 200, body matched");
	/* a wrong status is judged before the body */
	assert_string_equal(judge("HTTP/1.1 503 Busy\r\n\r\nready", true, &a),
			    "L7STS status 503 Busy");
	assert_string_equal(judge("HTTP/1.1 200 OK\r\nX: y", true, &a),
			    "L7RSP headers cut short (status 200)");
	/* chunked: the match may straddle two chunks */
	assert_string_equal(judge("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
				  "chunked\r\n\r\n3\r\nrea\r\n2\r\ndy\r\n0\r\n"
				  "\r\n",
				  false, &a),
			    "L7OK status 200, body matched");
	assert_string_equal(judge("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
				  "chunked\r\n\r\n3\r\nrea\r\n",
				  false, &a),
			    "MORE");
	assert_string_equal(judge("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
				  "chunked\r\n\r\n4\r\nbusy\r\n0\r\n\r\n",
				  false, &a),
			    "L7RSP body mismatch (status 200, no \"ready\")");
	/* the chunk sizes are not part of the body */
	a = app(NULL, "a5");
	assert_string_equal(judge("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
				  "chunked\r\n\r\n1\r\na\r\n5\r\nbcdef\r\n0\r\n"
				  "\r\n",
				  false, &a),
			    "L7RSP body mismatch (status 200, no \"a5\")");
}

static void test_http_cap(void **state)
{
	struct conf_check_app a = app(NULL, "needle");
	char *big = malloc(CHECK_ANSWER_MAX + 1);
	const char *h = "HTTP/1.1 200 OK\r\n\r\n";
	struct check_verdict v;

	(void)state;
	memset(big, 'x', CHECK_ANSWER_MAX);
	memcpy(big, h, strlen(h));
	/* a full buffer is the end: no waiting for more */
	assert_int_equal(check_http_judge(big, CHECK_ANSWER_MAX, false, &a, &v),
			 CHECK_DONE);
	assert_int_equal(v.st, CHECK_L7RSP);
	assert_int_equal(
	    check_http_judge(big, CHECK_ANSWER_MAX - 1, false, &a, &v),
	    CHECK_MORE);
	free(big);
}

static void test_http_request(void **state)
{
	struct conf_check_app a = app(NULL, NULL);
	char buf[1024];
	int n;

	(void)state;
	n = check_http_request(buf, sizeof(buf), &a, "198.18.0.21:80");
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "GET / HTTP/1.1\r\nHost: 198.18.0.21:80\r\n"
				 "User-Agent: fwd-check\r\nAccept: */*\r\n"
				 "Connection: close\r\n\r\n");
	strcpy(a.method, "HEAD");
	strcpy(a.uri, "/owa/healthcheck.htm");
	strcpy(a.host, "mail.example.com");
	check_http_request(buf, sizeof(buf), &a, "x");
	assert_non_null(strstr(buf, "HEAD /owa/healthcheck.htm HTTP/1.1\r\n"
				    "Host: mail.example.com\r\n"));
	assert_int_equal(check_http_request(buf, 20, &a, "x"), -1);
}

static void test_smtp_reply(void **state)
{
	const char *ehlo = "250-mx.example.com\r\n250-SIZE 1000\r\n"
			   "250-starttls\r\n250 HELP\r\n";
	int code = 0;
	size_t used = 0;
	bool tls = false;

	(void)state;
	assert_int_equal(
	    check_smtp_reply("220 mx ESMTP\r\n", 14, &code, &used, &tls), 1);
	assert_int_equal(code, 220);
	assert_int_equal(used, 14);
	assert_false(tls);
	assert_int_equal(
	    check_smtp_reply(ehlo, strlen(ehlo), &code, &used, &tls), 1);
	assert_int_equal(code, 250);
	assert_int_equal(used, strlen(ehlo));
	assert_true(tls);
	/* incomplete: a continuation line, or no newline yet */
	assert_int_equal(check_smtp_reply(ehlo, 20, &code, &used, &tls), 0);
	assert_int_equal(check_smtp_reply("220 mx", 6, &code, &used, &tls), 0);
	/* bare code, LF only */
	assert_int_equal(check_smtp_reply("554\n", 4, &code, &used, &tls), 1);
	assert_int_equal(code, 554);
	/* two replies: the first one only */
	assert_int_equal(
	    check_smtp_reply("250 a\r\n221 b\r\n", 14, &code, &used, &tls), 1);
	assert_int_equal(used, 7);
	/* not SMTP */
	assert_int_equal(
	    check_smtp_reply("HTTP/1.1 400\r\n", 14, &code, &used, &tls), -1);
	assert_int_equal(check_smtp_reply("25\r\n", 4, &code, &used, &tls), -1);
	assert_int_equal(check_smtp_reply("250x\r\n", 6, &code, &used, &tls),
			 -1);
	assert_int_equal(
	    check_smtp_reply("250-a\r\n220 b\r\n", 14, &code, &used, &tls), -1);
	assert_int_equal(check_smtp_reply("100 a\r\n", 7, &code, &used, &tls),
			 -1);
}

static int load(const char *text, struct conf **c, struct conf_diag *diag)
{
	return conf_text_load(text, CONF_FWD, c, diag);
}

#define CONF_HEAD                                                              \
	"forwarder = { listen = { web = { bind = \"127.0.0.1:80\";\n"          \
	"server = { a = { address = \"127.0.0.1:81\";\n"
#define CONF_TAIL "}; }; }; }; };\n"

static void test_conf_check(void **state)
{
	struct conf_diag diag;
	struct conf *c = NULL;
	const struct conf_check_app *a;

	(void)state;
	assert_int_equal(
	    load(CONF_HEAD
		 "check = { type = \"http\"; ssl = true; uri = \"/owa/"
		 "healthcheck.htm\"; method = \"HEAD\"; host = \"mail\";\n"
		 "expect_status = \"200,301-302\"; expect_body = \"OK\";\n"
		 "verify = true; ca_file = \"/dev/null\"; sni = \"mail\";\n"
		 "fastinter = \"500ms\"; downinter = \"10s\"; };" CONF_TAIL,
		 &c, &diag),
	    0);
	a = &c->fwd->listens[0].servers[0].check.app;
	assert_int_equal(a->type, CONF_CHECK_HTTP);
	assert_true(a->ssl && a->verify && !a->starttls);
	assert_string_equal(a->uri, "/owa/healthcheck.htm");
	assert_string_equal(a->method, "HEAD");
	assert_string_equal(a->host, "mail");
	assert_string_equal(a->sni, "mail");
	assert_string_equal(a->ca_file, "/dev/null");
	assert_string_equal(a->expect_body, "OK");
	assert_int_equal(a->expect.n, 2);
	assert_int_equal(a->fastinter_ms, 500);
	assert_int_equal(a->downinter_ms, 10000);
	assert_int_equal(c->fwd->cert_warn_days, 14);
	assert_true(conf_check_uses_tls(a));
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);

	/* defaults: tcp, GET /, 200-399 */
	assert_int_equal(
	    load(CONF_HEAD "check = { inter = \"1s\"; };" CONF_TAIL, &c, &diag),
	    0);
	a = &c->fwd->listens[0].servers[0].check.app;
	assert_int_equal(a->type, CONF_CHECK_TCP);
	assert_false(conf_check_uses_tls(a));
	assert_string_equal(a->method, "GET");
	assert_true(conf_status_match(&a->expect, 399));
	conf_free(c);
	conf_diag_free(&diag);
	unlink(conf_text_path);
}

/* Each bad check group gives exactly this error (after "FILE:LINE: "). */
static void expect_error(const char *check, int line, const char *msg)
{
	struct conf_diag diag;
	struct conf *c = NULL;
	char text[2048], want[1024];

	snprintf(text, sizeof(text), CONF_HEAD "check = { %s };" CONF_TAIL,
		 check);
	assert_int_equal(load(text, &c, &diag), -1);
	snprintf(want, sizeof(want), "%s:%d: %s\n", conf_text_path, line, msg);
	assert_string_equal(sbuf_str(&diag.text), want);
	conf_diag_free(&diag);
	unlink(conf_text_path);
}

static void test_conf_check_errors(void **state)
{
	(void)state;
	expect_error("type = \"https\";", 3,
		     "listen web: server a: check type \"https\" must be "
		     "\"tcp\", \"tls\", \"http\" or \"smtp\"");
	expect_error("type = \"http\"; expect_status = \"2xx\";", 3,
		     "listen web: server a: check expect_status \"2xx\" is "
		     "not a code, a range or a list (\"200\", \"200-399\", "
		     "\"200,301-302\"; codes 100..599)");
	expect_error("type = \"http\";\n uri = \"owa\";", 4,
		     "listen web: server a: check uri \"owa\" must start "
		     "with '/'");
	expect_error("type = \"http\"; uri = \"/a b\";", 3,
		     "listen web: server a: check uri \"/a b\" holds a control "
		     "character or a "
		     "space");
	expect_error("type = \"http\"; host = \"a\\r\\nX: y\";", 3,
		     "listen web: server a: check host \"a??X: y\" holds a "
		     "control character "
		     "or a space");
	expect_error("type = \"http\"; method = \"get\";", 3,
		     "listen web: server a: check method \"get\" must be an "
		     "upper-case token such as \"GET\" or \"HEAD\"");
	expect_error("uri = \"/\";", 3,
		     "listen web: server a: check key 'uri' is only for type "
		     "\"http\"");
	expect_error("type = \"tls\"; starttls = true;", 3,
		     "listen web: server a: check key 'starttls' is only for "
		     "type \"smtp\"");
	expect_error("sni = \"x\";", 3,
		     "listen web: server a: check key 'sni' is only for "
		     "checks that use TLS");
	expect_error("type = \"smtp\"; ssl = true; starttls = true;", 3,
		     "listen web: server a: check ssl and starttls exclude "
		     "each other (ssl: SMTPS from the first byte; starttls: "
		     "upgrade after EHLO)");
	expect_error(
	    "type = \"tls\"; verify = true; ca_file = \"/nonexistent\";", 3,
	    "listen web: server a: check ca_file \"/nonexistent\" "
	    "cannot be read");
	expect_error("type = \"tls\"; vrify = true;", 3,
		     "unknown key 'vrify' (did you mean 'verify'?)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_parse),
	    cmocka_unit_test(test_http_status),
	    cmocka_unit_test(test_http_body),
	    cmocka_unit_test(test_http_cap),
	    cmocka_unit_test(test_http_request),
	    cmocka_unit_test(test_smtp_reply),
	    cmocka_unit_test(test_conf_check),
	    cmocka_unit_test(test_conf_check_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
