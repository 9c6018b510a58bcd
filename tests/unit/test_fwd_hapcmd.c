/* HAProxy's runtime API subset: parsing, and the CSV and state answers
 * checked against HAProxy 2.6.12's own (captured from its stats socket). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "hapcmd.h"

/* The header HAProxy 2.6.12 prints, up to its statistics modules. */
static const char hap_header[] =
    "pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,"
    "eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,"
    "qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,"
    "check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_"
    "4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,"
    "srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,"
    "qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,"
    "agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_"
    "health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,"
    "dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,"
    "qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,"
    "used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_"
    "status,agg_check_status,";

static void test_parse(void **state)
{
	struct hap_cmd c;
	char err[160];

	(void)state;
	assert_int_equal(hapcmd_parse("show info", &c, err, sizeof(err)), 1);
	assert_int_equal(c.verb, HAP_SHOW_INFO);
	assert_int_equal(hapcmd_parse("show stat", &c, err, sizeof(err)), 1);
	assert_int_equal(c.verb, HAP_SHOW_STAT);
	assert_int_equal(
	    hapcmd_parse("show stat -1 -1 -1", &c, err, sizeof(err)), 1);
	assert_int_equal(
	    hapcmd_parse("show servers state web", &c, err, sizeof(err)), 1);
	assert_int_equal(c.verb, HAP_SHOW_SERVERS_STATE);
	assert_string_equal(c.listen, "web");
	assert_int_equal(
	    hapcmd_parse("set server web/s1 state drain", &c, err, sizeof(err)),
	    1);
	assert_int_equal(c.verb, HAP_SET_STATE);
	assert_int_equal(c.state, HAP_DRAIN);
	assert_string_equal(c.listen, "web");
	assert_string_equal(c.server, "s1");
	assert_int_equal(
	    hapcmd_parse("disable server web/s2", &c, err, sizeof(err)), 1);
	assert_int_equal(c.state, HAP_MAINT);
	assert_string_equal(c.server, "s2");
	assert_int_equal(
	    hapcmd_parse("enable server web/s2", &c, err, sizeof(err)), 1);
	assert_int_equal(c.state, HAP_READY);
	/* ours, not HAProxy's */
	assert_int_equal(hapcmd_parse("stats", &c, err, sizeof(err)), 0);
	assert_int_equal(hapcmd_parse("help", &c, err, sizeof(err)), 0);
	assert_int_equal(
	    hapcmd_parse("server web/s1 drain", &c, err, sizeof(err)), 0);
	/* HAProxy's, wrong */
	assert_int_equal(
	    hapcmd_parse("set server web/s1 state up", &c, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "'set server <srv> state' expects 'ready', "
				 "'drain' and 'maint'.\n");
	assert_int_equal(
	    hapcmd_parse("disable server webs1", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "Require 'backend/server'.\n");
	assert_int_equal(hapcmd_parse("show acl", &c, err, sizeof(err)), -1);
}

struct fixture {
	struct stats_snap s;
	struct snap_listen l;
	struct snap_server srv[3];
};

static void fill(struct fixture *x)
{
	memset(x, 0, sizeof(*x));
	strcpy(x->s.node, "lbA");
	x->s.maxconn = 4096;
	x->s.listens = &x->l;
	x->s.n_listens = 1;
	x->l.name = "web";
	x->l.state = "OPEN";
	x->l.balance = "roundrobin";
	x->l.cur = 3;
	x->l.maxconn = 4096;
	x->l.total = 77;
	x->l.bytes_in = 1000;
	x->l.bytes_out = 2000;
	x->l.servers = x->srv;
	x->l.n_servers = 3;
	x->srv[0] = (struct snap_server){.name = "s1",
					 .state = "UP",
					 .health = "UP",
					 .admin = "READY",
					 .check = "ok",
					 .weight = 3,
					 .cur = 3,
					 .total = 70,
					 .checks_fail = 1,
					 .last_change_ago_ms = 36000};
	strcpy(x->srv[0].address, "198.18.0.21:9000");
	x->srv[1] = (struct snap_server){.name = "s2",
					 .state = "DOWN",
					 .health = "DOWN",
					 .admin = "READY",
					 .check = "Connection refused",
					 .weight = 1,
					 .connect_fail = 2,
					 .total = 7};
	strcpy(x->srv[1].address, "198.18.0.22:9000");
	x->srv[2] = (struct snap_server){.name = "s3",
					 .state = "DRAIN",
					 .health = "UP",
					 .admin = "DRAIN",
					 .check = "none",
					 .weight = 1,
					 .backup = true};
	strcpy(x->srv[2].address, "198.18.0.23");
}

/* Field i (0-based) of a CSV line without quotes. */
static void field(const char *line, int i, char *out, size_t len)
{
	const char *end;

	while (i-- > 0)
		line = strchr(line, ',') + 1;
	end = strchr(line, ',');
	snprintf(out, len, "%.*s", (int)(end - line), line);
}

static int count(const char *s, char ch)
{
	int n = 0;

	for (; *s && *s != '\n'; s++)
		n += *s == ch;
	return n;
}

static void test_show_stat(void **state)
{
	struct fixture x;
	struct sbuf sb;
	const char *p, *rows[5];
	char v[64];
	int i;

	(void)state;
	fill(&x);
	sbuf_init(&sb);
	hapcmd_show_stat(&x.s, &sb);
	p = sbuf_str(&sb);
	assert_memory_equal(p, "# ", 2);
	assert_memory_equal(p + 2, hap_header, strlen(hap_header));
	assert_int_equal(p[2 + strlen(hap_header)], '\n');
	for (i = 0; i < 5; i++) {
		p = strchr(p, '\n') + 1;
		rows[i] = p;
		/* as many fields as HAProxy's header, trailing comma too */
		assert_int_equal(count(p, ','), count(hap_header, ','));
	}
	/* the last row (BACKEND) ends the answer with an empty line */
	assert_string_equal(strchr(rows[4], '\n'), "\n\n");
	field(rows[0], 1, v, sizeof(v));
	assert_string_equal(v, "FRONTEND");
	field(rows[0], 17, v, sizeof(v));
	assert_string_equal(v, "OPEN");
	field(rows[1], 1, v, sizeof(v));
	assert_string_equal(v, "s1");
	field(rows[1], 17, v, sizeof(v));
	assert_string_equal(v, "UP");
	field(rows[1], 18, v, sizeof(v)); /* weight */
	assert_string_equal(v, "3");
	field(rows[1], 36, v, sizeof(v)); /* check_status */
	assert_string_equal(v, "L4OK");
	field(rows[1], 73, v, sizeof(v)); /* addr */
	assert_string_equal(v, "198.18.0.21:9000");
	field(rows[2], 17, v, sizeof(v));
	assert_string_equal(v, "DOWN");
	field(rows[2], 13, v, sizeof(v)); /* econ */
	assert_string_equal(v, "2");
	field(rows[2], 36, v, sizeof(v));
	assert_string_equal(v, "L4CON");
	field(rows[3], 1, v, sizeof(v));
	assert_string_equal(v, "s3");
	field(rows[3], 17, v, sizeof(v));
	assert_string_equal(v, "DRAIN");
	field(rows[3], 18, v, sizeof(v)); /* drained: weight 0 */
	assert_string_equal(v, "0");
	sbuf_free(&sb);
	/* the BACKEND row sits after the servers */
	sbuf_init(&sb);
	x.l.n_servers = 1;
	hapcmd_show_stat(&x.s, &sb);
	p = strstr(sbuf_str(&sb), "web,BACKEND,");
	assert_non_null(p);
	field(p, 17, v, sizeof(v));
	assert_string_equal(v, "UP");
	field(p, 76, v, sizeof(v)); /* algo */
	assert_string_equal(v, "roundrobin");
	sbuf_free(&sb);
}

static void test_servers_state(void **state)
{
	struct fixture x;
	struct sbuf sb;

	(void)state;
	fill(&x);
	sbuf_init(&sb);
	assert_int_equal(hapcmd_show_servers_state(&x.s, "", &sb), 0);
	assert_non_null(strstr(sbuf_str(&sb), "1\n# be_id be_name srv_id "));
	assert_non_null(strstr(sbuf_str(&sb), "\n1 web 1 s1 198.18.0.21 2 0 3 "
					      "3 36 6 3 2 6 0 0 0 - 9000 - 0 "
					      "0 - - 0\n"));
	assert_non_null(strstr(sbuf_str(&sb), "\n1 web 2 s2 198.18.0.22 0 0 1 "
					      "1 0 8 2 0 6 "));
	assert_non_null(strstr(sbuf_str(&sb), "\n1 web 3 s3 198.18.0.23 2 8 1 "
					      "1 0 1 0 2 0 0 0 0 - 0 "));
	sbuf_free(&sb);
	sbuf_init(&sb);
	assert_int_equal(hapcmd_show_servers_state(&x.s, "nope", &sb), -1);
	sbuf_free(&sb);
}

static void test_show_info(void **state)
{
	struct fixture x;
	struct sbuf sb;
	struct hap_info i = {.version = "fwd-0.1.0",
			     .pid = 42,
			     .uptime_sec = 90061,
			     .nofile = 1024};

	(void)state;
	fill(&x);
	x.s.cur = 5;
	x.s.total = 99;
	sbuf_init(&sb);
	hapcmd_show_info(&x.s, &i, &sb);
	assert_non_null(
	    strstr(sbuf_str(&sb), "Name: fwd\nVersion: fwd-0.1.0\n"));
	assert_non_null(strstr(sbuf_str(&sb), "\nPid: 42\n"));
	assert_non_null(strstr(sbuf_str(&sb), "\nUptime: 1d 1h01m01s\n"));
	assert_non_null(
	    strstr(sbuf_str(&sb), "\nCurrConns: 5\nCumConns: 99\n"));
	assert_non_null(strstr(sbuf_str(&sb), "\nMaxconn: 4096\n"));
	sbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_show_stat),
	    cmocka_unit_test(test_servers_state),
	    cmocka_unit_test(test_show_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
