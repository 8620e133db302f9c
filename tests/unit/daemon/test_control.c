/* SPDX-License-Identifier: MIT */
/* test_control.c: the control commands and socket on a real NAT engine. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/cmd_int.h"
#include "daemon/control.h"
#include "daemon/dlog.h"
#include "daemon/http.h"

struct fixture {
	struct daemon_opts opts;
	struct cmd_ctx ctx;
	indynet_engine *eng;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct indynet_config cfg;
	char err[256];

	dlog_set_level(INDYNET_LOG_ERROR);
	indynet_config_init(&cfg);
	cfg.log_level = INDYNET_LOG_ERROR;
	cfg.log = dlog_engine;
	assert_int_equal(indynet_engine_new(&cfg, &f->eng, err, sizeof(err)), 0);
	assert_int_equal(indynet_engine_start(f->eng), 0);
	opts_init(&f->opts);
	cmd_ctx_init(&f->ctx, f->eng, &f->opts);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	cmd_ctx_destroy(&f->ctx);
	indynet_engine_free(f->eng);
	opts_free(&f->opts);
	free(f);
	return 0;
}

/* Run @line; check the verdict and the exact reply. */
static void expect_reply(struct fixture *f, const char *line, int rc, const char *want)
{
	char reply[1024];

	assert_int_equal(control_exec(&f->ctx, line, reply, sizeof(reply)), rc);
	assert_string_equal(reply, want);
}

/* Find a free TCP or UDP port on 127.0.0.1. */
static uint16_t free_port(int type)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type, 0);

	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static bool port_listens(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;

	close(fd);
	return ok;
}

static void test_forward_commands(void **state)
{
	struct fixture *eng = *state;
	uint16_t port = free_port(SOCK_STREAM), uport = free_port(SOCK_DGRAM);
	char cmd[80], want[96];

	expect_reply(eng, "forward list", 0, "ok");
	snprintf(cmd, sizeof(cmd), "forward add tcp:%u:80", port);
	expect_reply(eng, cmd, 0, "ok");
	assert_true(port_listens(port));
	snprintf(cmd, sizeof(cmd), "forward add udp:%u:53:any", uport);
	expect_reply(eng, cmd, 0, "ok");
	snprintf(want, sizeof(want), "ok tcp:%u:80->192.168.0.2 udp:%u:53:any->192.168.0.2", port, uport);
	expect_reply(eng, "  forward   list ", 0, want);
	snprintf(cmd, sizeof(cmd), "forward remove tcp:%u:80", port);
	expect_reply(eng, cmd, 0, "ok");
	assert_false(port_listens(port));
	snprintf(want, sizeof(want), "error: no forward tcp:%u is active", port);
	expect_reply(eng, cmd, -1, want);
	/* the guest port must match too */
	snprintf(cmd, sizeof(cmd), "forward remove udp:%u:54:any", uport);
	snprintf(want, sizeof(want), "error: forward udp:%u goes to guest port 53, not 54", uport);
	expect_reply(eng, cmd, -1, want);
	snprintf(want, sizeof(want), "ok udp:%u:53:any->192.168.0.2", uport);
	expect_reply(eng, "forward list", 0, want);
	/* an explicit guest address is shown and must be named to remove the forward */
	snprintf(cmd, sizeof(cmd), "forward add tcp:%u:192.168.0.50:80", port);
	expect_reply(eng, cmd, 0, "ok");
	snprintf(want, sizeof(want), "ok udp:%u:53:any->192.168.0.2 tcp:%u:192.168.0.50:80->192.168.0.50", uport,
		 port);
	expect_reply(eng, "forward list", 0, want);
	snprintf(cmd, sizeof(cmd), "forward remove tcp:%u:80", port);
	snprintf(want, sizeof(want), "error: forward tcp:%u goes to another guest address", port);
	expect_reply(eng, cmd, -1, want);
	snprintf(cmd, sizeof(cmd), "forwards.remove proto=tcp host_port=%u guest_addr=192.168.0.50", port);
	expect_reply(eng, cmd, 0, "ok");
	snprintf(cmd, sizeof(cmd), "forward add tcp:%u:10.9.9.9:80", port);
	snprintf(want, sizeof(want),
		 "error: forward 'tcp:%u:10.9.9.9:80': guest address is not a host address of the NAT subnet", port);
	expect_reply(eng, cmd, -1, want);
	expect_reply(eng, "forward add tcp:99999:80", -1,
		     "error: forward 'tcp:99999:80': host port 99999 is out of range (1-65535)");
}

static void test_subnet_and_errors(void **state)
{
	struct fixture *eng = *state;
	char reply[1024];

	expect_reply(eng, "subnet 10.1.0.0/24", 0, "ok");
	expect_reply(eng, "subnet get", 0,
		     "ok {\"subnet\":\"10.1.0.0/24\",\"prefix\":24,\"netmask\":\"255.255.255.0\","
		     "\"gateway\":\"10.1.0.1\",\"guest\":\"10.1.0.2\",\"broadcast\":\"10.1.0.255\"}");
	expect_reply(eng, "subnet 10.1.0.0/31", -1, "error: prefix /31 is too small (minimum /30)");
	expect_reply(eng, "forward add", -1, "error: proto is missing (tcp or udp)");
	expect_reply(eng, "forward add tcp:1:1 tcp:2:2", -1,
		     "error: unexpected word 'tcp:2:2' after 'forward add'");
	expect_reply(eng, "forward list extra", -1,
		     "error: unexpected word 'extra' after 'forward list'");
	expect_reply(eng, "forwards.add proto=tcp host_port=0 guest_port=1", -1,
		     "error: host_port 0 is out of range (1-65535)");
	expect_reply(eng, "forwards.add proto=tcp hostport=1", -1,
		     "error: unknown field 'hostport' (expected proto host_port guest_addr guest_port bind spec)");
	expect_reply(eng, "mount-help =irix", -1,
		     "error: unknown field '' (expected os)");
	expect_reply(eng, "interfaces", -1,
		     "error: not in bridge mode: host interfaces are a bridge-mode setting (the "
		     "daemon runs in NAT mode)");
	expect_reply(eng, "mount-help", -1,
		     "error: no NFS export: start indynetd with --export DIR to serve one");
	/* an unknown command lists the known ones, from the table */
	assert_int_equal(control_exec(&eng->ctx, "reboot", reply, sizeof(reply)), -1);
	assert_memory_equal(reply, "error: unknown command 'reboot' (expected stats, forward list,",
			    62);
	assert_non_null(strstr(reply, ", subnet subnet,"));
	assert_int_equal(control_exec(&eng->ctx, "", reply, sizeof(reply)), -1);
	assert_memory_equal(reply, "error: unknown command '' (expected", 35);
}

static void test_stats(void **state)
{
	struct fixture *f = *state;
	indynet_engine *eng = f->eng;
	uint8_t runt[6] = { 0 };
	char reply[1024];

	assert_true(indynet_guest_send(eng, runt, sizeof(runt)) < 0);
	assert_int_equal(control_exec(&f->ctx, "stats", reply, sizeof(reply)), 0);
	assert_memory_equal(reply, "ok tx_frames=", 13);
	assert_non_null(strstr(reply, " guest_ip=none"));
	assert_non_null(strstr(reply, " drop_truncated=1"));
	assert_non_null(strstr(reply, " drop_backend=0"));
}

struct server {
	struct http_server *http;
	atomic_bool stop;
};

/* The daemon's main loop, reduced to the control socket. */
/* the NFS use readers on an engine without an export; status then says only enabled:false */
static void test_nfs_use_without_export(void **state)
{
	struct fixture *f = *state;
	struct indynet_nfs_client c;
	uint64_t calls[22];

	assert_int_equal(indynet_nfs_clients_get(f->eng, &c, 1), -ENOENT);
	assert_int_equal(indynet_nfs_proc_calls_get(f->eng, 3, calls, 22), -ENOENT);
	assert_string_equal(indynet_nfs_proc_name(3, 3), "lookup");
	assert_string_equal(indynet_nfs_proc_name(2, 3), "root");
	assert_null(indynet_nfs_proc_name(3, 22));
}

/* bridge mode's mount help: the router from /proc/net/route's text, the mask from an address list */
static void test_lan_parsers(void **state)
{
	static const char routes[] =
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
		"eth1\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
		"eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
		"eth0\t00000000\t0101A8C0\t0001\t0\t0\t0\t00000000\t0\t0\t0\n"  /* no RTF_GATEWAY */
		"eth0\t00000000\tFE01A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
	char ip[INET_ADDRSTRLEN];
	unsigned prefix = 99;
	uint32_t gw;
	FILE *f;

	(void)state;
	f = fmemopen((void *)routes, sizeof(routes) - 1, "r");
	assert_int_equal(cmd_lan_route_gateway(f, "eth0", &gw), 0);
	assert_string_equal(inet_ntop(AF_INET, &gw, ip, sizeof(ip)), "192.168.1.254");
	rewind(f);
	assert_int_equal(cmd_lan_route_gateway(f, "eth2", &gw), -1);
	assert_int_equal(gw, 0);
	fclose(f);
	assert_int_equal(cmd_lan_prefix("fe80::1/64 10.0.0.5/23 192.168.1.5/24", &prefix), 0);
	assert_int_equal(prefix, 23);
	assert_int_equal(cmd_lan_prefix("fe80::1/64 10.0.0.5/33 10.0.0.6/8x", &prefix), -1);
	assert_int_equal(cmd_lan_prefix("", &prefix), -1);
}

static void *serve(void *arg)
{
	struct server *srv = arg;

	while (!atomic_load(&srv->stop)) {
		struct pollfd pfds[2];
		size_t n = 0;
		int timeout = 10;

		http_poll_fill(srv->http, pfds, &n, &timeout);
		if (poll(pfds, n, timeout) > 0)
			http_poll_handle(srv->http, pfds, n);
	}
	return NULL;
}

/* --ctl: the line form sent as HTTP to the control socket. */
static void test_socket_and_client(void **state)
{
	struct fixture *f = *state;
	struct server srv = { 0 };
	struct http_config hc = { 0 };
	char path[64], err[256];
	struct stat st;
	pthread_t t;

	snprintf(path, sizeof(path), "/tmp/indynetd-ctl-%d.sock", (int)getpid());
	hc.unix_path = path;
	assert_int_equal(http_open(&hc, &f->ctx, &srv.http, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(pthread_create(&t, NULL, serve, &srv), 0);
	assert_int_equal(control_client_run(path, "forward list"), 0);
	assert_int_equal(control_client_run(path, "forward add tcp:1:1 extra"), 1);
	assert_int_equal(control_client_run(path, "forward remove tcp:1:1"), 1);
	assert_int_equal(control_client_run(path, "stats"), 0);
	assert_int_equal(control_client_run(path, "subnet 10.9.0.0/24"), 0);
	assert_string_equal(f->ctx.subnet, "10.9.0.0/24");
	assert_int_equal(control_client_run(path, "mount-help os=irix&x"), 1);
	/* a number in a GET's query (fuzz_control found the client dereferencing NULL for it) */
	assert_int_equal(control_client_run(path, "mount-help os=4"), 1);
	assert_int_equal(control_client_run(path, "stats\nstats"), 1);
	atomic_store(&srv.stop, true);
	pthread_join(t, NULL);
	http_close(srv.http);
	assert_int_equal(access(path, F_OK), -1);
	/* Nobody listening: the client fails. */
	assert_int_equal(control_client_run(path, "stats"), 1);
}

/* The request a line becomes: a GET's arguments (numbers too) in the query, a body otherwise. */
static void test_request(void **state)
{
	char reply[CONTROL_REPLY_MAX], url[CONTROL_URL_MAX];
	const struct cmd_def *def;
	json_t *args = NULL;
	char *body;

	(void)state;
	def = control_parse("mount-help os=irix path=4", &args, reply, sizeof(reply));
	assert_non_null(def);
	assert_null(control_request(def, args, url, sizeof(url)));
	assert_true(strcmp(url, "/api/mount-help?os=irix&path=4") == 0 || strcmp(url, "/api/mount-help?path=4&os=irix") == 0);
	json_decref(args);
	def = control_parse("forward add tcp:[::1]:8080:80", &args, reply, sizeof(reply));
	assert_non_null(def);
	body = control_request(def, args, url, sizeof(url));
	assert_string_equal(url, "/api/forwards");
	assert_string_equal(body, "{\"spec\":\"tcp:[::1]:8080:80\"}");
	free(body);
	json_decref(args);
	assert_int_equal(control_reply(def, 409, "{\"error\":\"taken\"}", reply, sizeof(reply)), -1);
	assert_string_equal(reply, "error: taken");
	assert_int_equal(control_reply(def, 500, "not json", reply, sizeof(reply)), -1);
	assert_string_equal(reply, "error: the daemon refused");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forward_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subnet_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test(test_lan_parsers),
		cmocka_unit_test_setup_teardown(test_nfs_use_without_export, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_and_client, setup, teardown),
		cmocka_unit_test(test_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
