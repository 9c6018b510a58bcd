/* The HTML status page: plain markup and inline CSS, no script, no
 * external asset; tables turn into cards on a phone's narrow screen. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "statspage.h"

static const char css[] =
    "body{font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "margin:0;padding:12px;background:#f5f6f8;color:#1c1e21}"
    "h1{font-size:1.35em;margin:0 0 2px}"
    "h2{font-size:1.1em;margin:20px 0 4px}"
    ".sub,.kv{color:#555;font-size:.9em;margin:2px 0 8px}"
    "a{color:#0969da}"
    "table{border-collapse:collapse;width:100%;background:#fff;"
    "box-shadow:0 1px 2px rgba(0,0,0,.12)}"
    "th,td{padding:6px 8px;border-bottom:1px solid #e4e6eb;text-align:left;"
    "white-space:nowrap}"
    "th{background:#eceef2;font-weight:600;font-size:.85em}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".st{display:inline-block;padding:1px 9px;border-radius:10px;"
    "font-weight:700;font-size:.85em;color:#fff;background:#6e7781}"
    ".MASTER,.UP,.OPEN{background:#1a7f37}.BACKUP{background:#0969da}"
    ".FAULT,.DOWN,.CLOSED{background:#cf222e}"
    ".DRAIN,.MAINT,.PAUSED,.FULL,.INIT{background:#9a6700}"
    ".warn{background:#fff3cd;border:1px solid #e0c36a;padding:8px 10px;"
    "border-radius:6px;font-weight:600}"
    "@media (max-width:700px){thead{display:none}"
    "table,tbody,tr,td{display:block}table{background:none;box-shadow:none}"
    "tr{margin:0 0 10px;background:#fff;border-radius:8px;"
    "box-shadow:0 1px 2px rgba(0,0,0,.15)}"
    "td{display:flex;justify-content:space-between;gap:12px;"
    "white-space:normal;text-align:right}"
    "td.n{text-align:right}td:last-child{border-bottom:0}"
    "td::before{content:attr(data-l);font-weight:600;color:#555;"
    "text-align:left}}";

static void badge(struct sbuf *sb, const char *state)
{
	sbuf_puts(sb, "<span class=\"st ");
	statspage_html_esc(sb, state);
	sbuf_puts(sb, "\">");
	statspage_html_esc(sb, state);
	sbuf_puts(sb, "</span>");
}

/* <td data-l="label">text</td>, escaped. */
static void cell(struct sbuf *sb, const char *label, const char *text)
{
	sbuf_printf(sb, "<td data-l=\"%s\">", label);
	statspage_html_esc(sb, text);
	sbuf_puts(sb, "</td>");
}

static void num(struct sbuf *sb, const char *label, unsigned long long v)
{
	sbuf_printf(sb, "<td class=\"n\" data-l=\"%s\">%llu</td>", label, v);
}

static void row_inst(struct sbuf *sb, const struct snap_inst *in)
{
	unsigned long long dropped = 0;
	char prio[48];
	size_t i;

	sbuf_puts(sb, "<tr>");
	cell(sb, "Instance", in->name);
	sbuf_puts(sb, "<td data-l=\"State\">");
	badge(sb, in->state);
	sbuf_puts(sb, "</td>");
	if (!in->detail) {
		sbuf_puts(sb, "<td data-l=\"Priority\">?</td>"
			      "<td data-l=\"Master\">?</td>"
			      "<td data-l=\"Transitions\">?</td>"
			      "<td data-l=\"Dropped adverts\">?</td>"
			      "<td data-l=\"Last reason\"></td></tr>");
		return;
	}
	if (in->priority == in->effective_priority)
		snprintf(prio, sizeof(prio), "%ld", in->priority);
	else
		snprintf(prio, sizeof(prio), "%ld (%ld configured)",
			 in->effective_priority, in->priority);
	cell(sb, "Priority", prio);
	cell(sb, "Master", *in->master_ip ? in->master_ip : "unknown");
	num(sb, "Transitions", in->transitions);
	for (i = 0; i < in->n_drops; i++)
		dropped += in->drops[i].n;
	sbuf_puts(sb, "<td class=\"n\" data-l=\"Dropped adverts\" title=\"");
	for (i = 0; i < in->n_drops; i++)
		if (in->drops[i].n) {
			statspage_html_esc(sb, in->drops[i].reason);
			sbuf_printf(sb, ": %llu ",
				    (unsigned long long)in->drops[i].n);
		}
	sbuf_printf(sb, "\">%llu</td>", dropped);
	cell(sb, "Last reason", in->last_reason);
	sbuf_puts(sb, "</tr>");
}

static void section_vrrp(struct sbuf *sb, const struct snap_vrrpd *v)
{
	size_t i;

	sbuf_puts(sb, "<section><h2>VRRP</h2>");
	if (!v->enabled) {
		sbuf_puts(sb, "<p class=\"warn\">vrrpd: no link configured "
			      "(forwarder.vrrpd_socket is \"\")</p>");
		goto out;
	}
	if (!v->connected) {
		sbuf_puts(sb, "<p class=\"warn\">vrrpd: not connected</p>");
		goto out;
	}
	if (!v->n_inst) {
		sbuf_puts(sb, "<p class=\"kv\">vrrpd: connected, no "
			      "instance reported yet</p>");
		goto out;
	}
	sbuf_puts(sb, "<table><thead><tr><th>Instance</th><th>State</th>"
		      "<th>Priority</th><th>Master</th><th>Transitions</th>"
		      "<th>Dropped adverts</th><th>Last reason</th></tr>"
		      "</thead><tbody>");
	for (i = 0; i < v->n_inst; i++)
		row_inst(sb, &v->inst[i]);
	sbuf_puts(sb, "</tbody></table>");
out:
	sbuf_puts(sb, "</section>");
}

/* "UP, check ok", "DOWN, check L7STS status 404 Not Found"; with a
 * TLS check's certificate, ", cert 3 days left" (issue #14). */
static void health_text(const struct snap_server *s, char *out, size_t size)
{
	int n = snprintf(out, size, "%s", s->health);

	if (strcmp(s->check, "none") != 0 && n >= 0 && (size_t)n < size)
		n += snprintf(
		    out + n, size - (size_t)n, ", check %s%s%s",
		    s->check_status && strcmp(s->check, "ok") != 0
			? s->check_status
			: "",
		    s->check_status && strcmp(s->check, "ok") != 0 ? " " : "",
		    s->check);
	if (s->has_cert && n >= 0 && (size_t)n < size)
		snprintf(out + n, size - (size_t)n,
			 s->cert_days_left < 0 ? ", cert EXPIRED"
					       : ", cert %lld days left",
			 (long long)s->cert_days_left);
}

static void row_server(struct sbuf *sb, const struct snap_server *s)
{
	char buf[64], when[64], ago[32], health[256];
	struct tm tm;
	time_t t = (time_t)s->last_change_wall;

	sbuf_puts(sb, "<tr>");
	cell(sb, "Server", s->name);
	cell(sb, "Address", s->address);
	sbuf_puts(sb, "<td data-l=\"State\">");
	badge(sb, s->state);
	sbuf_puts(sb, "</td>");
	health_text(s, health, sizeof(health));
	cell(sb, "Health", health);
	num(sb, "Current", s->cur);
	num(sb, "Total", s->total);
	sbuf_printf(sb, "<td class=\"n\" data-l=\"Bytes in\">%s</td>",
		    statspage_bytes(s->bytes_in, buf, sizeof(buf)));
	sbuf_printf(sb, "<td class=\"n\" data-l=\"Bytes out\">%s</td>",
		    statspage_bytes(s->bytes_out, buf, sizeof(buf)));
	if (!gmtime_r(&t, &tm) ||
	    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof(when), "?");
	sbuf_printf(sb, "<td data-l=\"Last change\" title=\"%s\">%s ago</td>",
		    when,
		    statspage_ago(s->last_change_ago_ms, ago, sizeof(ago)));
}

/* stats.admin: one form per server, its buttons POST to BASE"admin". */
static void admin_cell(struct sbuf *sb, const char *base, const char *token,
		       const char *listen, const struct snap_server *s)
{
	static const char *const actions[] = {"enable", "disable", "drain"};
	size_t i;

	sbuf_puts(sb, "<td data-l=\"Admin\"><form method=\"post\" "
		      "action=\"");
	statspage_html_esc(sb, base);
	sbuf_puts(sb, "admin\"><input type=\"hidden\" name=\"token\" "
		      "value=\"");
	statspage_html_esc(sb, token);
	sbuf_puts(sb, "\"><input type=\"hidden\" name=\"listen\" value=\"");
	statspage_html_esc(sb, listen);
	sbuf_puts(sb, "\"><input type=\"hidden\" name=\"server\" value=\"");
	statspage_html_esc(sb, s->name);
	sbuf_puts(sb, "\">");
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		sbuf_printf(sb,
			    "<button name=\"action\" value=\"%s\" "
			    "class=\"adm\">%s</button>",
			    actions[i], actions[i]);
	sbuf_puts(sb, "</form></td>");
}

static void section_listen(struct sbuf *sb, const struct snap_listen *l,
			   const char *base, const char *token)
{
	char in[32], out[32];
	size_t i;

	sbuf_puts(sb, "<section><h2>listen ");
	statspage_html_esc(sb, l->name);
	sbuf_puts(sb, " ");
	badge(sb, l->state);
	sbuf_puts(sb, "</h2><p class=\"kv\">");
	for (i = 0; i < l->n_binds; i++) {
		sbuf_puts(sb, i ? ", " : "");
		statspage_html_esc(sb, l->binds[i]);
		if (l->bind_total && l->n_binds > 1)
			sbuf_printf(sb, " (%llu)",
				    (unsigned long long)l->bind_total[i]);
	}
	sbuf_printf(sb,
		    " &middot; %s &middot; %u/%ld connections &middot; "
		    "%llu total &middot; in %s &middot; out %s &middot; "
		    "%llu without server</p>",
		    l->balance, l->cur, l->maxconn,
		    (unsigned long long)l->total,
		    statspage_bytes(l->bytes_in, in, sizeof(in)),
		    statspage_bytes(l->bytes_out, out, sizeof(out)),
		    (unsigned long long)l->no_server);
	sbuf_puts(sb, "<table><thead><tr><th>Server</th><th>Address</th>"
		      "<th>State</th><th>Health</th><th>Current</th>"
		      "<th>Total</th><th>Bytes in</th><th>Bytes out</th>"
		      "<th>Last change</th>");
	sbuf_puts(sb, token ? "<th>Admin</th></tr></thead><tbody>"
			    : "</tr></thead><tbody>");
	for (i = 0; i < l->n_servers; i++) {
		row_server(sb, &l->servers[i]);
		if (token)
			admin_cell(sb, base, token, l->name, &l->servers[i]);
		sbuf_puts(sb, "</tr>");
	}
	sbuf_puts(sb, "</tbody></table></section>");
}

void statspage_html(const struct stats_snap *s, const char *base,
		    int64_t refresh_ms, struct sbuf *sb)
{
	const char *node = s->vrrpd.router_id ? s->vrrpd.router_id : s->node;
	char when[64];
	time_t t = (time_t)s->now_wall;
	struct tm tm;
	size_t i;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof(when), "?");
	sbuf_printf(sb,
		    "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		    "<meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width, "
		    "initial-scale=1\">"
		    "<meta http-equiv=\"refresh\" content=\"%lld\">"
		    "<title>fwd on ",
		    (long long)(refresh_ms + 999) / 1000);
	statspage_html_esc(sb, node);
	sbuf_printf(sb,
		    "</title><style>%s</style></head><body><header>"
		    "<h1>fwd on ",
		    css);
	statspage_html_esc(sb, node);
	sbuf_printf(sb,
		    "</h1><p class=\"sub\">%s &middot; %u/%ld connections "
		    "&middot; refreshes every %llds &middot; <a href=\"",
		    when, s->cur, s->maxconn,
		    (long long)(refresh_ms + 999) / 1000);
	statspage_html_esc(sb, base);
	sbuf_puts(sb, "stats.json\">JSON</a> &middot; <a href=\"");
	statspage_html_esc(sb, base);
	sbuf_puts(sb, "metrics\">metrics</a></p></header>");
	if (s->stopping)
		sbuf_puts(sb, "<p class=\"warn\">fwd is stopping</p>");
	section_vrrp(sb, &s->vrrpd);
	for (i = 0; i < s->n_listens; i++)
		section_listen(sb, &s->listens[i], base, s->admin_token);
	sbuf_puts(sb, "</body></html>\n");
}
