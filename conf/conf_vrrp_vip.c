/* virtual_ipaddress: "ADDR[/LEN] [dev IF] [label NAME]" entries, the
 * syntax vrrp_instance and anycast_instance share. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../common/parse.h"
#include "conf.h"
#include "conf_util.h"
#include "conf_vrrp_part.h"

/* "2001:db8::50/64": the prefix defaults to 128 */
static int parse_ipv6_prefix(const char *s, struct in6_addr *addr, int *prefix)
{
	char buf[INET6_ADDRSTRLEN + 4];
	char *slash, *end;
	long p = 128;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		p = strtol(slash + 1, &end, 10);
		if (*end || p < 0 || p > 128)
			return -1;
	}
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return -1;
	*prefix = (int)p;
	return 0;
}

static int parse_vip_addr(const char *tok, struct conf_vip *vip)
{
	vip->family = strchr(tok, ':') ? AF_INET6 : AF_INET;
	if (vip->family == AF_INET6)
		return parse_ipv6_prefix(tok, &vip->addr6, &vip->prefix);
	return parse_ipv4_prefix(tok, &vip->addr, &vip->prefix);
}

/* "198.18.0.50/24 dev eth0 label eth0:1" */
static void parse_vip(struct conf_ctx *ctx, const config_setting_t *at,
		      const char *text, struct conf_vip *vip)
{
	char *copy = strdup(text), *save = NULL, *tok;
	bool first = true;

	if (!copy)
		return;
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (first) {
			first = false;
			if (parse_vip_addr(tok, vip) < 0) {
				conf_error(ctx, at,
					   "virtual_ipaddress \"%s\": '%s' is "
					   "not an IPv%d address[/prefix]",
					   text, tok,
					   vip->family == AF_INET6 ? 6 : 4);
				break;
			}
			continue;
		}
		if (strcmp(tok, "dev") == 0 || strcmp(tok, "label") == 0) {
			char *val = strtok_r(NULL, " \t", &save);
			char *dst = tok[0] == 'd' ? vip->dev : vip->label;

			if (!val) {
				conf_error(ctx, at,
					   "virtual_ipaddress \"%s\": '%s' "
					   "needs a value",
					   text, tok);
				break;
			}
			if (!conf_copy_name(ctx, at, dst, IF_NAMESIZE, val,
					    "interface or label"))
				break;
			continue;
		}
		conf_error(ctx, at,
			   "virtual_ipaddress \"%s\": unknown word '%s' "
			   "(expected 'dev IF' or 'label NAME')",
			   text, tok);
		break;
	}
	if (first)
		conf_error(ctx, at, "virtual_ipaddress entry is empty");
	free(copy);
}

int conf_vip_parse(struct conf_ctx *ctx, const config_setting_t *at,
		   const char *text, struct conf_vip *vip)
{
	unsigned errors = ctx->diag->errors;

	parse_vip(ctx, at, text, vip);
	return conf_result(ctx, errors);
}

void conf_vips_parse(struct conf_ctx *ctx, const config_setting_t *in,
		     const char *kind, size_t max, conf_vip_check_fn *check,
		     struct conf_instance *out)
{
	config_setting_t *s =
	    config_setting_get_member(in, "virtual_ipaddress");
	char **list = NULL;
	size_t n = 0, i;

	if (!s) {
		conf_error(ctx, in, "%s %s: 'virtual_ipaddress' is required",
			   kind, out->name);
		return;
	}
	if (conf_get_str_list(ctx, in, "virtual_ipaddress", &list, &n) < 0)
		return;
	if (n == 0)
		conf_error(ctx, s, "%s %s: virtual_ipaddress is empty", kind,
			   out->name);
	if (max && n > max)
		conf_error(ctx, s, "at most %zu virtual addresses per instance",
			   max);
	out->vips = calloc(n + 1, sizeof(*out->vips));
	for (i = 0; out->vips && i < n; i++) {
		config_setting_t *e =
		    config_setting_is_aggregate(s)
			? config_setting_get_elem(s, (unsigned)i)
			: s;

		parse_vip(ctx, e, list[i], &out->vips[i]);
		out->n_vips++;
		if (check)
			check(ctx, e, list[i], out, &out->vips[i]);
	}
	conf_str_list_free(list, n);
}
