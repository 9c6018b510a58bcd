#include "hapcmd.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"

#define MAX_WORDS 8

/* HAProxy 2.6's show stat columns up to its statistics modules ("-"). */
static const char *const columns[] = {"pxname",
				      "svname",
				      "qcur",
				      "qmax",
				      "scur",
				      "smax",
				      "slim",
				      "stot",
				      "bin",
				      "bout",
				      "dreq",
				      "dresp",
				      "ereq",
				      "econ",
				      "eresp",
				      "wretr",
				      "wredis",
				      "status",
				      "weight",
				      "act",
				      "bck",
				      "chkfail",
				      "chkdown",
				      "lastchg",
				      "downtime",
				      "qlimit",
				      "pid",
				      "iid",
				      "sid",
				      "throttle",
				      "lbtot",
				      "tracked",
				      "type",
				      "rate",
				      "rate_lim",
				      "rate_max",
				      "check_status",
				      "check_code",
				      "check_duration",
				      "hrsp_1xx",
				      "hrsp_2xx",
				      "hrsp_3xx",
				      "hrsp_4xx",
				      "hrsp_5xx",
				      "hrsp_other",
				      "hanafail",
				      "req_rate",
				      "req_rate_max",
				      "req_tot",
				      "cli_abrt",
				      "srv_abrt",
				      "comp_in",
				      "comp_out",
				      "comp_byp",
				      "comp_rsp",
				      "lastsess",
				      "last_chk",
				      "last_agt",
				      "qtime",
				      "ctime",
				      "rtime",
				      "ttime",
				      "agent_status",
				      "agent_code",
				      "agent_duration",
				      "check_desc",
				      "agent_desc",
				      "check_rise",
				      "check_fall",
				      "check_health",
				      "agent_rise",
				      "agent_fall",
				      "agent_health",
				      "addr",
				      "cookie",
				      "mode",
				      "algo",
				      "conn_rate",
				      "conn_rate_max",
				      "conn_tot",
				      "intercepted",
				      "dcon",
				      "dses",
				      "wrew",
				      "connect",
				      "reuse",
				      "cache_lookups",
				      "cache_hits",
				      "srv_icur",
				      "src_ilim",
				      "qtime_max",
				      "ctime_max",
				      "rtime_max",
				      "ttime_max",
				      "eint",
				      "idle_conn_cur",
				      "safe_conn_cur",
				      "used_conn_cur",
				      "need_conn_est",
				      "uweight",
				      "agg_server_status",
				      "agg_server_check_status",
				      "agg_check_status"};
#define N_COLS (sizeof(columns) / sizeof(columns[0]))

static int target(const char *arg, struct hap_cmd *c, char *err, size_t errlen)
{
	if (!cmd_split_target(arg, c->listen, c->server)) {
		snprintf(err, errlen, "Require 'backend/server'.\n");
		return -1;
	}
	return 1;
}

int hapcmd_parse(const char *line, struct hap_cmd *c, char *err, size_t errlen)
{
	char buf[512], *w[MAX_WORDS];
	size_t n;

	memset(c, 0, sizeof(*c));
	if (strlen(line) >= sizeof(buf))
		return 0;
	strcpy(buf, line);
	n = cmd_split(buf, w, MAX_WORDS);
	if (n == 0 || n > MAX_WORDS)
		return 0;
	if (strcmp(w[0], "show") == 0) {
		if (n >= 2 && strcmp(w[1], "info") == 0) {
			c->verb = HAP_SHOW_INFO;
			return 1;
		}
		/* "show stat [iid type sid]": filters are not applied */
		if (n >= 2 && strcmp(w[1], "stat") == 0) {
			c->verb = HAP_SHOW_STAT;
			return 1;
		}
		if (n >= 3 && n <= 4 && strcmp(w[1], "servers") == 0 &&
		    strcmp(w[2], "state") == 0) {
			c->verb = HAP_SHOW_SERVERS_STATE;
			if (n == 4 && strlen(w[3]) < sizeof(c->listen))
				strcpy(c->listen, w[3]);
			return 1;
		}
		snprintf(err, errlen,
			 "Unknown command: 'show %.40s'; fwd knows show info, "
			 "show stat, show servers state.\n",
			 n >= 2 ? w[1] : "");
		return -1;
	}
	if ((strcmp(w[0], "disable") == 0 || strcmp(w[0], "enable") == 0) &&
	    n >= 2 && strcmp(w[1], "server") == 0) {
		if (n != 3) {
			snprintf(err, errlen, "Require 'backend/server'.\n");
			return -1;
		}
		c->verb = HAP_SET_STATE;
		c->state = w[0][0] == 'd' ? HAP_MAINT : HAP_READY;
		return target(w[2], c, err, errlen);
	}
	if (strcmp(w[0], "set") == 0 && n >= 2 && strcmp(w[1], "server") == 0) {
		if (n != 5 || strcmp(w[3], "state") != 0) {
			snprintf(err, errlen,
				 "fwd knows only 'set server <b>/<s> state "
				 "[ready|drain|maint]'.\n");
			return -1;
		}
		c->verb = HAP_SET_STATE;
		if (strcmp(w[4], "ready") == 0)
			c->state = HAP_READY;
		else if (strcmp(w[4], "drain") == 0)
			c->state = HAP_DRAIN;
		else if (strcmp(w[4], "maint") == 0)
			c->state = HAP_MAINT;
		else {
			snprintf(err, errlen,
				 "'set server <srv> state' expects 'ready', "
				 "'drain' and 'maint'.\n");
			return -1;
		}
		return target(w[2], c, err, errlen);
	}
	return 0;
}

void hapcmd_show_info(const struct stats_snap *s, const struct hap_info *i,
		      struct sbuf *sb)
{
	int64_t up = i->uptime_sec;

	sbuf_printf(sb,
		    "Name: fwd\nVersion: %s\nNbthread: 1\nNbproc: 1\n"
		    "Process_num: 1\nPid: %ld\n"
		    "Uptime: %lldd %lldh%02lldm%02llds\nUptime_sec: %lld\n"
		    "Ulimit-n: %ld\nMaxconn: %ld\nHard_maxconn: %ld\n"
		    "CurrConns: %u\nCumConns: %llu\nPipesUsed: %zu\n"
		    "PipesFree: %zu\nStopping: %d\nNode: %s\n\n",
		    i->version, i->pid, (long long)(up / 86400),
		    (long long)(up / 3600 % 24), (long long)(up / 60 % 60),
		    (long long)(up % 60), (long long)up, i->nofile, s->maxconn,
		    s->maxconn, s->cur, (unsigned long long)s->total,
		    s->pipes_in_use, s->pipes_idle, s->stopping ? 1 : 0,
		    s->node);
}

/* One row, the columns named in v (others empty), HAProxy's trailing
 * comma included. */
struct row {
	const char *v[N_COLS];
	char num[N_COLS][24];
};

static int col(const char *name)
{
	size_t i;

	for (i = 0; i < N_COLS; i++)
		if (strcmp(columns[i], name) == 0)
			return (int)i;
	return -1;
}

static void set_s(struct row *r, const char *name, const char *v)
{
	int i = col(name);

	if (i >= 0)
		r->v[i] = v;
}

static void set_u(struct row *r, const char *name, unsigned long long v)
{
	int i = col(name);

	if (i < 0)
		return;
	snprintf(r->num[i], sizeof(r->num[i]), "%llu", v);
	r->v[i] = r->num[i];
}

static void put_field(struct sbuf *sb, const char *v)
{
	/* CSV: our names never hold a comma or quote (conf_copy_name),
	 * but check descriptions may */
	if (v && strpbrk(v, ",\"\n")) {
		sbuf_puts(sb, "\"");
		for (; *v; v++)
			sbuf_printf(sb, *v == '"' ? "\"\"" : "%c", *v);
		sbuf_puts(sb, "\"");
	} else if (v) {
		sbuf_puts(sb, v);
	}
	sbuf_puts(sb, ",");
}

static void put_row(struct sbuf *sb, const struct row *r)
{
	size_t i;

	for (i = 0; i < N_COLS; i++)
		put_field(sb, r->v[i]);
	sbuf_puts(sb, "\n");
}

/* HAProxy's check_status words for a TCP connect check. */
static const char *check_status(const struct snap_server *sv)
{
	if (strcmp(sv->check, "none") == 0 || strcmp(sv->check, "pending") == 0)
		return NULL;
	if (strcmp(sv->check, "ok") == 0)
		return "L4OK";
	if (strstr(sv->check, "timed out"))
		return "L4TOUT";
	return "L4CON";
}

static const char *server_status(const struct snap_server *sv)
{
	if (strcmp(sv->state, "MAINT") == 0)
		return "MAINT";
	if (strcmp(sv->state, "DRAIN") == 0)
		return "DRAIN";
	if (strcmp(sv->health, "DOWN") == 0)
		return "DOWN";
	return check_status(sv) ? "UP" : "no check";
}

static bool server_takes(const struct snap_server *sv)
{
	return strcmp(sv->state, "UP") == 0 && sv->weight > 0;
}

static void server_row(struct sbuf *sb, const struct snap_listen *l, size_t li,
		       size_t si)
{
	const struct snap_server *sv = &l->servers[si];
	struct row r;
	const char *cs = check_status(sv);

	memset(&r, 0, sizeof(r));
	set_s(&r, "pxname", l->name);
	set_s(&r, "svname", sv->name);
	set_u(&r, "qcur", 0);
	set_u(&r, "qmax", 0);
	set_u(&r, "scur", sv->cur);
	set_u(&r, "stot", sv->total);
	set_u(&r, "bin", sv->bytes_in);
	set_u(&r, "bout", sv->bytes_out);
	set_u(&r, "econ", sv->connect_fail);
	set_s(&r, "status", server_status(sv));
	set_u(&r, "weight", server_takes(sv) ? (unsigned)sv->weight : 0);
	set_u(&r, "act", !sv->backup);
	set_u(&r, "bck", sv->backup);
	if (cs)
		set_u(&r, "chkfail", sv->checks_fail);
	set_u(&r, "lastchg",
	      (unsigned long long)(sv->last_change_ago_ms / 1000));
	set_u(&r, "pid", 1);
	set_u(&r, "iid", li + 1);
	set_u(&r, "sid", si + 1);
	set_u(&r, "lbtot", sv->total);
	set_u(&r, "type", 2);
	set_s(&r, "check_status", cs);
	if (cs && sv->check_ago_ms >= 0)
		set_s(&r, "last_chk", sv->check);
	if (cs)
		set_s(&r, "check_desc",
		      strcmp(cs, "L4OK") == 0 ? "Layer4 check passed"
					      : "Layer4 connection problem");
	set_s(&r, "addr", sv->address);
	set_s(&r, "mode", "tcp");
	set_u(&r, "uweight", (unsigned)sv->weight);
	put_row(sb, &r);
}

static void listen_rows(struct sbuf *sb, const struct snap_listen *l, size_t li)
{
	unsigned act = 0, bck = 0, weight = 0;
	uint64_t econ = 0;
	struct row r;
	size_t i;

	memset(&r, 0, sizeof(r));
	set_s(&r, "pxname", l->name);
	set_s(&r, "svname", "FRONTEND");
	set_u(&r, "scur", l->cur);
	set_u(&r, "slim", (unsigned long long)l->maxconn);
	set_u(&r, "stot", l->total);
	set_u(&r, "bin", l->bytes_in);
	set_u(&r, "bout", l->bytes_out);
	set_s(&r, "status", strcmp(l->state, "CLOSED") == 0 ? "STOP" : "OPEN");
	set_u(&r, "pid", 1);
	set_u(&r, "iid", li + 1);
	set_u(&r, "sid", 0);
	set_u(&r, "type", 0);
	set_s(&r, "mode", "tcp");
	set_u(&r, "conn_tot", l->total);
	put_row(sb, &r);
	for (i = 0; i < l->n_servers; i++) {
		server_row(sb, l, li, i);
		econ += l->servers[i].connect_fail;
		if (!server_takes(&l->servers[i]))
			continue;
		weight += (unsigned)l->servers[i].weight;
		if (l->servers[i].backup)
			bck++;
		else
			act++;
	}
	memset(&r, 0, sizeof(r));
	set_s(&r, "pxname", l->name);
	set_s(&r, "svname", "BACKEND");
	set_u(&r, "qcur", 0);
	set_u(&r, "qmax", 0);
	set_u(&r, "scur", l->cur);
	set_u(&r, "slim", (unsigned long long)l->maxconn);
	set_u(&r, "stot", l->total);
	set_u(&r, "bin", l->bytes_in);
	set_u(&r, "bout", l->bytes_out);
	set_u(&r, "econ", econ);
	set_s(&r, "status", act + bck ? "UP" : "DOWN");
	set_u(&r, "weight", weight);
	set_u(&r, "act", act);
	set_u(&r, "bck", bck);
	set_u(&r, "pid", 1);
	set_u(&r, "iid", li + 1);
	set_u(&r, "sid", 0);
	set_u(&r, "lbtot", l->total);
	set_u(&r, "type", 1);
	set_s(&r, "mode", "tcp");
	set_s(&r, "algo", l->balance);
	put_row(sb, &r);
}

void hapcmd_show_stat(const struct stats_snap *s, struct sbuf *sb)
{
	size_t i;

	sbuf_puts(sb, "# ");
	for (i = 0; i < N_COLS; i++)
		sbuf_printf(sb, "%s,", columns[i]);
	sbuf_puts(sb, "\n");
	for (i = 0; i < s->n_listens; i++)
		listen_rows(sb, &s->listens[i], i);
	sbuf_puts(sb, "\n");
}

/* "ip" of "ip:port" / "[v6]:port" (port-following servers have none). */
static void addr_split(const char *a, char *ip, size_t iplen, char *port,
		       size_t portlen)
{
	const char *colon = strrchr(a, ':');
	const char *start = a;
	size_t n;

	if (a[0] == '[') {
		const char *close = strchr(a, ']');

		start = a + 1;
		colon = close && close[1] == ':' ? close + 1 : NULL;
		n = close ? (size_t)(close - start) : strlen(start);
	} else {
		n = colon ? (size_t)(colon - a) : strlen(a);
	}
	snprintf(ip, iplen, "%.*s", (int)n, start);
	snprintf(port, portlen, "%s",
		 colon && colon[1] != '+' && colon[1] != '-' ? colon + 1 : "0");
}

int hapcmd_show_servers_state(const struct stats_snap *s, const char *listen,
			      struct sbuf *sb)
{
	size_t i, j;
	bool found = !listen[0];

	for (i = 0; i < s->n_listens; i++)
		if (strcmp(s->listens[i].name, listen) == 0)
			found = true;
	if (!found)
		return -1;
	sbuf_puts(sb, "1\n# be_id be_name srv_id srv_name srv_addr "
		      "srv_op_state srv_admin_state srv_uweight srv_iweight "
		      "srv_time_since_last_change srv_check_status "
		      "srv_check_result srv_check_health srv_check_state "
		      "srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn "
		      "srv_port srvrecord srv_use_ssl srv_check_port "
		      "srv_check_addr srv_agent_addr srv_agent_port\n");
	for (i = 0; i < s->n_listens; i++) {
		const struct snap_listen *l = &s->listens[i];

		if (listen[0] && strcmp(l->name, listen) != 0)
			continue;
		for (j = 0; j < l->n_servers; j++) {
			const struct snap_server *sv = &l->servers[j];
			const char *cs = check_status(sv);
			bool up = strcmp(sv->health, "UP") == 0;
			char ip[SNAP_ADDR_MAX], port[8];
			/* SRV_ADMF_FMAINT 0x01, SRV_ADMF_FDRAIN 0x08;
			 * HCHK_STATUS_INI 1, L4OK 6, L4TOUT 7, L4CON 8;
			 * CHK_RES_FAILED 2, PASSED 3 */
			int admin = strcmp(sv->admin, "MAINT") == 0   ? 1
				    : strcmp(sv->admin, "DRAIN") == 0 ? 8
								      : 0;
			int status = !cs			 ? 1
				     : strcmp(cs, "L4OK") == 0	 ? 6
				     : strcmp(cs, "L4TOUT") == 0 ? 7
								 : 8;

			addr_split(sv->address, ip, sizeof(ip), port,
				   sizeof(port));
			sbuf_printf(sb,
				    "%zu %s %zu %s %s %d %d %d %d %lld %d %d "
				    "%d %d 0 0 0 - %s - 0 0 - - 0\n",
				    i + 1, l->name, j + 1, sv->name, ip,
				    up ? 2 : 0, admin, sv->weight, sv->weight,
				    (long long)(sv->last_change_ago_ms / 1000),
				    status, cs ? (up ? 3 : 2) : 0, up ? 2 : 0,
				    cs ? 6 : 0, port);
		}
	}
	sbuf_puts(sb, "\n");
	return 0;
}
