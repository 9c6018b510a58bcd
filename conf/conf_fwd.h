/* The forwarder section of the configuration (fwd), DESIGN.md. */
#ifndef CONF_FWD_H
#define CONF_FWD_H

#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "conf_check.h"
#include "conf_util.h"

#define CONF_FWD_DEFAULT_SOCKET "/run/vrrpd/fwd.sock"
/* Stick entries at most: HAProxy's "10m" (10 x 1024 x 1024), about 800 MiB
 * at roughly 80 bytes an entry (fwd/stick.c). */
#define CONF_STICK_SIZE_MAX (10L * 1024 * 1024)

enum conf_balance {
	CONF_BALANCE_ROUNDROBIN,
	CONF_BALANCE_LEASTCONN,
	CONF_BALANCE_SOURCE,
};

/* "roundrobin", "leastconn", "source" (common/enum_name.h) */
extern const struct enum_name conf_balance_names[];
const char *conf_balance_str(enum conf_balance b);
/* send_proxy: "v1", "v2" as 1, 2 */
extern const struct enum_name conf_send_proxy_names[];

/* forwarder.data_path (issue 20): who moves a session's bytes. */
enum conf_data_path {
	CONF_DATA_PATH_AUTO, /* the kernel's sockmap if permitted, else copy */
	CONF_DATA_PATH_KERNEL, /* sockmap or refuse to start */
	CONF_DATA_PATH_COPY,   /* fwd reads and writes (or splices) */
};
extern const struct enum_name conf_data_path_names[];

struct conf_fwd_check {
	bool enabled; /* a check group is present */
	int port;     /* 0: the server's own port */
	int64_t inter_ms;
	int rise, fall;
	bool send_proxy;	   /* a PROXY header (LOCAL) before closing */
	struct conf_check_app app; /* type and its keys (conf_check.c) */
};

struct conf_fwd_server {
	char name[CONF_NAME_MAX];
	int line;
	struct sockaddr_storage addr; /* port 0 when port_follow */
	socklen_t addrlen;
	bool port_follow; /* "ip" or "ip:+N": the client's port (+ offset) */
	int port_offset;
	int weight; /* 0..256; 0 takes no new connections */
	bool backup, disabled;
	int send_proxy; /* PROXY protocol version to send: 0 none, 1, 2 */
	struct conf_fwd_check check;
};

struct conf_fwd_bind {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int line;
};

struct conf_fwd_listen {
	char name[CONF_NAME_MAX];
	int line;
	struct conf_fwd_bind *binds;
	size_t n_binds;
	enum conf_balance balance;
	bool stick; /* stick on src */
	int64_t stick_expire_ms;
	long stick_size;
	int retries;
	bool redispatch;
	long maxconn;
	/* the forwarder's unless the listen has its own timeout group */
	int64_t timeout_connect_ms, timeout_client_ms, timeout_server_ms;
	bool log;	   /* a line per session (fwd/sesslog.c) */
	bool accept_proxy; /* clients start with a PROXY header */
	struct conf_fwd_server *servers;
	size_t n_servers;
};

/* The optional HTTP status page (docs/stats-page.md). */
struct conf_fwd_stats {
	bool enabled;
	int line;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char *uri;  /* starts with '/'; default "/" */
	char *auth; /* "user:password", or NULL: no authentication */
	int64_t refresh_ms;
	bool admin; /* per-server buttons (needs auth) */
};

struct conf_fwd {
	char *control_socket;
	char *control_socket_group; /* NULL: mode 0600 */
	gid_t control_socket_gid;
	char *vrrpd_socket; /* NULL: global_defs.control_socket; "": none */
	long maxconn;
	char *user, *group; /* NULL: keep the starting identity */
	uid_t uid;
	gid_t gid;
	int64_t timeout_connect_ms, timeout_client_ms, timeout_server_ms;
	int64_t timeout_check_ms; /* -1: each server's check inter */
	int64_t grace_ms;
	bool shutdown_sessions_on_down;
	struct conf_fwd_listen *listens;
	size_t n_listens;
	struct conf_fwd_stats stats;
	int cert_warn_days; /* TLS checks: warn this many days ahead */
	/* TCP_DEFER_ACCEPT on client-first listeners (listener.c); off by
	 * default: under maxconn, held connections wait out the kernel's
	 * SYN-ACK backoff (docs/fwd-bench.md) */
	bool defer_accept;
	enum conf_data_path data_path;
	int kernel_after; /* hand a session off after this many turns */
};

/* Parses the "forwarder" group; 0, or -1 with problems reported. */
int conf_fwd_parse(struct conf_ctx *ctx, const config_setting_t *fwd,
		   struct conf_fwd **out);
void conf_fwd_free(struct conf_fwd *f);

#endif
