/*
 * libFuzzer target: the configuration loader (conf/), libconfig text to
 * validated structs for both daemons, as `vrrpd -t` and `fwd -t` run it.
 *
 * The input is the file's text. conf_load takes a path, so the text goes
 * into a memfd that is loaded as /proc/self/fd/N: the loader runs as in
 * the daemons, file reading included.
 * Besides the sanitizers (and LeakSanitizer on every error path):
 * failure leaves nothing loaded and says why in FILE:LINE: lines;
 * success gives values inside the documented ranges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"
#include "conf_fwd.h"

#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_conf: %s:%d: %s\n", __FILE__,    \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

static int fd = -1;
static char path[64];

static bool valid_family(const struct sockaddr_storage *ss, socklen_t len)
{
	return (ss->ss_family == AF_INET &&
		len == sizeof(struct sockaddr_in)) ||
	       (ss->ss_family == AF_INET6 &&
		len == sizeof(struct sockaddr_in6));
}

static void check_vrrp(const struct conf *c)
{
	size_t i, j;

	for (i = 0; i < c->n_scripts; i++) {
		const struct conf_script *s = &c->scripts[i];

		REQUIRE(s->name[0] && s->script);
		REQUIRE(s->weight >= -253 && s->weight <= 253);
	}
	for (i = 0; i < c->n_instances; i++) {
		const struct conf_instance *in = &c->instances[i];

		REQUIRE(in->name[0] && in->interface[0]);
		REQUIRE(memchr(in->name, '\0', sizeof(in->name)));
		REQUIRE(in->vrid >= 1 && in->priority >= 1 &&
			(in->version == 3 || in->advert_int >= 1));
		REQUIRE(in->advert_cs >= 1 && in->advert_cs <= 4095);
		REQUIRE(in->n_vips >= 1 && in->n_vips <= 255 && in->vips);
		for (j = 0; j < in->n_vips; j++)
			REQUIRE(in->vips[j].prefix >= 0 &&
				in->vips[j].prefix <= 32);
		REQUIRE(in->preempt_delay_ms >= 0 &&
			in->garp_master_delay_ms >= 0);
		REQUIRE(in->garp_master_repeat >= 1);
		for (j = 0; j < in->n_track_scripts; j++)
			REQUIRE(conf_script_find(c, in->track_scripts[j].name));
		for (j = 0; j < i; j++)
			REQUIRE(c->instances[j].vrid != in->vrid ||
				strcmp(c->instances[j].interface,
				       in->interface) != 0);
	}
}

static void check_fwd(const struct conf_fwd *f)
{
	size_t i, j, k;

	REQUIRE(f->maxconn >= 1);
	REQUIRE(f->timeout_connect_ms >= 1 && f->timeout_client_ms >= 1 &&
		f->timeout_server_ms >= 1);
	REQUIRE(f->timeout_check_ms == -1 || f->timeout_check_ms >= 1);
	for (i = 0; i < f->n_listens; i++) {
		const struct conf_fwd_listen *l = &f->listens[i];

		REQUIRE(l->name[0]);
		REQUIRE(l->n_binds >= 1);
		REQUIRE((unsigned)l->balance <= CONF_BALANCE_SOURCE);
		REQUIRE(l->retries >= 0 && l->maxconn >= 1);
		REQUIRE(!l->stick ||
			(l->stick_size >= 1 && l->stick_expire_ms >= 1000));
		for (j = 0; j < l->n_binds; j++)
			REQUIRE(valid_family(&l->binds[j].addr,
					     l->binds[j].addrlen));
		for (j = 0; j < l->n_servers; j++) {
			const struct conf_fwd_server *s = &l->servers[j];

			REQUIRE(s->name[0]);
			REQUIRE(s->weight >= 0 && s->weight <= 256);
			REQUIRE(valid_family(&s->addr, s->addrlen));
			REQUIRE(!s->check.enabled ||
				(s->check.rise >= 1 && s->check.fall >= 1 &&
				 s->check.inter_ms >= 100));
			for (k = 0; k < j; k++)
				REQUIRE(strcmp(l->servers[k].name, s->name));
		}
	}
}

/* Every problem is one "FILE:LINE: message" line (or the one line
 * "FILE: this looks like a ..." of conf_sniff_hint). */
static void check_diag(const struct conf_diag *d)
{
	const char *p = d->text.len ? d->text.buf : "";
	const char *end = p + d->text.len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *colon;

		colon = nl ? memchr(p, ':', (size_t)(nl - p)) : NULL;
		/* a foreign file's hint names the converter, no line */
		if (colon && strncmp(colon, ": this looks like a ", 20) == 0) {
			p = nl + 1;
			continue;
		}
		if (!colon || colon == p || colon[1] < '0' || colon[1] > '9')
			fprintf(stderr, "diagnostics:\n%.*s\n",
				(int)d->text.len, d->text.buf);
		REQUIRE(nl);
		REQUIRE(colon && colon > p);
		REQUIRE(colon[1] >= '0' && colon[1] <= '9');
		p = nl + 1;
	}
}

static void load(unsigned sections)
{
	struct conf_diag diag;
	struct conf *c = (struct conf *)1;
	int rc;

	conf_diag_init(&diag);
	rc = conf_load(path, sections, &c, &diag);
	check_diag(&diag);
	if (rc < 0) {
		REQUIRE(c == NULL && diag.errors > 0 && diag.text.len > 0);
	} else {
		REQUIRE(rc == 0 && c && diag.errors == 0);
		if (sections & CONF_VRRP)
			check_vrrp(c);
		if (c->fwd) {
			REQUIRE(sections & CONF_FWD);
			check_fwd(c->fwd);
		}
		conf_free(c);
	}
	conf_diag_free(&diag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	if (fd < 0) {
		fd = memfd_create("fuzz_conf", 0);
		REQUIRE(fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	REQUIRE(ftruncate(fd, 0) == 0);
	REQUIRE(pwrite(fd, data, size, 0) == (ssize_t)size);
	load(CONF_ALL);
	/* each daemon alone, as vrrpd and fwd load the same file */
	load(CONF_VRRP);
	load(CONF_FWD);
	return 0;
}
