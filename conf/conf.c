#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_anycast.h"
#include "conf_fwd.h"
#include "conf_hint.h"
#include "conf_sniff.h"
#include "conf_util.h"
#include "conf_vrrp.h"

#define CONF_HINT_MAX (1024 * 1024) /* a config file is much smaller */

void conf_diag_init(struct conf_diag *d)
{
	memset(d, 0, sizeof(*d));
	sbuf_init(&d->text);
}

void conf_diag_free(struct conf_diag *d)
{
	sbuf_free(&d->text);
}

/* The first secret the file holds (RFC 3768 auth_pass, SMTP password,
 * stats page credentials), or NULL. */
static config_setting_t *first_secret(const config_t *cfg)
{
	config_setting_t *at = config_lookup(cfg, "global_defs.smtp_password");
	config_setting_t *insts = config_lookup(cfg, "vrrp_instance");
	int i;

	if (!at)
		at = config_lookup(cfg, "forwarder.stats.auth");
	for (i = 0; !at && insts && i < config_setting_length(insts); i++)
		at = config_setting_lookup(config_setting_get_elem(insts, i),
					   "authentication.auth_pass");
	return at;
}

/* A warning, not an error: the daemons still start. */
static void warn_readable_secrets(struct conf_ctx *ctx, const config_t *cfg,
				  const char *path)
{
	config_setting_t *at;
	struct stat st;

	if (stat(path, &st) < 0 || !(st.st_mode & S_IROTH))
		return;
	at = first_secret(cfg);
	if (at)
		conf_warning(ctx, at,
			     "%s holds a secret (%s) and every user can read "
			     "it; run chmod 600 %s",
			     path, config_setting_name(at), path);
}

/* The whole file for conf_syntax_hint(); NULL if unreadable or big. */
static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t n = 0;

	if (!f)
		return NULL;
	text = malloc(CONF_HINT_MAX + 1);
	if (text)
		n = fread(text, 1, CONF_HINT_MAX, f);
	if (text && (n == CONF_HINT_MAX || ferror(f))) {
		free(text);
		text = NULL;
	}
	if (text)
		text[n] = '\0';
	fclose(f);
	return text;
}

/* libconfig's bare "syntax error", with the likely cause when known. */
static void report_parse_error(const config_t *cfg, const char *path,
			       struct conf_diag *diag)
{
	const char *file =
	    config_error_file(cfg) ? config_error_file(cfg) : path;
	int line = config_error_line(cfg);
	char hint[256], *text = read_text(file);

	if (text && conf_syntax_hint(text, line, hint, sizeof(hint)))
		sbuf_printf(&diag->text, "%s:%d: %s: %s\n", file, line,
			    config_error_text(cfg), hint);
	else
		sbuf_printf(&diag->text, "%s:%d: %s\n", file, line,
			    config_error_text(cfg));
	free(text);
}

/*
 * fwd links to vrrpd's socket as root, then drops to forwarder.user; after
 * a vrrpd restart it must reconnect as that user, which a 0600 socket or
 * another group refuses (EACCES), and the node stays demoted.
 */
static void check_fwd_relink(struct conf_ctx *ctx, const config_setting_t *fwd,
			     const struct conf *c)
{
	const struct conf_fwd *f = c->fwd;
	const struct conf_global *g = &c->global;
	const config_setting_t *at = config_setting_get_member(fwd, "user");
	const struct group *gr;
	char gname[64];

	/* an explicit vrrpd_socket may be another file's; not ours to judge */
	if (!f || !f->user || f->vrrpd_socket || f->uid == (uid_t)-1 ||
	    f->uid == 0)
		return;
	if (g->control_socket_group && g->control_socket_gid == f->gid)
		return;
	gr = getgrgid(f->gid);
	if (gr)
		snprintf(gname, sizeof(gname), "%s", gr->gr_name);
	else
		snprintf(gname, sizeof(gname), "%u", (unsigned)f->gid);
	if (!g->control_socket_group)
		conf_warning(ctx, at,
			     "fwd runs as user '%s' and cannot reconnect to "
			     "vrrpd's control socket %s (mode 0600, root's) "
			     "after vrrpd restarts; set global_defs."
			     "control_socket_group = \"%s\"; (fwd's group)",
			     f->user, g->control_socket, gname);
	else
		conf_warning(ctx, at,
			     "fwd runs as user '%s', group '%s', and cannot "
			     "reconnect to vrrpd's control socket %s (group "
			     "'%s') after vrrpd restarts; make global_defs."
			     "control_socket_group fwd's group \"%s\"",
			     f->user, gname, g->control_socket,
			     g->control_socket_group, gname);
}

/*
 * Opens the file for libconfig without ever blocking: O_NONBLOCK so a
 * FIFO (or a device) put in its place cannot hang open(), then only a
 * regular file of at most CONF_MAX_BYTES is read. NULL with the reason in
 * diag.
 */
static FILE *conf_open(const char *path, struct conf_diag *diag)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	FILE *fp;

	if (fd < 0) {
		sbuf_printf(&diag->text, "%s:0: cannot read file: %s\n", path,
			    strerror(errno));
		diag->errors++;
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		st.st_mode = 0;
	if (!S_ISREG(st.st_mode)) {
		sbuf_printf(&diag->text,
			    "%s:0: not a regular file (%s); refusing to read "
			    "it\n",
			    path,
			    S_ISFIFO(st.st_mode)  ? "a FIFO"
			    : S_ISDIR(st.st_mode) ? "a directory"
			    : st.st_mode	  ? "a device or socket"
						  : "fstat failed");
		diag->errors++;
		close(fd);
		return NULL;
	}
	if (st.st_size > CONF_MAX_BYTES) {
		sbuf_printf(&diag->text,
			    "%s:0: %lld bytes; a configuration may have at "
			    "most %d (4 MiB)\n",
			    path, (long long)st.st_size, CONF_MAX_BYTES);
		diag->errors++;
		close(fd);
		return NULL;
	}
	fp = fdopen(fd, "r");
	if (!fp) {
		sbuf_printf(&diag->text, "%s:0: cannot read file: %s\n", path,
			    strerror(errno));
		diag->errors++;
		close(fd);
	}
	return fp;
}

static const char *const top_keys[] = {"global_defs",	"vrrp_script",
				       "vrrp_instance", "anycast_instance",
				       "forwarder",	NULL};

int conf_load(const char *path, unsigned sections, struct conf **out,
	      struct conf_diag *diag)
{
	struct conf_ctx ctx = {.file = path, .diag = diag};
	unsigned errors_before = diag->errors;
	config_setting_t *root, *fwd;
	struct conf *c;
	config_t cfg;
	FILE *fp;
	int ok;

	*out = NULL;
	fp = conf_open(path, diag);
	if (!fp)
		return -1;
	config_init(&cfg);
	ok = config_read(&cfg, fp);
	fclose(fp);
	if (!ok) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			sbuf_printf(&diag->text, "%s:0: cannot read file\n",
				    path);
		else
			report_parse_error(&cfg, path, diag);
		/* a keepalived.conf or haproxy.cfg: name the converter */
		conf_sniff_hint(path, &diag->text);
		diag->errors++;
		config_destroy(&cfg);
		return -1;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->file = strdup(path))) {
		free(c);
		config_destroy(&cfg);
		diag->errors++;
		return -1;
	}
	root = config_root_setting(&cfg);
	conf_check_keys(&ctx, root, top_keys);
	/* every section is parsed, so one run reports all their problems;
	 * the diag's error count decides below */
	(void)conf_vrrp_parse(&ctx, root, c, (sections & CONF_VRRP) != 0);
	if (sections & CONF_VRRP)
		(void)conf_anycast_parse(&ctx, root, c);
	fwd = config_setting_get_member(root, "forwarder");
	if (fwd && (sections & CONF_FWD) &&
	    conf_fwd_parse(&ctx, fwd, &c->fwd) == 0)
		check_fwd_relink(&ctx, fwd, c);
	warn_readable_secrets(&ctx, &cfg, path);
	config_destroy(&cfg);
	if (diag->errors != errors_before) {
		conf_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

const struct conf_script *conf_script_find(const struct conf *c,
					   const char *name)
{
	size_t i;

	for (i = 0; i < c->n_scripts; i++)
		if (strcmp(c->scripts[i].name, name) == 0)
			return &c->scripts[i];
	return NULL;
}

static void global_free(struct conf_global *g)
{
	free(g->router_id);
	conf_str_list_free(g->emails, g->n_emails);
	free(g->email_from);
	free(g->smtp_server);
	free(g->smtp_user);
	free(g->smtp_password);
	free(g->smtp_ca_file);
	free(g->control_socket);
	free(g->control_socket_group);
	free(g->script_user);
}

static void instance_free(struct conf_instance *in)
{
	free(in->vips);
	free(in->peers);
	free(in->peers6);
	free(in->track_scripts);
	free(in->track_ifs);
	free(in->notify_master);
	free(in->notify_backup);
	free(in->notify_fault);
	free(in->notify_stop);
	free(in->notify);
}

void conf_free(struct conf *c)
{
	size_t i;

	if (!c)
		return;
	global_free(&c->global);
	for (i = 0; i < c->n_scripts; i++) {
		free(c->scripts[i].script);
		free(c->scripts[i].user);
	}
	free(c->scripts);
	for (i = 0; i < c->n_instances; i++)
		instance_free(&c->instances[i]);
	free(c->instances);
	for (i = 0; i < c->n_anycast; i++) {
		instance_free(&c->anycast[i].base);
		conf_anycast_free(&c->anycast[i]);
	}
	free(c->anycast);
	conf_fwd_free(c->fwd);
	free(c->file);
	free(c);
}
