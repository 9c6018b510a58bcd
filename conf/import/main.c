/*
 * vrrpd-import: keepalived.conf and haproxy.cfg in, one vrrpd.conf out
 * (issue #13). Exit 0 when it wrote the file (warnings or not), 1 on
 * errors or, with --strict, on warnings (then it writes nothing).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vrrpd-import [--keepalived FILE] [--haproxy FILE] "
		   "[-o OUT] [--strict]\n"
		   "Reads a keepalived.conf and/or a haproxy.cfg and writes "
		   "one vrrpd.conf\n(stdout without -o). Notes and warnings "
		   "go to stderr as FILE:LINE: ...\n");
}

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		size_t got;

		if (*len + 1 >= cap) {
			char *t = cap < (16u << 20)
				      ? realloc(text, cap * 2 + 8192)
				      : NULL;

			if (!t) {
				free(text);
				fclose(f);
				errno = EFBIG;
				return NULL;
			}
			text = t;
			cap = cap * 2 + 8192;
		}
		got = fread(text + *len, 1, cap - *len - 1, f);
		if (got == 0)
			break;
		*len += got;
	}
	fclose(f);
	text[*len] = '\0';
	return text;
}

static int write_out(struct imp_out *o, const char *out)
{
	char tmp[4096];
	FILE *f;

	if (!out)
		return imp_write(o, stdout);
	/* never leave a half-written vrrpd.conf behind */
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "vrrpd-import: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	/* it holds auth_pass and the stats password: not for every user */
	if (fchmod(fileno(f), 0640) < 0 || imp_write(o, f) < 0 ||
	    fclose(f) != 0 || rename(tmp, out) < 0) {
		fprintf(stderr, "vrrpd-import: cannot write %s\n", out);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"keepalived", required_argument, NULL, 'k'},
	    {"haproxy", required_argument, NULL, 'p'},
	    {"output", required_argument, NULL, 'o'},
	    {"strict", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *ka_path = NULL, *hap_path = NULL, *out = NULL;
	struct ka_conf *ka = NULL;
	struct hap_conf *hap = NULL;
	struct conf_diag d;
	struct imp_out o;
	bool strict = false;
	char line[600];
	int c, rc = 1, vr = 0, fr = 0;

	while ((c = getopt_long(argc, argv, "k:p:o:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			ka_path = optarg;
			break;
		case 'p':
			hap_path = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			strict = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc || (!ka_path && !hap_path)) {
		usage(stderr);
		return 1;
	}
	conf_diag_init(&d);
	imp_out_init(&o, &d);
	if (ka_path)
		ka = ka_read_file(ka_path, &d);
	if (hap_path) {
		size_t len;
		char *text = read_text(hap_path, &len);

		if (!text)
			imp_msg(&d, IMP_ERROR, (struct imp_src){hap_path, 0},
				"cannot read: %s", strerror(errno));
		else
			hap = hap_parse(text, len, hap_path, &d);
		free(text);
	}
	imp_strv_push(&o.header, "vrrpd.conf written by vrrpd-import from:");
	if (ka_path) {
		snprintf(line, sizeof(line), "  keepalived.conf %s", ka_path);
		imp_strv_push(&o.header, line);
	}
	if (hap_path) {
		snprintf(line, sizeof(line), "  haproxy.cfg     %s", hap_path);
		imp_strv_push(&o.header, line);
	}
	imp_strv_push(&o.header, "Each section's \"# from FILE:LINE\" names "
				 "where it came from. What was not carried, "
				 "and why,");
	imp_strv_push(&o.header, "was printed when this file was written; "
				 "check it with vrrpd -t -f and fwd -t -f.");
	if (d.errors == 0) {
		vr = imp_emit_vrrp(&o, ka, hap);
		fr = imp_emit_fwd(&o, hap);
		if ((!ka || vr < 0) && (!hap || fr < 0))
			imp_msg(
			    &d, IMP_ERROR,
			    (struct imp_src){ka_path ? ka_path : hap_path, 0},
			    "nothing could be carried: no vrrp_instance "
			    "and no listen");
	}
	imp_sort_messages(&d.text);
	fputs(sbuf_str(&d.text), stderr);
	if (d.errors)
		fprintf(stderr, "vrrpd-import: %u error(s); nothing written\n",
			d.errors);
	else if (strict && d.warnings)
		fprintf(stderr,
			"vrrpd-import: %u warning(s) and --strict; nothing "
			"written\n",
			d.warnings);
	else if (write_out(&o, out) == 0)
		rc = 0;
	if (rc == 0 && out)
		fprintf(stderr, "vrrpd-import: wrote %s (%u warning(s))\n", out,
			d.warnings);
	imp_out_free(&o);
	ka_conf_free(ka);
	hap_conf_free(hap);
	conf_diag_free(&d);
	return rc;
}
