#include "statspage.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define ULL(x) ((unsigned long long)(x))

/* ---- JSON: the control socket's `stats` and /stats.json ---------------- */

/* issue #14: the check's type, HAProxy status, duration, certificate. */
static void json_check_app(struct sbuf *sb, const struct snap_server *s)
{
	if (s->check_type)
		sbuf_printf(sb, ",\"type\":\"%s\"", s->check_type);
	if (s->check_status)
		sbuf_printf(sb, ",\"status\":\"%s\",\"duration_ms\":%lld",
			    s->check_status, (long long)s->check_duration_ms);
	if (s->has_cert)
		sbuf_printf(sb, ",\"cert_days_left\":%lld",
			    (long long)s->cert_days_left);
}

static void json_server(struct sbuf *sb, const struct snap_server *s)
{
	sbuf_puts(sb, "{\"name\":");
	sbuf_json_str(sb, s->name);
	sbuf_puts(sb, ",\"address\":");
	sbuf_json_str(sb, s->address);
	sbuf_printf(sb,
		    ",\"state\":\"%s\",\"health\":\"%s\",\"admin\":\"%s\","
		    "\"weight\":%d,\"backup\":%s,\"cur\":%u,\"total\":%llu,"
		    "\"bytes_in\":%llu,\"bytes_out\":%llu,"
		    "\"connect_fail\":%llu,",
		    s->state, s->health, s->admin, s->weight,
		    s->backup ? "true" : "false", s->cur, ULL(s->total),
		    ULL(s->bytes_in), ULL(s->bytes_out), ULL(s->connect_fail));
	sbuf_puts(sb, "\"check\":{\"last\":");
	sbuf_json_str(sb, s->check);
	sbuf_printf(sb, ",\"ago_ms\":%lld,\"ok\":%llu,\"fail\":%llu",
		    (long long)s->check_ago_ms, ULL(s->checks_ok),
		    ULL(s->checks_fail));
	json_check_app(sb, s);
	sbuf_printf(sb, "},\"last_change\":%lld,\"last_change_ago_ms\":%lld}",
		    (long long)s->last_change_wall,
		    (long long)s->last_change_ago_ms);
}

static void json_listen(struct sbuf *sb, const struct snap_listen *l)
{
	size_t i;

	sbuf_puts(sb, "{\"name\":");
	sbuf_json_str(sb, l->name);
	sbuf_puts(sb, ",\"binds\":[");
	for (i = 0; i < l->n_binds; i++) {
		if (i)
			sbuf_puts(sb, ",");
		sbuf_json_str(sb, l->binds[i]);
	}
	sbuf_puts(sb, "],\"bind_sessions\":[");
	for (i = 0; l->bind_total && i < l->n_binds; i++)
		sbuf_printf(sb, "%s%llu", i ? "," : "", ULL(l->bind_total[i]));
	sbuf_printf(sb,
		    "],\"state\":\"%s\",\"balance\":\"%s\",\"cur\":%u,"
		    "\"maxconn\":%ld,\"total\":%llu,\"bytes_in\":%llu,"
		    "\"bytes_out\":%llu,\"no_server\":%llu,"
		    "\"first_speaker\":\"%s\",\"stick_entries\":%zu,"
		    "\"ends\":{",
		    l->state, l->balance, l->cur, l->maxconn, ULL(l->total),
		    ULL(l->bytes_in), ULL(l->bytes_out), ULL(l->no_server),
		    l->first_speaker ? l->first_speaker : "client",
		    l->stick_entries);
	for (i = 0; i < SESS_END_COUNT; i++)
		sbuf_printf(sb, "%s\"%s\":%llu", i ? "," : "",
			    sess_end_str((enum sess_end)i), ULL(l->ends[i]));
	sbuf_puts(sb, "},\"servers\":[");
	for (i = 0; i < l->n_servers; i++) {
		if (i)
			sbuf_puts(sb, ",");
		json_server(sb, &l->servers[i]);
	}
	sbuf_puts(sb, "]}");
}

static void json_inst(struct sbuf *sb, const struct snap_inst *in)
{
	size_t i;

	sbuf_puts(sb, "{\"name\":");
	sbuf_json_str(sb, in->name);
	sbuf_puts(sb, ",\"state\":");
	sbuf_json_str(sb, in->state);
	if (in->detail) {
		sbuf_printf(sb,
			    ",\"priority\":%ld,\"effective_priority\":%ld,"
			    "\"master_ip\":",
			    in->priority, in->effective_priority);
		sbuf_json_str(sb, in->master_ip);
		sbuf_printf(sb,
			    ",\"transitions\":%llu,\"adverts_sent\":%llu,"
			    "\"adverts_received\":%llu,\"last_reason\":",
			    ULL(in->transitions), ULL(in->adverts_sent),
			    ULL(in->adverts_received));
		sbuf_json_str(sb, in->last_reason);
		sbuf_puts(sb, ",\"drops\":{");
		for (i = 0; i < in->n_drops; i++) {
			sbuf_puts(sb, i ? "," : "");
			sbuf_json_str(sb, in->drops[i].reason);
			sbuf_printf(sb, ":%llu", ULL(in->drops[i].n));
		}
		sbuf_printf(sb, "},\"addr_list_mismatch\":%llu",
			    ULL(in->addr_list_mismatch));
	}
	sbuf_puts(sb, "}");
}

static void json_vrrpd(struct sbuf *sb, const struct snap_vrrpd *v)
{
	size_t i;

	sbuf_printf(sb, ",\"vrrpd\":{\"enabled\":%s,\"connected\":%s,",
		    v->enabled ? "true" : "false",
		    v->connected ? "true" : "false");
	sbuf_printf(sb, "\"connects\":%llu,\"events\":%llu,\"errors\":%llu,",
		    ULL(v->connects), ULL(v->events), ULL(v->errors));
	if (v->router_id) {
		sbuf_puts(sb, "\"router_id\":");
		sbuf_json_str(sb, v->router_id);
		sbuf_puts(sb, ",");
	}
	sbuf_printf(sb, "\"status_age_ms\":%lld,\"instances\":[",
		    (long long)v->status_age_ms);
	for (i = 0; i < v->n_inst; i++) {
		if (i)
			sbuf_puts(sb, ",");
		json_inst(sb, &v->inst[i]);
	}
	sbuf_puts(sb, "]}");
}

void statspage_json(const struct stats_snap *s, struct sbuf *sb)
{
	size_t i;

	sbuf_printf(sb,
		    "{\"ok\":true,\"cur\":%u,\"maxconn\":%ld,\"total\":%llu,"
		    "\"stopping\":%s,\"pipes_in_use\":%zu,\"pipes_idle\":%zu,"
		    "\"log_lines\":%llu,\"log_dropped\":%llu,"
		    "\"data_path\":\"%s\",\"kernel_sessions\":%llu,"
		    "\"kernel_dup_bytes\":%llu,\"listeners\":[",
		    s->cur, s->maxconn, ULL(s->total),
		    s->stopping ? "true" : "false", s->pipes_in_use,
		    s->pipes_idle, ULL(s->log_lines), ULL(s->log_dropped),
		    s->data_path ? s->data_path : "copy",
		    ULL(s->kernel_sessions), ULL(s->kernel_dup_bytes));
	for (i = 0; i < s->n_listens; i++) {
		if (i)
			sbuf_puts(sb, ",");
		json_listen(sb, &s->listens[i]);
	}
	sbuf_puts(sb, "]");
	json_vrrpd(sb, &s->vrrpd);
	sbuf_puts(sb, "}");
}

/* ---- helpers --------------------------------------------------------------
 */

void statspage_html_esc(struct sbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			sbuf_puts(sb, "&lt;");
			break;
		case '>':
			sbuf_puts(sb, "&gt;");
			break;
		case '&':
			sbuf_puts(sb, "&amp;");
			break;
		case '"':
			sbuf_puts(sb, "&quot;");
			break;
		case '\'':
			sbuf_puts(sb, "&#39;");
			break;
		default:
			sbuf_add(sb, s, 1);
		}
	}
}

/* Label values: backslash, double quote and line feed are escaped. */
void statspage_prom_label(struct sbuf *sb, const char *s)
{
	sbuf_puts(sb, "\"");
	for (; s && *s; s++) {
		if (*s == '\\')
			sbuf_puts(sb, "\\\\");
		else if (*s == '"')
			sbuf_puts(sb, "\\\"");
		else if (*s == '\n')
			sbuf_puts(sb, "\\n");
		else
			sbuf_add(sb, s, 1);
	}
	sbuf_puts(sb, "\"");
}

const char *statspage_bytes(uint64_t n, char *buf, size_t size)
{
	static const char *const unit[] = {"B",	  "KiB", "MiB",
					   "GiB", "TiB", "PiB"};
	double v = (double)n;
	size_t u = 0;

	if (n < 1024) {
		snprintf(buf, size, "%llu B", ULL(n));
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
	return buf;
}

const char *statspage_ago(int64_t ms, char *buf, size_t size)
{
	long long s = ms < 0 ? 0 : ms / 1000;

	if (s < 60)
		snprintf(buf, size, "%llds", s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm %llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%lldd %lldh", s / 86400, s % 86400 / 3600);
	return buf;
}

/* ---- Prometheus text format ------------------------------------------------
 */

static void head(struct sbuf *sb, const char *name, const char *type,
		 const char *help)
{
	sbuf_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample_inst(struct sbuf *sb, const char *name,
			const struct snap_inst *in, const char *extra,
			const char *extra_val, long long v)
{
	sbuf_printf(sb, "%s{instance=", name);
	statspage_prom_label(sb, in->name);
	if (extra) {
		sbuf_printf(sb, ",%s=", extra);
		statspage_prom_label(sb, extra_val);
	}
	sbuf_printf(sb, "} %lld\n", v);
}

static void sample_srv(struct sbuf *sb, const char *name,
		       const struct snap_listen *l, const struct snap_server *s,
		       const char *extra, const char *extra_val, uint64_t v)
{
	sbuf_printf(sb, "%s{listener=", name);
	statspage_prom_label(sb, l->name);
	if (s) {
		sbuf_puts(sb, ",server=");
		statspage_prom_label(sb, s->name);
	}
	if (extra) {
		sbuf_printf(sb, ",%s=", extra);
		statspage_prom_label(sb, extra_val);
	}
	sbuf_printf(sb, "} %llu\n", ULL(v));
}

/* vrrpd's anycast_instance states (vrrpd/anycast.h), not VRRP ones */
static bool is_anycast(const char *state)
{
	return !strcmp(state, "ANNOUNCED") || !strcmp(state, "WITHDRAWN");
}

static void prom_anycast(const struct snap_vrrpd *v, struct sbuf *sb)
{
	size_t i;

	head(sb, "fwd_anycast_announced", "gauge",
	     "1 while an anycast instance of this node holds (and its BGP "
	     "speaker announces) its addresses");
	for (i = 0; i < v->n_inst; i++)
		if (is_anycast(v->inst[i].state))
			sample_inst(sb, "fwd_anycast_announced", &v->inst[i],
				    NULL, NULL,
				    !strcmp(v->inst[i].state, "ANNOUNCED"));
}

static void prom_vrrp(const struct stats_snap *s, struct sbuf *sb)
{
	static const char *const states[] = {"INIT", "BACKUP", "MASTER",
					     "FAULT"};
	const struct snap_vrrpd *v = &s->vrrpd;
	size_t i, j;

	head(sb, "fwd_vrrpd_connected", "gauge",
	     "1 when fwd is linked to vrrpd's control socket");
	sbuf_printf(sb, "fwd_vrrpd_connected %d\n", v->connected);
	head(sb, "fwd_vrrp_state", "gauge",
	     "VRRP state of each instance on this node (1 for the current "
	     "state)");
	for (i = 0; i < v->n_inst; i++)
		for (j = 0; j < 4 && !is_anycast(v->inst[i].state); j++)
			sample_inst(sb, "fwd_vrrp_state", &v->inst[i], "state",
				    states[j],
				    strcmp(v->inst[i].state, states[j]) == 0);
#define INST_METRIC(metric, type, help, field)                                 \
	do {                                                                   \
		head(sb, metric, type, help);                                  \
		for (i = 0; i < v->n_inst; i++)                                \
			if (v->inst[i].detail)                                 \
				sample_inst(sb, metric, &v->inst[i], NULL,     \
					    NULL,                              \
					    (long long)v->inst[i].field);      \
	} while (0)
	INST_METRIC("fwd_vrrp_priority", "gauge", "Configured VRRP priority",
		    priority);
	INST_METRIC("fwd_vrrp_effective_priority", "gauge",
		    "VRRP priority after trackers", effective_priority);
	INST_METRIC("fwd_vrrp_transitions_total", "counter",
		    "VRRP state transitions", transitions);
	INST_METRIC("fwd_vrrp_adverts_sent_total", "counter",
		    "VRRP advertisements sent", adverts_sent);
	INST_METRIC("fwd_vrrp_adverts_received_total", "counter",
		    "VRRP advertisements received", adverts_received);
	INST_METRIC("fwd_vrrp_addr_list_mismatch_total", "counter",
		    "Advertisements accepted with a different address list",
		    addr_list_mismatch);
#undef INST_METRIC
	head(sb, "fwd_vrrp_adverts_dropped_total", "counter",
	     "VRRP advertisements dropped, by reason");
	for (i = 0; i < v->n_inst; i++)
		for (j = 0; j < v->inst[i].n_drops; j++)
			sample_inst(sb, "fwd_vrrp_adverts_dropped_total",
				    &v->inst[i], "reason",
				    v->inst[i].drops[j].reason,
				    (long long)v->inst[i].drops[j].n);
	prom_anycast(v, sb);
}

#define LISTEN_METRIC(metric, type, help, field)                               \
	do {                                                                   \
		head(sb, metric, type, help);                                  \
		for (i = 0; i < s->n_listens; i++)                             \
			sample_srv(sb, metric, &s->listens[i], NULL, NULL,     \
				   NULL, s->listens[i].field);                 \
	} while (0)
#define SERVER_METRIC(metric, type, help, expr)                                \
	do {                                                                   \
		head(sb, metric, type, help);                                  \
		for (i = 0; i < s->n_listens; i++)                             \
			for (j = 0; j < s->listens[i].n_servers; j++) {        \
				const struct snap_server *sv =                 \
				    &s->listens[i].servers[j];                 \
				sample_srv(sb, metric, &s->listens[i], sv,     \
					   NULL, NULL, (expr));                \
			}                                                      \
	} while (0)

/* issue #14: the last check's status and duration, certificates. */
static void prom_check_app(const struct stats_snap *s, struct sbuf *sb)
{
	size_t i, j;

	head(sb, "fwd_server_check_status", "gauge",
	     "1 for the status of the server's last check (HAProxy's "
	     "L4OK, L4CON, L6RSP, L7STS...)");
	for (i = 0; i < s->n_listens; i++)
		for (j = 0; j < s->listens[i].n_servers; j++) {
			const struct snap_server *sv =
			    &s->listens[i].servers[j];

			if (sv->check_status)
				sample_srv(sb, "fwd_server_check_status",
					   &s->listens[i], sv, "status",
					   sv->check_status, 1);
		}
	head(sb, "fwd_server_check_duration_seconds", "gauge",
	     "How long the server's last check took");
	for (i = 0; i < s->n_listens; i++)
		for (j = 0; j < s->listens[i].n_servers; j++) {
			const struct snap_server *sv =
			    &s->listens[i].servers[j];

			if (!sv->check_status)
				continue;
			sbuf_puts(sb, "fwd_server_check_duration_seconds"
				      "{listener=");
			statspage_prom_label(sb, s->listens[i].name);
			sbuf_puts(sb, ",server=");
			statspage_prom_label(sb, sv->name);
			sbuf_printf(sb, "} %.3f\n",
				    (double)sv->check_duration_ms / 1000.0);
		}
	head(sb, "fwd_server_cert_days_left", "gauge",
	     "Days until the certificate a TLS check saw expires");
	for (i = 0; i < s->n_listens; i++)
		for (j = 0; j < s->listens[i].n_servers; j++) {
			const struct snap_server *sv =
			    &s->listens[i].servers[j];

			if (!sv->has_cert)
				continue;
			sbuf_puts(sb, "fwd_server_cert_days_left{listener=");
			statspage_prom_label(sb, s->listens[i].name);
			sbuf_puts(sb, ",server=");
			statspage_prom_label(sb, sv->name);
			sbuf_printf(sb, "} %lld\n",
				    (long long)sv->cert_days_left);
		}
}

void statspage_prom(const struct stats_snap *s, struct sbuf *sb)
{
	size_t i, j;

	head(sb, "fwd_connections", "gauge", "Client connections open now");
	sbuf_printf(sb, "fwd_connections %u\n", s->cur);
	head(sb, "fwd_connections_total", "counter",
	     "Client connections accepted");
	sbuf_printf(sb, "fwd_connections_total %llu\n", ULL(s->total));
	head(sb, "fwd_maxconn", "gauge", "Connection limit in force");
	sbuf_printf(sb, "fwd_maxconn %ld\n", s->maxconn);
	prom_vrrp(s, sb);
	LISTEN_METRIC("fwd_listener_connections", "gauge",
		      "Client connections open now", cur);
	LISTEN_METRIC("fwd_listener_connections_total", "counter",
		      "Client connections accepted", total);
	LISTEN_METRIC("fwd_listener_bytes_in_total", "counter",
		      "Bytes from clients to servers", bytes_in);
	LISTEN_METRIC("fwd_listener_bytes_out_total", "counter",
		      "Bytes from servers to clients", bytes_out);
	LISTEN_METRIC("fwd_listener_no_server_total", "counter",
		      "Connections closed because no server was usable",
		      no_server);
	SERVER_METRIC("fwd_server_up", "gauge",
		      "1 when the server takes new connections (state UP)",
		      strcmp(sv->state, "UP") == 0);
	SERVER_METRIC("fwd_server_health_up", "gauge",
		      "1 when the health checks say the server is up",
		      strcmp(sv->health, "UP") == 0);
	SERVER_METRIC("fwd_server_connections", "gauge",
		      "Connections to the server open now", sv->cur);
	SERVER_METRIC("fwd_server_connections_total", "counter",
		      "Connections forwarded to the server", sv->total);
	SERVER_METRIC("fwd_server_bytes_in_total", "counter",
		      "Bytes from clients to the server", sv->bytes_in);
	SERVER_METRIC("fwd_server_bytes_out_total", "counter",
		      "Bytes from the server to clients", sv->bytes_out);
	SERVER_METRIC("fwd_server_connect_failures_total", "counter",
		      "Failed connects to the server", sv->connect_fail);
	SERVER_METRIC("fwd_server_last_change_timestamp_seconds", "gauge",
		      "When the server's state last changed (Unix time)",
		      (uint64_t)sv->last_change_wall);
	prom_check_app(s, sb);
	head(sb, "fwd_server_checks_total", "counter",
	     "Health checks of the server, by result");
	for (i = 0; i < s->n_listens; i++)
		for (j = 0; j < s->listens[i].n_servers; j++) {
			const struct snap_server *sv =
			    &s->listens[i].servers[j];

			sample_srv(sb, "fwd_server_checks_total",
				   &s->listens[i], sv, "result", "ok",
				   sv->checks_ok);
			sample_srv(sb, "fwd_server_checks_total",
				   &s->listens[i], sv, "result", "fail",
				   sv->checks_fail);
		}
}
