#include "conf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf_fwd.h"
#include "conf_sniff.h"
#include "conf_util.h"
#include "conf_vrrp.h"

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
			     "it; run chmod 640 %s",
			     path, config_setting_name(at), path);
}

static const char *const top_keys[] = {"global_defs", "vrrp_script",
				       "vrrp_instance", "forwarder", NULL};

int conf_load(const char *path, unsigned sections, struct conf **out,
	      struct conf_diag *diag)
{
	struct conf_ctx ctx = {.file = path, .diag = diag};
	unsigned errors_before = diag->errors;
	config_setting_t *root, *fwd;
	struct conf *c;
	config_t cfg;

	*out = NULL;
	config_init(&cfg);
	if (!config_read_file(&cfg, path)) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			sbuf_printf(&diag->text, "%s:0: cannot read file\n",
				    path);
		else
			sbuf_printf(
			    &diag->text, "%s:%d: %s\n",
			    config_error_file(&cfg) ? config_error_file(&cfg)
						    : path,
			    config_error_line(&cfg), config_error_text(&cfg));
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
	conf_vrrp_parse(&ctx, root, c, (sections & CONF_VRRP) != 0);
	fwd = config_setting_get_member(root, "forwarder");
	if (fwd && (sections & CONF_FWD))
		conf_fwd_parse(&ctx, fwd, &c->fwd);
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
	free(g->control_socket);
	free(g->control_socket_group);
	free(g->script_user);
}

static void instance_free(struct conf_instance *in)
{
	free(in->vips);
	free(in->peers);
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
	conf_fwd_free(c->fwd);
	free(c->file);
	free(c);
}
