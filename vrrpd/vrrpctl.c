/* vrrpctl: the operator's command line for vrrpd's and fwd's sockets. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ctl.h"
#include "../common/json.h"
#include "../common/sbuf.h"

#define DEFAULT_SOCK "/run/vrrpd/vrrpd.sock"

static void usage(FILE *to)
{
	fprintf(to, "usage: vrrpctl [-s SOCK] [--json] COMMAND [ARGS...]\n"
		    "  status [INSTANCE]   state, priority, master, counters\n"
		    "  (any other command is sent as is; the JSON reply is "
		    "printed)\n"
		    "  -s SOCK   control socket (default " DEFAULT_SOCK ")\n"
		    "  --json    print the raw JSON reply\n");
}

static void print_counters(const struct json *obj, const char *title)
{
	const struct json *k;
	int col = 0;

	if (!obj)
		return;
	printf("  %s:", title);
	for (k = obj->kids; k; k = k->next) {
		if (k->type != JSON_NUM)
			continue;
		if (col && col % 4 == 0)
			printf("\n  %*s", (int)strlen(title) + 1, "");
		printf(" %s=%.0f", k->key, k->num);
		col++;
	}
	printf("\n");
}

static void print_trackers(const struct json *list)
{
	const struct json *t;

	for (t = list ? list->kids : NULL; t; t = t->next) {
		bool ok = json_num(t, "ok", 0) != 0;
		double w = json_num(t, "weight", 0);
		bool iface = !strcmp(json_str(t, "type", ""), "interface");

		printf("  %-9s %-16s %-4s ", json_str(t, "type", "?"),
		       json_str(t, "name", "?"),
		       ok ? (iface ? "up" : "ok") : (iface ? "down" : "FAIL"));
		if (w == 0)
			printf("weight 0 (%s)", ok ? "no effect" : "FAULT");
		else
			printf("weight %+.0f -> %+.0f", w,
			       json_num(t, "contribution", 0));
		if (json_get(t, "flaps")) /* the forwarder's */
			printf("  (%s; %.0f flaps)", json_str(t, "why", "?"),
			       json_num(t, "flaps", 0));
		printf("\n");
	}
}

static void print_forwarder(const struct json *fw)
{
	const struct json *ls = json_get(fw, "listeners"), *l, *b;

	if (!fw)
		return;
	printf("forwarder: %s (protocol %.0f, connects %.0f, disconnects "
	       "%.0f, heartbeats %.0f, silences %.0f)\n",
	       !json_num(fw, "connected", 0) ? "NOT CONNECTED"
	       : json_num(fw, "silent", 0)   ? "connected but SILENT"
					     : "connected",
	       json_num(fw, "proto", 0), json_num(fw, "connects", 0),
	       json_num(fw, "disconnects", 0), json_num(fw, "heartbeats", 0),
	       json_num(fw, "silences", 0));
	for (l = ls ? ls->kids : NULL; l; l = l->next) {
		double up = json_num(l, "up", 0);

		printf("  listener %-16s %.0f/%.0f servers up%s  on",
		       json_str(l, "name", "?"), up, json_num(l, "total", 0),
		       up == 0 ? " (UNHEALTHY)" : "");
		b = json_get(l, "binds");
		for (b = b ? b->kids : NULL; b; b = b->next)
			printf(" %s", b->str ? b->str : "?");
		printf("\n");
	}
}

/* anycast_instance: no priority; any failed tracker withdraws. */
static void print_anycast(const struct json *list)
{
	const struct json *in, *v, *t;

	for (in = list ? list->kids : NULL; in; in = in->next) {
		double wait = json_num(in, "announce_in_ms", -1);

		printf("%s: %s  anycast on %s  hold_down %.0f ms",
		       json_str(in, "name", "?"), json_str(in, "state", "?"),
		       json_str(in, "interface", "?"),
		       json_num(in, "hold_down_ms", 0));
		if (wait >= 0)
			printf("  (announce in %.0f ms)", wait);
		printf("\n  transitions %.0f (last: %s)\n  vips",
		       json_num(in, "transitions", 0),
		       json_str(in, "last_reason", ""));
		v = json_get(in, "vips");
		for (v = v ? v->kids : NULL; v; v = v->next)
			printf(" %s", v->str ? v->str : "?");
		printf("\n");
		t = json_get(in, "trackers");
		for (t = t ? t->kids : NULL; t; t = t->next)
			printf("  %-9s %-16s %s\n", json_str(t, "type", "?"),
			       json_str(t, "name", "?"),
			       json_num(t, "ok", 0) ? "ok"
						    : "FAIL (withdraws)");
	}
}

static void print_status(const struct json *root)
{
	const struct json *list = json_get(root, "instances"), *in;

	printf("router %s\n", json_str(root, "router_id", "?"));
	for (in = list ? list->kids : NULL; in; in = in->next) {
		const struct json *vips = json_get(in, "vips"), *v;
		const char *master = json_str(in, "master_ip", "");

		printf("%s: %s  vrid %.0f on %s  priority %.0f (configured "
		       "%.0f)\n",
		       json_str(in, "name", "?"), json_str(in, "state", "?"),
		       json_num(in, "vrid", 0), json_str(in, "interface", "?"),
		       json_num(in, "effective_priority", 0),
		       json_num(in, "priority", 0));
		printf("  master %s  advert_int %gs  transitions %.0f "
		       "(last: %s)\n",
		       *master ? master : "unknown",
		       json_num(in, "advert_int", 0),
		       json_num(in, "transitions", 0),
		       json_str(in, "last_reason", ""));
		printf("  vips");
		for (v = vips ? vips->kids : NULL; v; v = v->next)
			printf(" %s", v->str ? v->str : "?");
		printf("\n");
		print_trackers(json_get(in, "trackers"));
		print_counters(json_get(in, "counters"), "counters");
		print_counters(json_get(in, "drops"), "drops");
	}
	print_anycast(json_get(root, "anycast"));
	print_forwarder(json_get(root, "forwarder"));
	print_counters(json_get(root, "alerts"), "alerts");
	print_counters(json_get(root, "control"), "control socket");
}

/* A failed reload lists every error (common/reload_reply.h); other
 * failures have the one "error". */
static void print_errors(const struct json *j)
{
	const struct json *errs = json_get(j, "errors"), *e;

	if (errs && errs->type == JSON_ARR && errs->kids) {
		for (e = errs->kids; e; e = e->next)
			if (e->type == JSON_STR)
				fprintf(stderr, "vrrpctl: %s\n", e->str);
	} else if (json_str(j, "error", NULL)) {
		fprintf(stderr, "vrrpctl: %s\n", json_str(j, "error", ""));
	}
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {{"json", no_argument, NULL, 'j'},
					      {"help", no_argument, NULL, 'h'},
					      {NULL, 0, NULL, 0}};
	const char *sock = DEFAULT_SOCK;
	bool raw = false;
	struct sbuf line;
	struct json *j;
	char *reply;
	int ch, i, rc;

	while ((ch = getopt_long(argc, argv, "+s:jh", longs, NULL)) != -1) {
		switch (ch) {
		case 's':
			sock = optarg;
			break;
		case 'j':
			raw = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	sbuf_init(&line);
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			raw = true;
			continue;
		}
		if (line.len)
			sbuf_puts(&line, " ");
		sbuf_puts(&line, argv[i]);
	}
	rc = ctl_request(sock, sbuf_str(&line), &reply, 5000);
	if (rc < 0) {
		fprintf(stderr, "vrrpctl: %s: %s\n", sock, strerror(-rc));
		sbuf_free(&line);
		return 2;
	}
	j = json_parse(reply);
	if (raw || !j || strcmp(argv[optind], "status") != 0 ||
	    json_num(j, "ok", 0) == 0 || !json_get(j, "instances"))
		printf("%s\n", reply);
	else
		print_status(j);
	rc = j && json_num(j, "ok", 0) ? 0 : 1;
	if (rc && j)
		print_errors(j);
	json_free(j);
	free(reply);
	sbuf_free(&line);
	return rc;
}
