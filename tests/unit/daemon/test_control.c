/* SPDX-License-Identifier: MIT */
/* test_control.c: the control commands and socket on a real NAT engine. */
#include <arpa/inet.h>
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

#include "daemon/control.h"
#include "daemon/dlog.h"

static int setup(void **state)
{
	struct indynet_config cfg;
	indynet_engine *eng;
	char err[256];

	dlog_set_level(INDYNET_LOG_ERROR);
	indynet_config_init(&cfg);
	cfg.log_level = INDYNET_LOG_ERROR;
	cfg.log = dlog_engine;
	assert_int_equal(indynet_engine_new(&cfg, &eng, err, sizeof(err)), 0);
	assert_int_equal(indynet_engine_start(eng), 0);
	*state = eng;
	return 0;
}

static int teardown(void **state)
{
	indynet_engine_free(*state);
	return 0;
}

/* Run @line; check the verdict and the exact reply. */
static void expect_reply(indynet_engine *eng, const char *line, int rc, const char *want)
{
	char reply[1024];

	assert_int_equal(control_exec(eng, line, reply, sizeof(reply)), rc);
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
	indynet_engine *eng = *state;
	uint16_t port = free_port(SOCK_STREAM), uport = free_port(SOCK_DGRAM);
	char cmd[64], want[64];

	expect_reply(eng, "forward list", 0, "ok");
	snprintf(cmd, sizeof(cmd), "forward add tcp:%u:80", port);
	expect_reply(eng, cmd, 0, "ok");
	assert_true(port_listens(port));
	snprintf(cmd, sizeof(cmd), "forward add udp:%u:53:any", uport);
	expect_reply(eng, cmd, 0, "ok");
	snprintf(want, sizeof(want), "ok tcp:%u:80 udp:%u:53:any", port, uport);
	expect_reply(eng, "  forward   list ", 0, want);
	snprintf(cmd, sizeof(cmd), "forward remove tcp:%u:80", port);
	expect_reply(eng, cmd, 0, "ok");
	assert_false(port_listens(port));
	snprintf(want, sizeof(want), "error: forward 'tcp:%u:80' is not active", port);
	expect_reply(eng, cmd, -1, want);
	snprintf(want, sizeof(want), "ok udp:%u:53:any", uport);
	expect_reply(eng, "forward list", 0, want);
	expect_reply(eng, "forward add tcp:99999:80", -1,
		     "error: forward 'tcp:99999:80': host port 99999 is out of range (1-65535)");
}

static void test_subnet_and_errors(void **state)
{
	indynet_engine *eng = *state;

	expect_reply(eng, "subnet 10.1.0.0/24", 0, "ok");
	expect_reply(eng, "subnet 10.1.0.0/31", -1, "error: prefix /31 is too small (minimum /30)");
	expect_reply(eng, "reboot", -1,
		     "error: unknown command 'reboot' (expected forward add|remove|list SPEC, "
		     "subnet CIDR or stats)");
	expect_reply(eng, "forward add", -1,
		     "error: unknown command 'forward add' (expected forward add|remove|list SPEC, "
		     "subnet CIDR or stats)");
	expect_reply(eng, "", -1,
		     "error: unknown command '' (expected forward add|remove|list SPEC, "
		     "subnet CIDR or stats)");
}

static void test_stats(void **state)
{
	indynet_engine *eng = *state;
	uint8_t runt[6] = { 0 };
	char reply[1024];

	assert_true(indynet_guest_send(eng, runt, sizeof(runt)) < 0);
	assert_int_equal(control_exec(eng, "stats", reply, sizeof(reply)), 0);
	assert_memory_equal(reply, "ok tx_frames=", 13);
	assert_non_null(strstr(reply, " guest_ip=none"));
	assert_non_null(strstr(reply, " drop_truncated=1"));
	assert_non_null(strstr(reply, " drop_backend=0"));
}

struct server {
	struct control *ctl;
	atomic_bool stop;
};

/* The daemon's main loop, reduced to the control socket. */
static void *serve(void *arg)
{
	struct server *srv = arg;

	while (!atomic_load(&srv->stop)) {
		struct pollfd pfds[CONTROL_CLIENTS + 1];
		size_t n = 0;

		control_poll_fill(srv->ctl, pfds, &n);
		if (poll(pfds, n, 10) > 0)
			control_poll_handle(srv->ctl, pfds, n);
	}
	return NULL;
}

static void test_socket_and_client(void **state)
{
	indynet_engine *eng = *state;
	struct server srv = { 0 };
	char path[64], err[256];
	struct stat st;
	pthread_t t;

	snprintf(path, sizeof(path), "/tmp/indynetd-ctl-%d.sock", (int)getpid());
	assert_int_equal(control_open(path, eng, &srv.ctl, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(pthread_create(&t, NULL, serve, &srv), 0);
	assert_int_equal(control_client_run(path, "forward list"), 0);
	assert_int_equal(control_client_run(path, "forward remove tcp:1:1"), 1);
	assert_int_equal(control_client_run(path, "stats"), 0);
	assert_int_equal(control_client_run(path, "stats\nstats"), 1);
	atomic_store(&srv.stop, true);
	pthread_join(t, NULL);
	control_close(srv.ctl);
	assert_int_equal(access(path, F_OK), -1);
	/* Nobody listening: the client fails. */
	assert_int_equal(control_client_run(path, "stats"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forward_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subnet_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_and_client, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
