/* The fwd <-> vrrpd link protocol: encoders and parsers (pure). */
#include "fwdproto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

enum fwdproto_line fwdproto_classify(const char *line)
{
	/* the forwarder's lines keep their spaces: parsed whole */
	if (strncmp(line, "hello ", 6) == 0)
		return FWDPROTO_HELLO;
	if (strncmp(line, "health ", 7) == 0)
		return FWDPROTO_HEALTH;
	if (strncmp(line, "heartbeat", 9) == 0 &&
	    line[9 + strspn(line + 9, " \t\r")] == '\0')
		return FWDPROTO_HEARTBEAT;
	return FWDPROTO_NONE;
}

void fwdproto_put_hello(struct sbuf *sb, int version)
{
	sbuf_printf(sb, "hello fwd %d\n", version);
}

void fwdproto_put_health(struct sbuf *sb, const char *listener, unsigned up,
			 unsigned total, const struct sockaddr *const *binds,
			 size_t n_binds)
{
	size_t i, j, sent = 0;

	sbuf_printf(sb, "health %s %u %u ", listener, up, total);
	for (i = 0; i < n_binds; i++) {
		char addr[80];

		/* vrrpd matches addresses, not ports: a port range's
		 * sockets (up to 1024) go out as one address */
		for (j = 0; j < i; j++)
			if (sockaddr_equal(binds[i], binds[j], true))
				break;
		if (j < i || sent == FWDPROTO_MAX_BINDS)
			continue;
		sbuf_printf(sb, "%s%s", sent++ ? "," : "",
			    sockaddr_str(binds[i], addr, sizeof(addr)));
	}
	sbuf_puts(sb, "\n");
}

void fwdproto_put_heartbeat(struct sbuf *sb)
{
	sbuf_puts(sb, "heartbeat\n");
}

int fwdproto_parse_hello(const char *line, int *version)
{
	char *end;
	unsigned long v;

	/* not sscanf's %d: it overflows silently ("4294967297" gave 1) */
	if (strncmp(line, "hello fwd ", 10) != 0 || line[10] < '0' ||
	    line[10] > '9')
		return -EINVAL;
	v = strtoul(line + 10, &end, 10);
	end += strspn(end, " \t\r");
	if (*end || v < 1 || v > 1000000)
		return -EINVAL;
	*version = (int)v;
	return 0;
}

static int parse_uint(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (*end || v > 1000000)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

int fwdproto_parse_health(const char *line, struct fwd_health *out, char *why,
			  size_t why_len)
{
	char buf[1024], *save = NULL, *w[6], *bind, *bsave = NULL;
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (strlen(line) >= sizeof(buf)) {
		snprintf(why, why_len, "health line too long");
		return -EINVAL;
	}
	strcpy(buf, line);
	for (char *t = strtok_r(buf, " ", &save); t && n < 6;
	     t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	if (n != 5 || strcmp(w[0], "health") != 0) {
		snprintf(why, why_len,
			 "expected: health LISTENER UP TOTAL BIND[,BIND...]");
		return -EINVAL;
	}
	if (strlen(w[1]) >= sizeof(out->listener)) {
		snprintf(why, why_len, "listener name too long");
		return -EINVAL;
	}
	strcpy(out->listener, w[1]);
	if (parse_uint(w[2], &out->up) < 0 ||
	    parse_uint(w[3], &out->total) < 0 || out->up > out->total) {
		snprintf(why, why_len,
			 "UP and TOTAL must be numbers, UP <= TOTAL");
		return -EINVAL;
	}
	for (bind = strtok_r(w[4], ",", &bsave); bind;
	     bind = strtok_r(NULL, ",", &bsave)) {
		struct sockaddr_storage ss;
		socklen_t len;

		if (parse_sockaddr(bind, &ss, &len, false) < 0) {
			snprintf(why, why_len, "bind '%s' is not ADDRESS:PORT",
				 bind);
			return -EINVAL;
		}
		if (out->n_binds == FWDPROTO_MAX_BINDS ||
		    out->n_binds6 == FWDPROTO_MAX_BINDS) {
			snprintf(why, why_len, "more than %d binds",
				 FWDPROTO_MAX_BINDS);
			return -EINVAL;
		}
		/* the addresses count, not the ports: each one once */
		if (ss.ss_family == AF_INET6) {
			const struct in6_addr *a =
			    &((struct sockaddr_in6 *)&ss)->sin6_addr;
			size_t k;

			for (k = 0; k < out->n_binds6; k++)
				if (IN6_ARE_ADDR_EQUAL(&out->binds6[k], a))
					break;
			if (k == out->n_binds6)
				out->binds6[out->n_binds6++] = *a;
		} else {
			struct in_addr a =
			    ((struct sockaddr_in *)&ss)->sin_addr;
			size_t k;

			for (k = 0; k < out->n_binds; k++)
				if (out->binds[k].s_addr == a.s_addr)
					break;
			if (k == out->n_binds)
				out->binds[out->n_binds++] = a;
		}
	}
	return 0;
}

void fwdproto_put_hello_ok(struct sbuf *sb, int version)
{
	sbuf_printf(sb, "{\"ok\":true,\"proto\":%d}\n", version);
}

void fwdproto_put_state(struct sbuf *sb, const char *instance,
			const char *state, unsigned priority,
			const char *reason)
{
	sbuf_puts(sb, "{\"event\":\"state\",\"instance\":");
	sbuf_json_str(sb, instance);
	sbuf_puts(sb, ",\"state\":");
	sbuf_json_str(sb, state);
	sbuf_printf(sb, ",\"priority\":%u,\"reason\":", priority);
	sbuf_json_str(sb, reason);
	sbuf_puts(sb, "}\n");
}

int fwdproto_parse_state(const struct json *j, struct fwd_state_event *out)
{
	const char *ev = json_str(j, "event", NULL);
	double prio = json_num(j, "priority", 0);

	memset(out, 0, sizeof(*out));
	if (!ev || strcmp(ev, "state") != 0)
		return -EINVAL;
	snprintf(out->instance, sizeof(out->instance), "%s",
		 json_str(j, "instance", "?"));
	snprintf(out->state, sizeof(out->state), "%s",
		 json_str(j, "state", "?"));
	out->priority = prio > 0 && prio <= 255 ? (unsigned)prio : 0;
	snprintf(out->reason, sizeof(out->reason), "%s",
		 json_str(j, "reason", ""));
	return 0;
}

int fwdproto_negotiate(int offered)
{
	if (offered < FWDPROTO_VERSION_MIN || offered > FWDPROTO_VERSION)
		return -EPROTONOSUPPORT;
	return offered;
}

int fwdproto_hello_reply(const struct json *reply, int sent, int *agreed)
{
	const struct json *ok = json_get(reply, "ok");
	double proto;

	if (ok && ok->type == JSON_BOOL && ok->num) {
		/* a version 1 vrrpd always says 1; trust no higher than sent */
		proto = json_num(reply, "proto", sent);
		*agreed = proto >= FWDPROTO_VERSION_MIN && proto <= sent
			      ? (int)proto
			      : sent;
		return 0;
	}
	/* version 1 vrrpds refuse any other hello: say the older one */
	if (sent > FWDPROTO_VERSION_MIN) {
		*agreed = sent - 1;
		return 1;
	}
	return -EPROTO;
}

bool fwdproto_bind_serves(struct in_addr bind, struct in_addr vip)
{
	return bind.s_addr == vip.s_addr || bind.s_addr == htonl(INADDR_ANY);
}

bool fwdproto_bind6_serves(const struct in6_addr *bind,
			   const struct in6_addr *vip)
{
	return IN6_ARE_ADDR_EQUAL(bind, vip) || IN6_IS_ADDR_UNSPECIFIED(bind);
}
