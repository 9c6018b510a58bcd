/* The keywords of listen, frontend, backend and defaults sections, to
 * the typed proxy; what only HTTP mode means is reported here. Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxy_read.h"

/* server and default-server parameters, from index i */
static void server_params(struct hap_reader *r, struct hap_server *s, char **w,
			  int n, int i)
{
	long v;

	for (; i < n; i++) {
		const char *k = w[i];

		if (strcmp(k, "weight") == 0) {
			if (hap_word_long(r, w, n, ++i, 0, 256, &v))
				s->weight = (int)v;
		} else if (strcmp(k, "backup") == 0) {
			s->backup = true;
		} else if (strcmp(k, "disabled") == 0) {
			s->disabled = true;
		} else if (strcmp(k, "enabled") == 0) {
			s->disabled = false;
		} else if (strcmp(k, "check") == 0) {
			s->check = true;
		} else if (strcmp(k, "no-check") == 0) {
			s->check = false;
		} else if (strcmp(k, "port") == 0) {
			if (hap_word_long(r, w, n, ++i, 1, 65535, &v))
				s->check_port = (int)v;
		} else if (strcmp(k, "inter") == 0) {
			hap_word_ms(r, w, n, ++i, &s->inter_ms);
		} else if (strcmp(k, "rise") == 0) {
			if (hap_word_long(r, w, n, ++i, 1, 1000, &v))
				s->rise = (int)v;
		} else if (strcmp(k, "fall") == 0) {
			if (hap_word_long(r, w, n, ++i, 1, 1000, &v))
				s->fall = (int)v;
		} else if (strcmp(k, "send-proxy") == 0 ||
			   strcmp(k, "send-proxy-v2") == 0) {
			s->send_proxy = true;
		} else if (strcmp(k, "fastinter") == 0 ||
			   strcmp(k, "downinter") == 0) {
			i++;
			hap_msg(
			    r, IMP_NOTE,
			    "'%s' not carried: fwd checks every 'inter', up "
			    "or down",
			    k);
		} else {
			static const char *const with_value[] = {
			    "maxconn",	    "minconn",	  "maxqueue",
			    "slowstart",    "cookie",	  "addr",
			    "id",	    "resolvers",  "observe",
			    "error-limit",  "on-error",	  "on-marked-down",
			    "on-marked-up", "agent-port", "agent-inter",
			    "verify",	    "ca-file",	  "crt",
			    "sni",	    "source",	  "init-addr",
			    "track",	    "check-sni",  NULL};
			bool takes = false;

			for (size_t j = 0; with_value[j]; j++)
				takes = takes || strcmp(k, with_value[j]) == 0;
			hap_msg(
			    r, IMP_WARNING,
			    "server %s: '%s%s%s' not carried: fwd has no such "
			    "server setting",
			    s->name ? s->name : "(default-server)", k,
			    takes && i + 1 < n ? " " : "",
			    takes && i + 1 < n ? w[i + 1] : "");
			if (takes)
				i++;
		}
	}
}

static void add_server(struct hap_reader *r, struct hap_proxy *p, char **w,
		       int n)
{
	struct hap_server *v, *s;
	const char *addr;
	const char *colon;

	if (n < 3) {
		hap_msg(r, IMP_WARNING,
			"server needs a name and an address; "
			"ignored");
		return;
	}
	v = realloc(p->servers, (p->n_servers + 1) * sizeof(*v));
	if (!v)
		return;
	p->servers = v;
	s = &p->servers[p->n_servers];
	*s = p->defsrv;
	s->name = strdup(w[1]);
	s->at = r->at;
	addr = w[2];
	colon = strrchr(addr, ':');
	/* one colon: ADDR:PORT; none: no port; more: IPv6 without port */
	if (colon && colon == strchr(addr, ':')) {
		if (!hap_split_addr(addr, &s->host, &s->port)) {
			hap_msg(r, IMP_WARNING,
				"server %s: address '%s' not carried: not "
				"ADDR:PORT (port offsets and ranges: no)",
				w[1], addr);
			free(s->name);
			return;
		}
	} else {
		s->host = strdup(addr);
		s->port = 0;
	}
	p->n_servers++;
	server_params(r, s, w, n, 3);
}

static void set_mode(struct hap_reader *r, struct hap_proxy *p, const char *m)
{
	if (strcmp(m, "tcp") == 0)
		p->mode = HAP_MODE_TCP;
	else if (strcmp(m, "http") == 0)
		p->mode = HAP_MODE_HTTP;
	else if (strcmp(m, "health") == 0)
		p->mode = HAP_MODE_HEALTH;
	else {
		hap_msg(r, IMP_WARNING, "mode '%s' is unknown; ignored", m);
		return;
	}
	p->mode_at = r->at;
}

/* option NAME [...] */
static void proxy_option(struct hap_reader *r, struct hap_proxy *p, char **w,
			 int n)
{
	/* what these mean only in HTTP mode or cannot matter to fwd */
	static const struct {
		const char *name, *why;
	} notes[] = {
	    {"abortonclose", "drops queued HTTP requests whose client left; "
			     "fwd queues no requests"},
	    {"http-keep-alive", "an HTTP mode setting; fwd forwards TCP"},
	    {"http-server-close", "an HTTP mode setting; fwd forwards TCP"},
	    {"httpclose", "an HTTP mode setting; fwd forwards TCP"},
	    {"forceclose", "an HTTP mode setting; fwd forwards TCP"},
	    {"forwardfor", "adds X-Forwarded-For in HTTP mode; fwd forwards "
			   "TCP (send-proxy carries the client address)"},
	    {"httplog", "HTTP log format; fwd logs sessions in its own "
			"format"},
	    {"dontlognull", "HAProxy did not log connections that sent "
			    "nothing; fwd logs no session lines for them "
			    "either"},
	    {"tcpka", "fwd leaves TCP keep-alive to the kernel's defaults"},
	    {"log-health-checks", "fwd logs every server state change "
				  "anyway"},
	    {"splice-auto", "fwd copies by default; fwd -s splices"},
	    {"contstats", "fwd counts bytes as they flow"},
	};
	const char *o = n > 1 ? w[1] : "";
	size_t i;

	if (strcmp(o, "persist") == 0) {
		/* seen in the lab (import_behaviour): with a stick table it
		 * is not a no-op in TCP mode */
		hap_msg(
		    r, IMP_WARNING,
		    "option persist not carried: HAProxy kept a sticky client "
		    "on a server marked down as long as it accepted the "
		    "connection; fwd moves it to a server that is up");
		return;
	}
	if (strcmp(o, "redispatch") == 0) {
		p->redispatch = true;
		return;
	}
	if (strcmp(o, "tcplog") == 0) {
		p->tcplog = true;
		p->tcplog_at = r->at;
		return;
	}
	if (strcmp(o, "ssl-hello-chk") == 0 || strcmp(o, "smtpchk") == 0 ||
	    strcmp(o, "httpchk") == 0 || strcmp(o, "tcp-check") == 0 ||
	    strstr(o, "-check")) {
		p->check_at = r->at;
		free(p->check_arg);
		p->check_arg = NULL;
		if (strcmp(o, "ssl-hello-chk") == 0)
			p->check_type = HAP_CHECK_SSL_HELLO;
		else if (strcmp(o, "smtpchk") == 0)
			p->check_type = HAP_CHECK_SMTP;
		else if (strcmp(o, "tcp-check") == 0)
			p->check_type = HAP_CHECK_TCP;
		else if (strcmp(o, "httpchk") == 0) {
			char buf[256] = "";

			p->check_type = HAP_CHECK_HTTP;
			for (int a = 2; a < n; a++)
				snprintf(buf + strlen(buf),
					 sizeof(buf) - strlen(buf), "%s%s",
					 a > 2 ? " " : "", w[a]);
			p->check_arg = strdup(buf);
		} else {
			p->check_type = HAP_CHECK_OTHER;
			p->check_arg = strdup(o);
		}
		return;
	}
	for (i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (strcmp(o, notes[i].name) == 0) {
			hap_msg(r, IMP_NOTE, "option %s: nothing to carry: %s",
				o, notes[i].why);
			return;
		}
	hap_msg(r, IMP_WARNING, "option %s not carried: fwd has no such option",
		o);
}

static void proxy_timeout(struct hap_reader *r, struct hap_proxy *p, char **w,
			  int n)
{
	static const char *const ignored[] = {
	    "http-request", "http-keep-alive", "queue", "tarpit",
	    "client-fin",   "server-fin",      NULL};
	const char *k = n > 1 ? w[1] : "";
	long long *dst = NULL;
	size_t i;

	if (strcmp(k, "connect") == 0)
		dst = &p->t.connect;
	else if (strcmp(k, "client") == 0)
		dst = &p->t.client;
	else if (strcmp(k, "server") == 0)
		dst = &p->t.server;
	else if (strcmp(k, "tunnel") == 0)
		dst = &p->t.tunnel;
	else if (strcmp(k, "check") == 0)
		dst = &p->t.check;
	if (dst) {
		hap_word_ms(r, w, n, 2, dst);
		return;
	}
	for (i = 0; ignored[i]; i++)
		if (strcmp(k, ignored[i]) == 0) {
			hap_msg(r, IMP_NOTE, "timeout %s: nothing to carry: %s",
				k,
				strcmp(k, "queue") == 0
				    ? "fwd queues no connections (a full "
				      "forwarder leaves them in the backlog)"
				    : "an HTTP mode timeout; fwd forwards TCP");
			return;
		}
	hap_msg(r, IMP_WARNING,
		"timeout %s not carried: fwd has no such timeout", k);
}

static void proxy_stats(struct hap_reader *r, struct hap_proxy *p, char **w,
			int n)
{
	const char *k = n > 1 ? w[1] : "";
	char **dst = NULL;

	p->stats.at = p->stats.at.line ? p->stats.at : r->at;
	if (strcmp(k, "enable") == 0) {
		p->stats.enable = true;
		return;
	}
	if (strcmp(k, "admin") == 0) {
		p->stats.admin = true;
		p->stats.admin_at = r->at;
		return;
	}
	if (strcmp(k, "refresh") == 0) {
		hap_word_ms(r, w, n, 2, &p->stats.refresh_ms);
		return;
	}
	if (strcmp(k, "uri") == 0)
		dst = &p->stats.uri;
	else if (strcmp(k, "realm") == 0)
		dst = &p->stats.realm;
	else if (strcmp(k, "auth") == 0) {
		if (p->stats.auth) {
			hap_msg(r, IMP_WARNING,
				"stats auth: a second user not carried: the "
				"status page has one user");
			return;
		}
		dst = &p->stats.auth;
	}
	if (dst && n > 2) {
		free(*dst);
		*dst = strdup(w[2]);
		p->stats.enable = true;
		return;
	}
	if (strcmp(k, "socket") == 0)
		return;
	if (strcmp(k, "hide-version") == 0 || strcmp(k, "show-legends") == 0 ||
	    strcmp(k, "show-node") == 0 || strcmp(k, "show-desc") == 0) {
		hap_msg(r, IMP_NOTE,
			"stats %s: nothing to carry: the status page shows no "
			"version and a fixed layout",
			k);
		return;
	}
	hap_msg(r, IMP_WARNING,
		"stats %s not carried: the status page has no "
		"such setting",
		k);
}

/* What only an HTTP proxy does: said once at its line, never carried. */
static bool http_keyword(struct hap_reader *r, struct hap_proxy *p, char **w,
			 int n)
{
	static const char *const http[] = {"http-request",
					   "http-response",
					   "http-after-response",
					   "reqadd",
					   "reqrep",
					   "reqirep",
					   "reqdel",
					   "rspadd",
					   "rspdel",
					   "rsprep",
					   "redirect",
					   "cookie",
					   "capture",
					   "errorfile",
					   "errorloc",
					   "compression",
					   "monitor-uri",
					   "unique-id-format",
					   "unique-id-header",
					   "http-reuse",
					   "http-send-name-header",
					   NULL};
	size_t i;

	(void)n;
	for (i = 0; http[i]; i++)
		if (strcmp(w[0], http[i]) == 0) {
			hap_msg(r, IMP_WARNING,
				"%s: '%s' not carried: an HTTP mode rule; fwd "
				"forwards TCP and does not read requests",
				p->name ? p->name : "defaults", w[0]);
			return true;
		}
	return false;
}

static void proxy_use_backend(struct hap_reader *r, struct hap_proxy *p,
			      char **w, int n)
{
	if (n < 2) {
		hap_msg(r, IMP_WARNING, "%s needs a backend name; ignored",
			w[0]);
		return;
	}
	if (strcmp(w[0], "use_backend") == 0 && n > 2) {
		hap_msg(r, IMP_WARNING,
			"use_backend %s %s ...: not carried: fwd has no ACLs; "
			"conditions cannot pick a backend",
			w[1], w[2]);
		return;
	}
	if (p->backend && strcmp(w[0], "default_backend") == 0)
		return; /* an unconditional use_backend came first */
	free(p->backend);
	p->backend = strdup(w[1]);
	p->backend_at = r->at;
}

static void proxy_stick(struct hap_reader *r, struct hap_proxy *p, char **w,
			int n)
{
	int i;

	if (strcmp(w[0], "stick-table") == 0) {
		for (i = 1; i + 1 < n; i += 2) {
			if (strcmp(w[i], "type") == 0) {
				if (strcmp(w[i + 1], "ip") != 0)
					hap_msg(r, IMP_WARNING,
						"stick-table type %s not "
						"carried: fwd sticks on the "
						"client address only",
						w[i + 1]);
			} else if (strcmp(w[i], "size") == 0) {
				char *end;
				long long v = strtoll(w[i + 1], &end, 10);

				if (*end == 'k')
					v *= 1024;
				else if (*end == 'm')
					v *= 1024 * 1024;
				else if (*end == 'g')
					v *= 1024LL * 1024 * 1024;
				p->stick_size = v;
			} else if (strcmp(w[i], "expire") == 0) {
				hap_word_ms(r, w, n, i + 1,
					    &p->stick_expire_ms);
			} else {
				hap_msg(r, IMP_WARNING,
					"stick-table %s not carried", w[i]);
			}
		}
		return;
	}
	/* stick on src / stick match src + stick store-request src */
	if (n >= 3 && strcmp(w[2], "src") == 0 &&
	    (strcmp(w[1], "on") == 0 || strcmp(w[1], "match") == 0 ||
	     strcmp(w[1], "store-request") == 0)) {
		if (n > 3)
			hap_msg(
			    r, IMP_WARNING,
			    "stick %s src %s...: not carried past 'src': fwd "
			    "sticks every client",
			    w[1], w[3]);
		p->stick = true;
		p->stick_at = r->at;
		return;
	}
	hap_msg(r, IMP_WARNING, "'%s %s' not carried: fwd sticks on src only",
		w[0], n > 1 ? w[1] : "");
}

void hap_proxy_line(struct hap_reader *r, struct hap_proxy *p, char **w, int n)
{
	const char *k = w[0];
	long v;

	if (strcmp(k, "mode") == 0 && n > 1)
		set_mode(r, p, w[1]);
	else if (strcmp(k, "bind") == 0 && n > 1) {
		hap_add_binds(r, p, w[1]);
		for (int i = 2; i < n; i++) {
			if (strcmp(w[i], "ssl") == 0 ||
			    strcmp(w[i], "crt") == 0) {
				hap_msg(
				    r, IMP_WARNING,
				    "bind %s ssl crt ...: TLS termination not "
				    "carried: fwd forwards TCP as it comes; "
				    "the back ends get TLS",
				    w[1]);
				break;
			}
			hap_msg(r, IMP_WARNING, "bind %s: '%s' not carried",
				w[1], w[i]);
		}
	} else if (strcmp(k, "balance") == 0 && n > 1) {
		free(p->balance);
		p->balance = strdup(w[1]);
	} else if (strcmp(k, "server") == 0)
		add_server(r, p, w, n);
	else if (strcmp(k, "default-server") == 0)
		server_params(r, &p->defsrv, w, n, 1);
	else if (strcmp(k, "retries") == 0) {
		if (hap_word_long(r, w, n, 1, 0, 100, &v))
			p->retries = (int)v;
	} else if (strcmp(k, "redispatch") == 0)
		p->redispatch = true;
	else if (strcmp(k, "disabled") == 0 || strcmp(k, "enabled") == 0)
		p->disabled = k[0] == 'd';
	else if (strcmp(k, "maxconn") == 0) {
		if (hap_word_long(r, w, n, 1, 1, 1000000, &v))
			p->maxconn = v;
	} else if (strcmp(k, "option") == 0)
		proxy_option(r, p, w, n);
	else if (strcmp(k, "no") == 0 && n > 2 && strcmp(w[1], "option") == 0)
		hap_msg(r, IMP_NOTE, "no option %s: nothing to carry", w[2]);
	else if (strcmp(k, "timeout") == 0)
		proxy_timeout(r, p, w, n);
	else if (strcmp(k, "contimeout") == 0)
		hap_word_ms(r, w, n, 1, &p->t.connect);
	else if (strcmp(k, "clitimeout") == 0)
		hap_word_ms(r, w, n, 1, &p->t.client);
	else if (strcmp(k, "srvtimeout") == 0)
		hap_word_ms(r, w, n, 1, &p->t.server);
	else if (strcmp(k, "stats") == 0)
		proxy_stats(r, p, w, n);
	else if (strcmp(k, "default_backend") == 0 ||
		 strcmp(k, "use_backend") == 0)
		proxy_use_backend(r, p, w, n);
	else if (strcmp(k, "stick-table") == 0 || strcmp(k, "stick") == 0)
		proxy_stick(r, p, w, n);
	else if (strcmp(k, "http-check") == 0) {
		if (n > 2 && strcmp(w[1], "expect") == 0) {
			char buf[256] = "";

			for (int a = 2; a < n; a++)
				snprintf(buf + strlen(buf),
					 sizeof(buf) - strlen(buf), "%s%s",
					 a > 2 ? " " : "", w[a]);
			free(p->check_expect);
			p->check_expect = strdup(buf);
		} else {
			hap_msg(r, IMP_WARNING, "http-check %s not carried",
				n > 1 ? w[1] : "");
		}
	} else if (strcmp(k, "log") == 0) {
		/* where logs go is the journal's business under systemd */
	} else if (strcmp(k, "acl") == 0) {
		hap_msg(r, IMP_WARNING,
			"acl %s not carried: fwd has no ACLs; what uses it is "
			"reported where it stands",
			n > 1 ? w[1] : "");
	} else if (strcmp(k, "description") == 0 ||
		   strcmp(k, "fullconn") == 0 || strcmp(k, "hash-type") == 0) {
		hap_msg(r, IMP_NOTE, "%s: nothing to carry", k);
	} else if (!http_keyword(r, p, w, n)) {
		hap_msg(r, IMP_WARNING,
			"'%s' not carried: fwd has no such setting", k);
	}
}
