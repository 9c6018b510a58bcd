/*
 * libFuzzer target: the text parsers both daemons run on what arrives
 * from a socket or a config string.
 *
 * The first byte picks the parser, the rest is its input (a C string):
 *   0 hello line (vrrpd, fwdproto_parse_hello)
 *   1 health line (vrrpd, fwdproto_parse_health)
 * (both printed back with fwdproto's encoders, as fwd sends them)
 *   2 fwd control request (cmd_parse)
 *   3 JSON reply (common/json.c, as vrrpctl and fwd read it), and as a
 *     state event (fwdproto_parse_state, printed back by its encoder)
 *   4 duration, 5 IPv4/prefix, 6 socket address (common/parse.c)
 *   7 script command line (common/argv.c)
 *   8 edit distance of two words split at the first newline
 * Besides the sanitizers: what a parser accepts, printed back in its
 * canonical form, parses to the same value; results stay in range.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "cmd.h"
#include "fwdproto.h"
#include "json.h"
#include "parse.h"
#include "sbuf.h"

#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_ctl: %s:%d: %s\n", __FILE__,     \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

static void check_msg(const char *m, size_t len)
{
	REQUIRE(memchr(m, '\0', len) != NULL);
	REQUIRE(m[0] != '\0');
}

static void do_hello(const char *s)
{
	struct sbuf sb;
	int v = -7, v2;

	if (fwdproto_parse_hello(s, &v) < 0) {
		REQUIRE(v == -7);
		return;
	}
	REQUIRE(v >= 1);
	sbuf_init(&sb);
	fwdproto_put_hello(&sb, v);
	REQUIRE(sb.len && sb.buf[sb.len - 1] == '\n');
	sb.buf[--sb.len] = '\0';
	REQUIRE(fwdproto_parse_hello(sbuf_str(&sb), &v2) == 0 && v2 == v);
	sbuf_free(&sb);
}

static void do_health(const char *s)
{
	struct fwd_health h, h2;
	struct sockaddr_in sin[FWDPROTO_MAX_BINDS + 1];
	struct sockaddr_in6 sin6[FWDPROTO_MAX_BINDS + 1];
	const struct sockaddr *binds[2 * FWDPROTO_MAX_BINDS + 1];
	char why[128] = "";
	struct sbuf line;
	size_t i, n;

	if (fwdproto_parse_health(s, &h, why, sizeof(why)) < 0) {
		check_msg(why, sizeof(why));
		return;
	}
	REQUIRE(h.listener[0] && memchr(h.listener, '\0', sizeof(h.listener)));
	REQUIRE(!strchr(h.listener, ' '));
	REQUIRE(h.up <= h.total && h.total <= 1000000);
	REQUIRE(h.n_binds <= FWDPROTO_MAX_BINDS);
	for (i = 0; i < h.n_binds; i++) {
		sin[i] = (struct sockaddr_in){.sin_family = AF_INET,
					      .sin_port = htons(1),
					      .sin_addr = h.binds[i]};
		binds[i] = (const struct sockaddr *)&sin[i];
	}
	n = h.n_binds;
	REQUIRE(h.n_binds6 <= FWDPROTO_MAX_BINDS);
	for (i = 0; i < h.n_binds6; i++) {
		sin6[i] = (struct sockaddr_in6){.sin6_family = AF_INET6,
						.sin6_port = htons(1),
						.sin6_addr = h.binds6[i]};
		binds[n++] = (const struct sockaddr *)&sin6[i];
	}
	if (n == 0) /* "health L 1 2 ,": no bind to encode again */
		return;
	sbuf_init(&line);
	fwdproto_put_health(&line, h.listener, h.up, h.total, binds, n);
	REQUIRE(line.len && line.buf[line.len - 1] == '\n');
	line.buf[--line.len] = '\0';
	REQUIRE(fwdproto_parse_health(sbuf_str(&line), &h2, why, sizeof(why)) ==
		0);
	sbuf_free(&line);
	REQUIRE(strcmp(h.listener, h2.listener) == 0 && h.up == h2.up &&
		h.total == h2.total && h.n_binds == h2.n_binds &&
		h.n_binds6 == h2.n_binds6);
	REQUIRE(memcmp(h.binds, h2.binds, h.n_binds * sizeof(h.binds[0])) == 0);
	REQUIRE(memcmp(h.binds6, h2.binds6, h.n_binds6 * sizeof(h.binds6[0])) ==
		0);
}

static void do_cmd(const char *s)
{
	static const char *const acts[] = {"enable", "disable", "drain"};
	char err[128] = "", line[256];
	struct cmd c, c2;

	if (cmd_parse(s, &c, err, sizeof(err)) < 0) {
		check_msg(err, sizeof(err));
		return;
	}
	if (c.verb != CMD_SERVER) {
		/* the verbs without arguments: one word, said again alone */
		char word[64] = "";

		REQUIRE(sscanf(s, " %63s", word) == 1);
		REQUIRE(cmd_parse(word, &c2, err, sizeof(err)) == 0);
		REQUIRE(c2.verb == c.verb);
		return;
	}
	REQUIRE(cmd_privileged(&c));
	REQUIRE((unsigned)c.action <= CMD_DRAIN);
	REQUIRE(c.listen[0] && c.server[0]);
	REQUIRE(memchr(c.listen, '\0', sizeof(c.listen)) &&
		memchr(c.server, '\0', sizeof(c.server)));
	REQUIRE(!strchr(c.listen, '/') && !strpbrk(c.listen, " \t") &&
		!strpbrk(c.server, " \t"));
	snprintf(line, sizeof(line), "server %s/%s %s", c.listen, c.server,
		 acts[c.action]);
	REQUIRE(cmd_parse(line, &c2, err, sizeof(err)) == 0);
	REQUIRE(c2.verb == c.verb && c2.action == c.action &&
		strcmp(c2.listen, c.listen) == 0 &&
		strcmp(c2.server, c.server) == 0);
}

/* Prints a tree back as JSON (strings escaped as sbuf_json_str does). */
static void json_print(struct sbuf *sb, const struct json *j)
{
	const struct json *k;

	switch (j->type) {
	case JSON_NULL:
		sbuf_puts(sb, "null");
		return;
	case JSON_BOOL:
		sbuf_puts(sb, j->num ? "true" : "false");
		return;
	case JSON_NUM:
		sbuf_printf(sb, "%.17g", j->num);
		return;
	case JSON_STR:
		sbuf_json_str(sb, j->str);
		return;
	case JSON_ARR:
	case JSON_OBJ:
		sbuf_puts(sb, j->type == JSON_OBJ ? "{" : "[");
		for (k = j->kids; k; k = k->next) {
			if (j->type == JSON_OBJ) {
				REQUIRE(k->key);
				sbuf_json_str(sb, k->key);
				sbuf_puts(sb, ":");
			} else {
				REQUIRE(!k->key);
			}
			json_print(sb, k);
			if (k->next)
				sbuf_puts(sb, ",");
		}
		sbuf_puts(sb, j->type == JSON_OBJ ? "}" : "]");
		return;
	}
	REQUIRE(!"bad json type");
}

static bool json_same(const struct json *a, const struct json *b)
{
	for (; a && b; a = a->next, b = b->next) {
		if (a->type != b->type)
			return false;
		if ((a->key || b->key) &&
		    (!a->key || !b->key || strcmp(a->key, b->key) != 0))
			return false;
		if (a->type == JSON_NUM && a->num != b->num &&
		    !(isnan(a->num) && isnan(b->num)))
			return false;
		if (a->type == JSON_STR && strcmp(a->str, b->str) != 0)
			return false;
		if (!json_same(a->kids, b->kids))
			return false;
	}
	return !a && !b;
}

static void do_state(const struct json *j)
{
	struct fwd_state_event ev, ev2;
	struct json *j2;
	struct sbuf sb;

	if (fwdproto_parse_state(j, &ev) < 0)
		return;
	REQUIRE(memchr(ev.instance, '\0', sizeof(ev.instance)) &&
		memchr(ev.state, '\0', sizeof(ev.state)) &&
		memchr(ev.reason, '\0', sizeof(ev.reason)));
	REQUIRE(ev.priority <= 255);
	sbuf_init(&sb);
	fwdproto_put_state(&sb, ev.instance, ev.state, ev.priority, ev.reason);
	REQUIRE(sb.len && sb.buf[sb.len - 1] == '\n');
	sb.buf[--sb.len] = '\0';
	j2 = json_parse(sbuf_str(&sb));
	REQUIRE(j2 && fwdproto_parse_state(j2, &ev2) == 0);
	REQUIRE(strcmp(ev.instance, ev2.instance) == 0 &&
		strcmp(ev.state, ev2.state) == 0 &&
		strcmp(ev.reason, ev2.reason) == 0 &&
		ev.priority == ev2.priority);
	json_free(j2);
	sbuf_free(&sb);
}

static void do_json(const char *s)
{
	struct json *j = json_parse(s), *j2;
	struct sbuf sb;

	if (!j)
		return;
	REQUIRE(!j->next && !j->key);
	do_state(j);
	(void)json_str(j, "ok", NULL);
	(void)json_num(j, "n", 0);
	if (j->type == JSON_OBJ && j->kids)
		REQUIRE(json_get(j, j->kids->key) != NULL);
	sbuf_init(&sb);
	json_print(&sb, j);
	j2 = json_parse(sbuf_str(&sb));
	if (!j2)
		fprintf(stderr, "reprinted: %s\n", sbuf_str(&sb));
	REQUIRE(j2 != NULL);
	REQUIRE(json_same(j, j2));
	json_free(j2);
	json_free(j);
	sbuf_free(&sb);
}

static void do_duration(const char *s)
{
	int64_t ms = -1, ms2;
	char buf[32];

	if (parse_duration_ms(s, &ms) < 0)
		return;
	REQUIRE(ms >= 0);
	snprintf(buf, sizeof(buf), "%lldms", (long long)ms);
	REQUIRE(parse_duration_ms(buf, &ms2) == 0 && ms2 == ms);
}

static void do_prefix(const char *s)
{
	struct in_addr a, a2;
	int p = -1, p2;
	char ip[INET_ADDRSTRLEN], buf[32];

	if (parse_ipv4_prefix(s, &a, &p) == 0) {
		REQUIRE(p >= 0 && p <= 32);
		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		snprintf(buf, sizeof(buf), "%s/%d", ip, p);
		REQUIRE(parse_ipv4_prefix(buf, &a2, &p2) == 0);
		REQUIRE(a2.s_addr == a.s_addr && p2 == p);
	}
	/* without a prefix pointer a '/' must be refused */
	if (parse_ipv4_prefix(s, &a, NULL) == 0)
		REQUIRE(!strchr(s, '/'));
}

static void do_sockaddr(const char *s, bool allow_no_port)
{
	struct sockaddr_storage ss, ss2;
	socklen_t len = 0, len2 = 0;
	char buf[80];

	if (parse_sockaddr(s, &ss, &len, allow_no_port) < 0)
		return;
	REQUIRE(
	    (ss.ss_family == AF_INET && len == sizeof(struct sockaddr_in)) ||
	    (ss.ss_family == AF_INET6 && len == sizeof(struct sockaddr_in6)));
	sockaddr_str((struct sockaddr *)&ss, buf, sizeof(buf));
	/* a missing port stays 0, which sockaddr_str prints as ":0" */
	if (((struct sockaddr_in *)&ss)->sin_port == 0) {
		REQUIRE(allow_no_port);
		*strrchr(buf, ':') = '\0';
		if (buf[0] == '[') {
			buf[strlen(buf) - 1] = '\0';
			memmove(buf, buf + 1, strlen(buf));
		}
	}
	REQUIRE(parse_sockaddr(buf, &ss2, &len2, true) == 0);
	REQUIRE(len2 == len && memcmp(&ss, &ss2, len) == 0);
}

static void do_argv(const char *s)
{
	struct argv a;
	int i;

	if (argv_split(s, &a) < 0) {
		REQUIRE(a.v == NULL && a.n == 0);
		return;
	}
	REQUIRE(a.n >= 1 && a.v && a.v[a.n] == NULL);
	for (i = 0; i < a.n; i++)
		REQUIRE(a.v[i] != NULL);
	if (a.shell) {
		REQUIRE(a.n == 3 && strcmp(a.v[0], "/bin/sh") == 0 &&
			strcmp(a.v[1], "-c") == 0 && strcmp(a.v[2], s) == 0);
	} else {
		/* words never grow: escapes and quotes only shrink them */
		size_t total = 0;

		for (i = 0; i < a.n; i++)
			total += strlen(a.v[i]);
		REQUIRE(total <= strlen(s));
	}
	argv_free(&a);
	REQUIRE(a.v == NULL && a.n == 0);
}

static void do_distance(char *s)
{
	char *nl = strchr(s, '\n'), *b = "";
	size_t la, lb;
	unsigned d;

	if (nl) {
		*nl = '\0';
		b = nl + 1;
	}
	la = strlen(s);
	lb = strlen(b);
	d = edit_distance(s, b);
	REQUIRE(edit_distance(s, s) == 0 || la >= 64);
	if (la < 64 && lb < 64) {
		REQUIRE(d == edit_distance(b, s));
		REQUIRE(d <= (la > lb ? la : lb));
		REQUIRE(d >= (la > lb ? la - lb : lb - la));
		REQUIRE((d == 0) == (strcmp(s, b) == 0));
	} else {
		REQUIRE(d == 64);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1 || size > 4096)
		return 0;
	s = malloc(size);
	REQUIRE(s);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 9) {
	case 0:
		do_hello(s);
		break;
	case 1:
		do_health(s);
		break;
	case 2:
		do_cmd(s);
		break;
	case 3:
		do_json(s);
		break;
	case 4:
		do_duration(s);
		break;
	case 5:
		do_prefix(s);
		break;
	case 6:
		do_sockaddr(s, data[0] & 0x80);
		break;
	case 7:
		do_argv(s);
		break;
	case 8:
		do_distance(s);
		break;
	}
	free(s);
	return 0;
}
