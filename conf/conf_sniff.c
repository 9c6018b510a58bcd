#include "conf_sniff.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNIFF_MAX 65536 /* the first 64 KiB tell */

/* The first word of the line at p (up to end), and what follows it. */
static void first_word(const char *p, const char *end, const char **word,
		       const char **after)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	*word = p;
	while (p < end && !isspace((unsigned char)*p) && *p != '{' &&
	       *p != '=' && *p != ':')
		p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	*after = p;
}

/* w (n bytes) is one of the blank-separated words of set */
static bool word_in(const char *w, size_t n, const char *set)
{
	const char *p = set;

	/* the text is anyone's bytes: a NUL in w must not match the end of
	 * set (found by fuzz_conf) */
	if (n == 0 || memchr(w, '\0', n))
		return false;
	while ((p = strchr(p, ' ')) != NULL) {
		p++;
		if (strlen(p) > n && memcmp(p, w, n) == 0 && p[n] == ' ')
			return true;
	}
	return false;
}

static size_t word_len(const char *w, const char *end)
{
	const char *p = w;

	while (p < end && !isspace((unsigned char)*p) && *p != '{' &&
	       *p != '=' && *p != ':')
		p++;
	return (size_t)(p - w);
}

enum conf_foreign conf_sniff(const char *text, size_t len)
{
	/* keepalived's blocks open with "KEYWORD [NAME] {", never "=";
	 * (word lists, not key tables: these are not vrrpd.conf keys) */
	static const char ka[] = " global_defs vrrp_instance vrrp_script "
				 "vrrp_sync_group virtual_server "
				 "static_ipaddress ";
	static const char hap_sections[] = " global defaults listen frontend "
					   "backend ";
	static const char hap_words[] = " server bind mode balance option "
					"timeout maxconn default_backend "
					"contimeout clitimeout ";
	const char *p = text, *end = text + (len < SNIFF_MAX ? len : SNIFF_MAX);
	int ka_hits = 0, hap_sec = 0, hap_kw = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *w, *after;
		size_t n;

		if (!eol)
			eol = end;
		first_word(p, eol, &w, &after);
		n = word_len(w, eol);
		if (n && *w != '#' && *w != '!' && *w != '/') {
			bool assigns =
			    after < eol && (*after == '=' || *after == ':');

			if (!assigns && word_in(w, n, ka))
				ka_hits++;
			else if (!assigns && w == p &&
				 word_in(w, n, hap_sections))
				hap_sec++;
			else if (!assigns && w > p && word_in(w, n, hap_words))
				hap_kw++;
		}
		p = eol + 1;
	}
	if (ka_hits)
		return CONF_FOREIGN_KEEPALIVED;
	if (hap_sec && hap_kw)
		return CONF_FOREIGN_HAPROXY;
	return CONF_FOREIGN_NONE;
}

enum conf_foreign conf_sniff_hint(const char *path, struct sbuf *out)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(SNIFF_MAX);
	enum conf_foreign kind = CONF_FOREIGN_NONE;
	size_t n;

	if (f && buf) {
		n = fread(buf, 1, SNIFF_MAX, f);
		kind = conf_sniff(buf, n);
	}
	if (f)
		fclose(f);
	free(buf);
	if (kind == CONF_FOREIGN_KEEPALIVED)
		sbuf_printf(out,
			    "%s: this looks like a keepalived.conf; convert "
			    "it with: vrrpd-import --keepalived %s -o "
			    "vrrpd.conf\n",
			    path, path);
	else if (kind == CONF_FOREIGN_HAPROXY)
		sbuf_printf(out,
			    "%s: this looks like a haproxy.cfg; convert it "
			    "with: vrrpd-import --haproxy %s -o vrrpd.conf\n",
			    path, path);
	return kind;
}
