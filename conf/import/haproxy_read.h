/*
 * Inside the haproxy.cfg reader: the reader's state, shared by haproxy.c
 * (lines, sections, global, defaults), haproxy_proxy.c (the keywords
 * of listen, frontend, backend and defaults) and haproxy_words.c (their
 * numbers, times and addresses). Not for other modules.
 */
#ifndef CONF_IMPORT_HAPROXY_READ_H
#define CONF_IMPORT_HAPROXY_READ_H

#include "haproxy.h"

struct hap_reader {
	struct conf_diag *d;
	struct hap_conf *c;
	struct hap_proxy defaults; /* the defaults section in force */
	struct hap_proxy *cur;	   /* NULL: global or a section not read */
	enum { SEC_NONE, SEC_GLOBAL, SEC_DEFAULTS, SEC_PROXY, SEC_OTHER } sec;
	struct imp_src at;
};

/* A message at the line being read. */
void hap_msg(struct hap_reader *r, enum imp_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* w[i] as a number from min to max / as a time; false (reported) else */
bool hap_word_long(struct hap_reader *r, char **w, int n, int i, long min,
		   long max, long *out);
bool hap_word_ms(struct hap_reader *r, char **w, int n, int i, long long *out);
/* "A:P", "*:P", ":P", "[v6]:P", "v6:P" into *host (allocated) and
 * *port; false for what fwd cannot bind */
bool hap_split_addr(const char *s, char **host, int *port);
/* "A:P[,A:P...]" */
void hap_add_binds(struct hap_reader *r, struct hap_proxy *p, const char *list);
/* One keyword line of a proxy or defaults section. */
void hap_proxy_line(struct hap_reader *r, struct hap_proxy *p, char **w, int n);

#endif
