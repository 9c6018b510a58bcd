/* Alert e-mail composition: headers, body and the SMTP URL (pure). */
#include "alert.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAILER "vrrpd"

static const char *const wday[] = {"Sun", "Mon", "Tue", "Wed",
				   "Thu", "Fri", "Sat"};
static const char *const month[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* What the new state means for the operator reading the mail. */
static const char *const state_meaning[VRRP_STATE_COUNT] = {
    [VRRP_STATE_INIT] = "vrrpd stopped this instance; its virtual "
			"addresses are released.",
    [VRRP_STATE_BACKUP] = "This router does not own the virtual addresses; "
			  "a peer serves them (or will after its own timer).",
    [VRRP_STATE_MASTER] = "This router now owns the virtual addresses and "
			  "answers for them.",
    [VRRP_STATE_FAULT] = "This router cannot serve (a tracked check or "
			 "interface failed); its virtual addresses are "
			 "released.",
};

static const char *nonempty(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

/*
 * Header and body values come from the configuration and from packets
 * (addresses in the reason); a CR or LF in them would let a value forge
 * headers or break the CRLF discipline, so control characters become spaces.
 */
static void put_clean(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		char c = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;

		sbuf_add(sb, &c, 1);
	}
}

static void put_header(struct sbuf *sb, const char *name, const char *value)
{
	sbuf_puts(sb, name);
	sbuf_puts(sb, ": ");
	put_clean(sb, value);
	sbuf_puts(sb, "\r\n");
}

/* One "Label: value" body line, values aligned. */
static void put_field(struct sbuf *sb, const char *label, const char *value)
{
	sbuf_printf(sb, "%-14s", label);
	put_clean(sb, value);
	sbuf_puts(sb, "\r\n");
}

/* RFC 5322 3.4.1: the id's right part is a dot-atom; anything else in a
 * router_id or host name becomes '-'. */
static void domain_copy(char *out, size_t len, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < len && s[i]; i++)
		out[i] = isalnum((unsigned char)s[i]) || s[i] == '.' ||
				 s[i] == '-' || s[i] == '_'
			     ? s[i]
			     : '-';
	out[i] = '\0';
}

int alert_message_id(char *buf, size_t len, const struct alert_env *env)
{
	char dom[128];
	int n;

	domain_copy(dom, sizeof(dom),
		    nonempty(env->router_id, nonempty(env->host, "localhost")));
	n = snprintf(buf, len, "<%lld.%ld.%lu@%s>", (long long)env->now.tv_sec,
		     (long)env->pid, env->seq, dom);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int alert_date(char *buf, size_t len, time_t t)
{
	struct tm tm;
	long off;
	int n;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	n = snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld",
		     wday[tm.tm_wday % 7], tm.tm_mday, month[tm.tm_mon % 12],
		     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

static void put_from(struct sbuf *sb, const struct alert_env *env)
{
	if (env->from && *env->from) {
		put_header(sb, "From", env->from);
		return;
	}
	sbuf_puts(sb, "From: " MAILER "@");
	put_clean(sb, nonempty(env->host, "localhost"));
	sbuf_puts(sb, "\r\n");
}

/* One address per folded line (RFC 5322 2.2.3), so many recipients never
 * make a header line longer than 998 characters. */
static void put_to(struct sbuf *sb, const struct alert_env *env)
{
	size_t i;

	sbuf_puts(sb, "To: ");
	for (i = 0; i < env->n_to; i++) {
		if (i)
			sbuf_puts(sb, ",\r\n ");
		put_clean(sb, env->to[i]);
	}
	sbuf_puts(sb, "\r\n");
}

static void put_headers(struct sbuf *sb, const struct alert_env *env,
			const char *subject)
{
	char buf[160];

	if (alert_date(buf, sizeof(buf), env->now.tv_sec) == 0)
		put_header(sb, "Date", buf);
	put_from(sb, env);
	put_to(sb, env);
	put_header(sb, "Subject", subject);
	if (alert_message_id(buf, sizeof(buf), env) == 0)
		put_header(sb, "Message-ID", buf);
	put_header(sb, "MIME-Version", "1.0");
	put_header(sb, "Content-Type", "text/plain; charset=utf-8");
	put_header(sb, "Content-Transfer-Encoding", "8bit");
	/* RFC 3834: keeps vacation responders from answering alerts */
	put_header(sb, "Auto-Submitted", "auto-generated");
	put_header(sb, "X-Mailer", MAILER);
	sbuf_puts(sb, "\r\n");
}

static void put_times(struct sbuf *sb, const struct timespec *now)
{
	struct tm tm;
	char when[64], zone[32];
	int ms = (int)(now->tv_nsec / 1000000);

	gmtime_r(&now->tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	sbuf_printf(sb, "%-14s%s.%03d UTC\r\n", "Time (UTC):", when, ms);
	localtime_r(&now->tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z %Z", &tm);
	sbuf_printf(sb, "%-14s%s.%03d %s\r\n", "Time (local):", when, ms, zone);
}

static void put_signature(struct sbuf *sb, const struct alert_env *env)
{
	sbuf_puts(sb, "\r\n-- \r\n" MAILER " on ");
	put_clean(sb, nonempty(env->host, "localhost"));
	sbuf_printf(sb, ", pid %ld\r\n", (long)env->pid);
}

static void put_vips(struct sbuf *sb, const struct alert_transition *t)
{
	char ip[INET6_ADDRSTRLEN];
	size_t i;

	sbuf_printf(sb, "%-14s", "VIPs:");
	if (!t->n_vips)
		sbuf_puts(sb, "(none)");
	for (i = 0; i < t->n_vips; i++) {
		const struct conf_vip *v = &t->vips[i];

		if (v->family == AF_INET6)
			inet_ntop(AF_INET6, &v->addr6, ip, sizeof(ip));
		else
			inet_ntop(AF_INET, &v->addr, ip, sizeof(ip));
		sbuf_printf(sb, "%s%s/%d", i ? ", " : "", ip, v->prefix);
		if (v->dev[0]) {
			sbuf_puts(sb, " dev ");
			put_clean(sb, v->dev);
		}
	}
	sbuf_puts(sb, "\r\n");
}

void alert_format_transition(struct sbuf *out, const struct alert_env *env,
			     const struct alert_transition *t)
{
	const char *rid = nonempty(env->router_id, env->host);
	const char *from =
	    t->anycast_to ? t->anycast_from : vrrp_state_str(t->from);
	const char *to = t->anycast_to ? t->anycast_to : vrrp_state_str(t->to);
	const char *reason = nonempty(t->reason, "unknown");
	char line[256];

	snprintf(line, sizeof(line), "[%s] %s: %s -> %s", nonempty(rid, "?"),
		 t->instance, from, to);
	put_headers(out, env, line);

	put_clean(out, nonempty(rid, "?"));
	sbuf_printf(out,
		    t->anycast_to ? ": anycast instance " : ": VRRP instance ");
	put_clean(out, t->instance);
	sbuf_printf(out, " went from %s to %s because: ", from, to);
	put_clean(out, reason);
	sbuf_puts(out, ".\r\n");
	if (t->anycast_meaning)
		sbuf_printf(out, "%s\r\n", t->anycast_meaning);
	else if (t->to < VRRP_STATE_COUNT && state_meaning[t->to])
		sbuf_printf(out, "%s\r\n", state_meaning[t->to]);
	sbuf_puts(out, "\r\n");

	put_field(out, "Why:", reason);
	put_field(out, "Router:", nonempty(rid, "?"));
	snprintf(line, sizeof(line), "%s on %s", t->instance,
		 nonempty(t->interface, "?"));
	put_field(out, "Instance:", line);
	snprintf(line, sizeof(line), "%s -> %s", from, to);
	put_field(out, "Transition:", line);
	snprintf(line, sizeof(line), "%u (configured %u)", t->priority,
		 t->base_priority);
	if (!t->anycast_to)
		put_field(out, "Priority:", line);
	put_vips(out, t);
	put_times(out, &env->now);
	put_signature(out, env);
}

static void put_item(struct sbuf *sb, const struct alertq_item *it)
{
	struct tm tm;
	char when[32];

	gmtime_r(&it->wall.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	sbuf_printf(sb, "  %s.%03d UTC  %s -> %s (priority %u): ", when,
		    (int)(it->wall.tv_nsec / 1000000), vrrp_state_str(it->from),
		    vrrp_state_str(it->to), it->priority);
	put_clean(sb, nonempty(it->reason, "unknown"));
	sbuf_puts(sb, "\r\n");
}

void alert_format_summary(struct sbuf *out, const struct alert_env *env,
			  const struct alert_transition *t,
			  const struct alertq_item *items, size_t n,
			  uint64_t omitted, int64_t interval_ms)
{
	const char *rid = nonempty(env->router_id, env->host);
	const char *now = vrrp_state_str(t->to);
	unsigned long total = (unsigned long)n + (unsigned long)omitted;
	char line[256];
	size_t i;

	snprintf(line, sizeof(line), "[%s] %s: %lu transition%s, now %s",
		 nonempty(rid, "?"), t->instance, total, total == 1 ? "" : "s",
		 now);
	put_headers(out, env, line);

	put_clean(out, nonempty(rid, "?"));
	sbuf_puts(out, ": VRRP instance ");
	put_clean(out, t->instance);
	sbuf_printf(out,
		    " changed state %lu time%s since the last alert; it is "
		    "now %s.\r\n",
		    total, total == 1 ? "" : "s", now);
	sbuf_printf(out,
		    "Alerts are coalesced: at most one mail per %lld s per "
		    "instance (smtp_alert_interval).\r\n",
		    (long long)(interval_ms / 1000));
	if (t->to < VRRP_STATE_COUNT && state_meaning[t->to])
		sbuf_printf(out, "%s\r\n", state_meaning[t->to]);
	sbuf_puts(out, "\r\n");

	put_field(out, "Why (last):", nonempty(t->reason, "unknown"));
	put_field(out, "Router:", nonempty(rid, "?"));
	snprintf(line, sizeof(line), "%s on %s", t->instance,
		 nonempty(t->interface, "?"));
	put_field(out, "Instance:", line);
	put_field(out, "Now:", now);
	snprintf(line, sizeof(line), "%u (configured %u)", t->priority,
		 t->base_priority);
	put_field(out, "Priority:", line);
	put_vips(out, t);
	put_times(out, &env->now);
	sbuf_puts(out, "\r\nTransitions since the last alert:\r\n");
	for (i = 0; i < n; i++) {
		if (omitted && i + 1 == n)
			sbuf_printf(out, "  ... %llu more ...\r\n",
				    (unsigned long long)omitted);
		put_item(out, &items[i]);
	}
	put_signature(out, env);
}

void alert_format_test(struct sbuf *out, const struct alert_env *env)
{
	const char *rid = nonempty(nonempty(env->router_id, env->host), "?");
	char line[256];

	snprintf(line, sizeof(line), "[%s] vrrpd test alert", rid);
	put_headers(out, env, line);
	put_clean(out, rid);
	sbuf_puts(out,
		  ": this is a test message sent by 'vrrpctl alert-test'."
		  "\r\nIf you read it, VRRP state alerts reach you.\r\n\r\n");
	put_field(out, "Router:", rid);
	put_times(out, &env->now);
	put_signature(out, env);
}

void alert_format_cert(struct sbuf *out, const struct alert_env *env,
		       const char *listener, const char *server, long days,
		       time_t not_after)
{
	const char *rid = nonempty(nonempty(env->router_id, env->host), "?");
	char line[320], when[64];
	struct tm tm;

	if (days < 0)
		snprintf(line, sizeof(line),
			 "[%s] TLS certificate of %s/%s has expired", rid,
			 listener, server);
	else
		snprintf(line, sizeof(line),
			 "[%s] TLS certificate of %s/%s expires in %ld day%s",
			 rid, listener, server, days, days == 1 ? "" : "s");
	put_headers(out, env, line);
	put_clean(out, line + strlen(rid) + 3);
	sbuf_puts(out, ".\r\nfwd's health check saw it; renew it before "
		       "clients and checks refuse it.\r\n\r\n");
	put_field(out, "Router:", rid);
	snprintf(line, sizeof(line), "%s/%s", listener, server);
	put_field(out, "Server:", line);
	if (!gmtime_r(&not_after, &tm) ||
	    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof(when), "?");
	put_field(out, "Not after:", when);
	put_times(out, &env->now);
	put_signature(out, env);
}

int alert_addr_spec(char *buf, size_t len, const char *addr)
{
	const char *lt = strrchr(addr, '<'), *start = addr, *end;
	size_t n;

	if (strpbrk(addr, "\r\n"))
		return -EINVAL; /* would end the SMTP command line */
	if (lt) {
		start = lt + 1;
		end = strchr(start, '>');
		if (!end)
			return -EINVAL;
	} else {
		while (*start == ' ' || *start == '\t')
			start++;
		end = start + strlen(start);
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
	}
	n = (size_t)(end - start);
	if (n == 0 || memchr(start, '>', n) || memchr(start, '<', n))
		return -EINVAL;
	if (n >= len)
		return -ENOSPC;
	memcpy(buf, start, n);
	buf[n] = '\0';
	return 0;
}

static int parse_port(const char *s, unsigned *port)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (*end || v == 0 || v > 65535)
		return -EINVAL;
	*port = (unsigned)v;
	return 0;
}

int alert_server_url(char *buf, size_t len, const char *server,
		     const char *ehlo)
{
	const char *scheme = "smtp", *rest = server, *slash, *colon;
	char host[256], helo[128];
	unsigned port;
	size_t hlen;
	bool v6 = false;
	int n;

	if (strncmp(server, "smtp://", 7) == 0) {
		rest = server + 7;
	} else if (strncmp(server, "smtps://", 8) == 0) {
		scheme = "smtps";
		rest = server + 8;
	} else if (strstr(server, "://")) {
		return -EINVAL;
	}
	port = strcmp(scheme, "smtps") == 0 ? 465 : 25;
	slash = strchr(rest, '/');
	hlen = slash ? (size_t)(slash - rest) : strlen(rest);
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, rest, hlen);
	host[hlen] = '\0';
	if (strpbrk(host, "@ \t\r\n?#"))
		return -EINVAL; /* no credentials or junk in the authority */
	if (host[0] == '[') {
		char *close = strchr(host, ']');

		if (!close || close == host + 1)
			return -EINVAL;
		if (close[1] == ':') {
			if (parse_port(close + 2, &port) < 0)
				return -EINVAL;
		} else if (close[1]) {
			return -EINVAL;
		}
		close[1] = '\0';
	} else if ((colon = strchr(host, ':')) && strchr(colon + 1, ':')) {
		v6 = true; /* a bare IPv6 address: no port possible */
	} else if (colon) {
		if (colon == host || parse_port(colon + 1, &port) < 0)
			return -EINVAL;
		host[colon - host] = '\0';
	}
	domain_copy(helo, sizeof(helo), nonempty(ehlo, "localhost"));
	if (slash && slash[1])
		n = snprintf(buf, len, "%s://%s%s%s:%u%s", scheme,
			     v6 ? "[" : "", host, v6 ? "]" : "", port, slash);
	else
		n = snprintf(buf, len, "%s://%s%s%s:%u/%s", scheme,
			     v6 ? "[" : "", host, v6 ? "]" : "", port, helo);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
