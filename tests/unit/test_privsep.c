/* Least privilege, the pure parts: who may change state over a control
 * socket, and the spawner's request/reply codec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "../../common/ctl.h"
#include "spawnmsg.h"

static void test_privileged(void **state)
{
	static const gid_t supp[] = {100, 4242, 27};
	struct ctl_peer root = {.uid = 0, .gid = 0};
	struct ctl_peer self = {.uid = 1000, .gid = 1000};
	struct ctl_peer other = {.uid = 1001, .gid = 1001};
	struct ctl_peer prim = {.uid = 1002, .gid = 4242};
	struct ctl_peer sup = {
	    .uid = 1003, .gid = 1003, .groups = supp, .n_groups = 3};
	struct ctl_peer sup_miss = {
	    .uid = 1003, .gid = 1003, .groups = supp, .n_groups = 1};

	(void)state;
	/* no group configured: root and our own uid only */
	assert_true(ctl_peer_privileged(&root, 1000, false, 0));
	assert_true(ctl_peer_privileged(&self, 1000, false, 0));
	assert_false(ctl_peer_privileged(&other, 1000, false, 0));
	assert_false(ctl_peer_privileged(&prim, 1000, false, 4242));
	assert_false(ctl_peer_privileged(&sup, 1000, false, 4242));
	/* a group: members by primary or supplementary gid */
	assert_true(ctl_peer_privileged(&root, 1000, true, 4242));
	assert_false(ctl_peer_privileged(&other, 1000, true, 4242));
	assert_true(ctl_peer_privileged(&prim, 1000, true, 4242));
	assert_true(ctl_peer_privileged(&sup, 1000, true, 4242));
	assert_false(ctl_peer_privileged(&sup_miss, 1000, true, 4242));
	/* gid 0 is not root */
	other.gid = 0;
	assert_false(ctl_peer_privileged(&other, 1000, true, 4242));
}

static void test_req_roundtrip(void **state)
{
	struct spawn_req in = {0}, out;
	uint8_t buf[SPAWN_MSG_MAX];
	int len;

	(void)state;
	in.id = 7;
	in.flags = 1;
	in.limit_ms = 1500;
	in.user_set = true;
	in.uid = 65534;
	in.gid = 65534;
	in.tag = "vrrp_script chk";
	in.user_name = "nobody";
	in.argc = 3;
	in.argv[0] = "/bin/sh";
	in.argv[1] = "-c";
	in.argv[2] = "exit 3";
	in.envc = 1;
	in.env[0] = "PATH=/bin";
	len = spawn_req_encode(&in, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(spawn_req_decode(buf, (size_t)len, &out), 0);
	assert_int_equal(out.id, 7);
	assert_int_equal(out.flags, 1);
	assert_int_equal(out.limit_ms, 1500);
	assert_true(out.user_set);
	assert_int_equal(out.uid, 65534);
	assert_string_equal(out.tag, "vrrp_script chk");
	assert_string_equal(out.user_name, "nobody");
	assert_int_equal(out.argc, 3);
	assert_string_equal(out.argv[2], "exit 3");
	assert_null(out.argv[3]);
	assert_string_equal(out.env[0], "PATH=/bin");
	assert_null(out.env[1]);
	/* every truncation is refused, never read past the end */
	for (int n = 0; n < len; n++)
		assert_int_equal(spawn_req_decode(buf, (size_t)n, &out),
				 -EBADMSG);
	/* trailing bytes too */
	buf[len] = 'x';
	assert_int_equal(spawn_req_decode(buf, (size_t)len + 1, &out),
			 -EBADMSG);
	/* too small a buffer */
	assert_int_equal(spawn_req_encode(&in, buf, 40), -E2BIG);
}

static void test_req_bad(void **state)
{
	struct spawn_req in = {0}, out;
	uint8_t buf[SPAWN_MSG_MAX];

	(void)state;
	in.tag = "t";
	in.user_name = "";
	in.argc = 0; /* nothing to run */
	assert_int_equal(spawn_req_encode(&in, buf, sizeof(buf)), -E2BIG);
	in.argc = SPAWN_MAX_ARGS + 1;
	assert_int_equal(spawn_req_encode(&in, buf, sizeof(buf)), -E2BIG);
	/* an empty program name */
	in.argc = 1;
	in.argv[0] = "";
	int len = spawn_req_encode(&in, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(spawn_req_decode(buf, (size_t)len, &out), -EBADMSG);
	/* garbage header: argc far too large */
	memset(buf, 0xff, 64);
	assert_int_equal(spawn_req_decode(buf, 64, &out), -EBADMSG);
}

static void test_rep_roundtrip(void **state)
{
	struct spawn_rep in, out;
	uint8_t buf[64];
	int len;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.id = 9;
	in.pid = 1234;
	in.status = 256;
	in.timed_out = 1;
	len = spawn_rep_encode(&in, buf, sizeof(buf));
	assert_int_equal(len, (int)sizeof(in));
	assert_int_equal(spawn_rep_decode(buf, (size_t)len, &out), 0);
	assert_int_equal(out.id, 9);
	assert_int_equal(out.pid, 1234);
	assert_int_equal(out.status, 256);
	assert_int_equal(out.timed_out, 1);
	assert_int_equal(spawn_rep_decode(buf, (size_t)len - 1, &out),
			 -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_privileged),
	    cmocka_unit_test(test_req_roundtrip),
	    cmocka_unit_test(test_req_bad),
	    cmocka_unit_test(test_rep_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
