/* SPDX-License-Identifier: MIT */
/* test_main.c: the indynetd binary: exit statuses, messages, start-up and clean shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "indynet-build.h"

extern char **environ;

static const char *indynetd; /* path of the binary, from argv[1] */
/* how long a daemon may take to start listening (ASan, a loaded machine) */
#define START_MS 20000

struct run {
	int status;      /* exit status, or -1 */
	char out[8192];  /* stdout */
	char err[8192];  /* stderr */
};

static bool as_nobody; /* spawn the daemon as uid/gid 65534 (through setpriv when root) */

static pid_t spawn(const char *const *args, int out_fd, int err_fd)
{
	posix_spawn_file_actions_t fa;
	char *argv[40];
	int argc = 0;
	pid_t pid;

	if (as_nobody && geteuid() == 0) {
		argv[argc++] = (char *)"/usr/bin/setpriv";
		argv[argc++] = (char *)"--reuid=65534";
		argv[argc++] = (char *)"--regid=65534";
		argv[argc++] = (char *)"--clear-groups";
	}
	argv[argc++] = (char *)indynetd;
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

static void slurp(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got < cap - 1 && (n = read(fd, buf + got, cap - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
}

/* Run to completion (short commands only: output fits the pipes). */
static void run_args(struct run *r, const char *const *args)
{
	int out[2], err[2], st;
	pid_t pid;

	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	pid = spawn(args, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	slurp(out[0], r->out, sizeof(r->out));
	slurp(err[0], r->err, sizeof(r->err));
	close(out[0]);
	close(err[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define RUN(r, ...) run_args((r), (const char *const[]){ __VA_ARGS__, NULL })

static void test_version_and_help(void **state)
{
	static const char *const flags[] = {
		"--config", "--mode", "--qemu-stream ", "--qemu-stream-connect", "--qemu-dgram",
		"--tap ", "--tap-netns", "--nat-subnet", "--forward", "--export", "--nfs-version",
		"--read-only", "--attr-model", "--uid", "--gid", "--mtu", "--capture-file",
		"--log-level", "--control", "--ctl", "--version", "--help",
	};
	struct run r;

	(void)state;
	RUN(&r, "--version");
	assert_int_equal(r.status, 0);
	assert_memory_equal(r.out, "indynetd " INDYNET_VERSION " (libindynet " INDYNET_VERSION ")\npacket capture: ",
			    strlen("indynetd " INDYNET_VERSION " (libindynet " INDYNET_VERSION ")\npacket capture: "));
	assert_non_null(strstr(r.out, INDYNET_HAVE_PCAP ? "\npacket capture: yes, bridge mode (libpcap version " :
							  "\npacket capture: no (built without libpcap: NAT mode only)\n"));
	assert_non_null(strstr(r.out, "\nNAT: libslirp 4."));
	assert_non_null(strstr(r.out, "\nNFS: v2 v3\n"));
	assert_non_null(strstr(r.out, "\ncontrol API: HTTP on --control and --http, web panel, --ctl (libmicrohttpd "));
	RUN(&r, "--help");
	assert_int_equal(r.status, 0);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		assert_non_null(strstr(r.out, flags[i]));
}

static void test_bad_input_exits_2(void **state)
{
	char path[64];
	struct run r;
	int fd;

	(void)state;
	RUN(&r, "--tap", "t0", "--mtu", "100");
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "indynetd: --mtu: MTU 100 is out of range (576-65520)\n"
				   "Try 'indynetd --help'.\n");
	RUN(&r, "--qemu-stream", "/tmp/a.sock", "--qemu-dgram", "/tmp/b.sock");
	assert_int_equal(r.status, 2);
	RUN(&r, "--mode", "bridge", "--interface", "no/such", "--qemu-dgram", "/tmp/indynetd-never.sock");
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, INDYNET_HAVE_PCAP ? "indynetd: 'no/such' is not a valid interface name\n" :
				   "indynetd: --interface: this build has no packet capture support (bridge mode)\n"
				   "Try 'indynetd --help'.\n");
	assert_int_equal(access("/tmp/indynetd-never.sock", F_OK), -1);

	snprintf(path, sizeof(path), "/tmp/indynetd-main-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[network]\nmode = nat\nmtu = 1500\nnat_subnet = 10.0.0.0/31\n", 57),
			 57);
	close(fd);
	RUN(&r, "--config", path, "--tap", "t0");
	unlink(path);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, ":4: nat_subnet: prefix /31 is too small (minimum /30)\n"));
}

/* Wait until the stream socket at @path accepts connections (it exists before it listens). */
static bool wait_for_listen(const char *path, int ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	for (int i = 0; i < ms / 10; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		int rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));

		close(fd);
		if (rc == 0)
			return true;
		usleep(10000);
	}
	return false;
}

static void test_run_control_and_sigterm(void **state)
{
	char sock[64], ctl[64], log[64];
	struct run r;
	pid_t pid;
	int logfd, devnull = open("/dev/null", O_WRONLY), st;

	(void)state;
	snprintf(sock, sizeof(sock), "/tmp/indynetd-main-%d.sock", (int)getpid());
	snprintf(ctl, sizeof(ctl), "/tmp/indynetd-main-%d.ctl", (int)getpid());
	snprintf(log, sizeof(log), "/tmp/indynetd-main-%d.log", (int)getpid());
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(logfd >= 0 && devnull >= 0);
	pid = spawn((const char *const[]){ "--qemu-stream", sock, "--control", ctl, NULL }, devnull,
		    logfd);
	assert_true(wait_for_listen(ctl, START_MS));
	assert_true(access(sock, F_OK) == 0);
	RUN(&r, "--ctl", ctl, "forward", "list");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "ok\n");
	RUN(&r, "--ctl", ctl, "subnet", "10.0.0.0/31");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "error: prefix /31 is too small (minimum /30)\n");
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* Sockets unlinked; the log has the start-up summary and the shutdown. */
	assert_int_equal(access(sock, F_OK), -1);
	assert_int_equal(access(ctl, F_OK), -1);
	logfd = open(log, O_RDONLY);
	slurp(logfd, r.err, sizeof(r.err));
	close(logfd);
	unlink(log);
	assert_non_null(strstr(r.err, "indynetd: info: indynetd " INDYNET_VERSION ": mode nat, subnet 192.168.0.0/24"));
	assert_non_null(strstr(r.err, "frontend --qemu-stream /tmp/indynetd-main-"));
	assert_non_null(strstr(r.err, ": shutting down\n"));
	close(devnull);
}

/* A daemon in the background with its stderr in a file; paths under /tmp named after the test. */
struct bg {
	pid_t pid;
	char log[64];
};

static void bg_start(struct bg *b, const char *tag, const char *const *args)
{
	int devnull = open("/dev/null", O_WRONLY), logfd;

	snprintf(b->log, sizeof(b->log), "/tmp/indynetd-main-%d-%s.log", (int)getpid(), tag);
	logfd = open(b->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(logfd >= 0 && devnull >= 0);
	b->pid = spawn(args, devnull, logfd);
	close(logfd);
	close(devnull);
}

/* SIGTERM, the exit status, and the log in @text. */
static int bg_stop(struct bg *b, char *text, size_t cap)
{
	int st, fd;

	assert_int_equal(kill(b->pid, SIGTERM), 0);
	assert_int_equal(waitpid(b->pid, &st, 0), b->pid);
	fd = open(b->log, O_RDONLY);
	slurp(fd, text, cap);
	close(fd);
	unlink(b->log);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void tmp_path(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "/tmp/indynetd-main-%d-%s", (int)getpid(), tag);
	unlink(buf);
}

/* A second daemon on a path in use is refused, and the first stays reachable. */
static void test_socket_in_use(void **state)
{
	static const char *const kinds[] = { "--qemu-stream", "--qemu-dgram" };
	char sock[64], ctl[64], ctl2[64], want[160];
	struct run r;
	struct bg b;

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		tmp_path(sock, sizeof(sock), "use.sock");
		tmp_path(ctl, sizeof(ctl), "use.ctl");
		tmp_path(ctl2, sizeof(ctl2), "use2.ctl");
		bg_start(&b, "use", (const char *const[]){ kinds[k], sock, "--control", ctl, NULL });
		assert_true(wait_for_listen(ctl, START_MS));
		RUN(&r, kinds[k], sock, "--control", ctl2);
		assert_int_equal(r.status, 1);
		snprintf(want, sizeof(want), "another indynetd is serving %s", sock);
		assert_non_null(strstr(r.err, want));
		assert_int_equal(access(ctl2, F_OK), -1);
		RUN(&r, "--qemu-stream", "/tmp/indynetd-main-never.sock", "--control", ctl);
		assert_int_equal(r.status, 1);
		snprintf(want, sizeof(want), "another indynetd is serving %s", ctl);
		assert_non_null(strstr(r.err, want));
		assert_int_equal(access("/tmp/indynetd-main-never.sock", F_OK), -1);
		/* the first one keeps both paths */
		assert_int_equal(access(sock, F_OK), 0);
		RUN(&r, "--ctl", ctl, "forward", "list");
		assert_int_equal(r.status, 0);
		assert_int_equal(bg_stop(&b, r.err, sizeof(r.err)), 0);
	}
}

/* A socket nobody serves (left by a killed daemon) is replaced. */
static void test_stale_socket_replaced(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char sock[64], ctl[64];
	struct run r;
	struct bg b;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	(void)state;
	tmp_path(sock, sizeof(sock), "stale.sock");
	tmp_path(ctl, sizeof(ctl), "stale.ctl");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	bg_start(&b, "stale", (const char *const[]){ "--qemu-stream", sock, "--control", ctl, NULL });
	assert_true(wait_for_listen(ctl, START_MS));
	assert_int_equal(bg_stop(&b, r.err, sizeof(r.err)), 0);
	assert_int_equal(access(sock, F_OK), -1);
}

/* Two sockets of one daemon on one path are refused before anything is bound. */
static void test_same_path_twice(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "--qemu-stream", "/tmp/indynetd-main-same.sock", "--control", "/tmp/indynetd-main-same.sock");
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "indynetd: --control and --qemu-stream name the same socket "
				   "/tmp/indynetd-main-same.sock\nTry 'indynetd --help'.\n");
	RUN(&r, "--qemu-dgram", "/tmp/indynetd-main-same.sock", "--control", "/tmp/indynetd-main-same.sock");
	assert_int_equal(r.status, 2);
	assert_int_equal(access("/tmp/indynetd-main-same.sock", F_OK), -1);
}

static unsigned mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Frontend sockets are 0600 whatever the umask; --socket-mode widens them, never the control socket. */
static void test_socket_modes(void **state)
{
	static const char *const kinds[] = { "--qemu-stream", "--qemu-dgram" };
	char sock[64], ctl[64];
	mode_t old = umask(0);
	struct run r;
	struct bg b;

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		tmp_path(sock, sizeof(sock), "mode.sock");
		tmp_path(ctl, sizeof(ctl), "mode.ctl");
		bg_start(&b, "mode", (const char *const[]){ kinds[k], sock, "--control", ctl, NULL });
		assert_true(wait_for_listen(ctl, START_MS));
		assert_int_equal(mode_of(sock), 0600);
		assert_int_equal(mode_of(ctl), 0600);
		assert_int_equal(bg_stop(&b, r.err, sizeof(r.err)), 0);
		bg_start(&b, "mode", (const char *const[]){ kinds[k], sock, "--control", ctl,
							    "--socket-mode", "0660", NULL });
		assert_true(wait_for_listen(ctl, START_MS));
		assert_int_equal(mode_of(sock), 0660);
		assert_int_equal(mode_of(ctl), 0600);
		assert_int_equal(bg_stop(&b, r.err, sizeof(r.err)), 0);
	}
	umask(old);
	RUN(&r, "--qemu-stream", "/tmp/x.sock", "--socket-mode", "0066");
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "indynetd: --socket-mode: '0066' is not a socket mode of 0600-0777 "
				   "in octal (the owner must keep read and write)\nTry 'indynetd --help'.\n");
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Wait until the log of @b holds @needle. */
static bool log_has(const struct bg *b, const char *needle)
{
	char text[8192];

	for (int i = 0; i < 500; i++) {
		int fd = open(b->log, O_RDONLY);

		slurp(fd, text, sizeof(text));
		close(fd);
		if (strstr(text, needle))
			return true;
		usleep(10000);
	}
	return false;
}

/* SIGHUP: forwards, subnet and log level from the file again; the rest named as needing a restart. */
static void test_sighup_reload(void **state)
{
	char sock[64], ctl[64], conf[64], text[1024], want[64];
	unsigned p1 = 20000 + (unsigned)getpid() % 20000, p2 = p1 + 1;
	struct run r;
	struct bg b;

	(void)state;
	tmp_path(sock, sizeof(sock), "hup.sock");
	tmp_path(ctl, sizeof(ctl), "hup.ctl");
	tmp_path(conf, sizeof(conf), "hup.ini");
	snprintf(text, sizeof(text), "[frontend]\nqemu_stream = %s\n[control]\nsocket = %s\n"
		 "[forward]\na = tcp:%u:80\n", sock, ctl, p1);
	write_file(conf, text);
	bg_start(&b, "hup", (const char *const[]){ "--config", conf, NULL });
	assert_true(wait_for_listen(ctl, START_MS));
	snprintf(text, sizeof(text), "[frontend]\nqemu_stream = %s\n[control]\nsocket = %s\n"
		 "[forward]\nb = tcp:%u:81\n[network]\nnat_subnet = 10.9.0.0/24\nmtu = 9000\n"
		 "[log]\nlevel = debug\n", sock, ctl, p2);
	write_file(conf, text);
	assert_int_equal(kill(b.pid, SIGHUP), 0);
	assert_true(log_has(&b, "SIGHUP: "));
	assert_true(log_has(&b, "reloaded"));
	RUN(&r, "--ctl", ctl, "forward", "list");
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof(want), "tcp:%u:81", p2);
	assert_non_null(strstr(r.out, want));
	snprintf(want, sizeof(want), "tcp:%u:", p1);
	assert_null(strstr(r.out, want));
	RUN(&r, "--ctl", ctl, "subnet", "get");
	assert_non_null(strstr(r.out, "10.9.0.0/24"));
	/* a bad file keeps the running configuration */
	write_file(conf, "[network]\nmtu = 1\n");
	assert_int_equal(kill(b.pid, SIGHUP), 0);
	assert_true(log_has(&b, "keeping the running configuration"));
	RUN(&r, "--ctl", ctl, "forward", "list");
	assert_int_equal(r.status, 0);
	assert_int_equal(bg_stop(&b, r.err, sizeof(r.err)), 0);
	unlink(conf);
	assert_non_null(strstr(r.err, "needs a restart: [network] mtu\n"));
	assert_non_null(strstr(r.err, "SIGHUP: log level info -> debug\n"));
	assert_int_equal(access(sock, F_OK), -1);
}

/* Signals that used to kill the daemon silently are logged and ignored; SIGQUIT shuts down cleanly. */
static void test_other_signals(void **state)
{
	static const int ignored[] = { SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGXFSZ };
	char sock[64], ctl[64], want[96];
	struct run r;
	struct bg b;
	int st, fd;

	(void)state;
	tmp_path(sock, sizeof(sock), "sig.sock");
	tmp_path(ctl, sizeof(ctl), "sig.ctl");
	bg_start(&b, "sig", (const char *const[]){ "--qemu-stream", sock, "--control", ctl, NULL });
	assert_true(wait_for_listen(ctl, START_MS));
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		assert_int_equal(kill(b.pid, ignored[i]), 0);
		snprintf(want, sizeof(want), "%s", strsignal(ignored[i]));
		assert_true(log_has(&b, want));
	}
	assert_int_equal(kill(b.pid, SIGHUP), 0);
	assert_true(log_has(&b, "SIGHUP: no --config file to reload"));
	RUN(&r, "--ctl", ctl, "forward", "list");
	assert_int_equal(r.status, 0);
	assert_int_equal(kill(b.pid, SIGQUIT), 0);
	assert_int_equal(waitpid(b.pid, &st, 0), b.pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(access(sock, F_OK), -1);
	assert_int_equal(access(ctl, F_OK), -1);
	fd = open(b.log, O_RDONLY);
	slurp(fd, r.err, sizeof(r.err));
	close(fd);
	unlink(b.log);
	assert_non_null(strstr(r.err, "User defined signal 1 (from pid "));
	assert_non_null(strstr(r.err, "no --config file to reload"));
	assert_non_null(strstr(r.err, ": shutting down\n"));
}

/* An export the daemon cannot read is a run-time failure (1); one it cannot write is served read-only. */
static void test_export_access(void **state)
{
	char dir[64], sock[64], ctl[64], want[160];
	struct run r;
	struct bg b;

	(void)state;
	if (geteuid() == 0 && access("/usr/bin/setpriv", X_OK) != 0)
		skip();
	snprintf(dir, sizeof(dir), "/tmp/indynetd-main-export-XXXXXX");
	assert_non_null(mkdtemp(dir));
	tmp_path(sock, sizeof(sock), "exp.sock");
	tmp_path(ctl, sizeof(ctl), "exp.ctl");
	as_nobody = true;
	assert_int_equal(chmod(dir, 0), 0);
	RUN(&r, "--qemu-dgram", sock, "--export", dir);
	assert_int_equal(r.status, 1);
	snprintf(want, sizeof(want), "indynetd: export %s: Permission denied (indynetd runs as uid ", dir);
	assert_non_null(strstr(r.err, want));
	assert_int_equal(access(sock, F_OK), -1);
	RUN(&r, "--qemu-dgram", sock, "--export", "/nonexistent/export");
	assert_int_equal(r.status, 2);
	assert_int_equal(chmod(dir, 0555), 0);
	bg_start(&b, "exp", (const char *const[]){ "--qemu-dgram", sock, "--export", dir, "--control", ctl, NULL });
	assert_true(wait_for_listen(ctl, START_MS));
	as_nobody = false;
	assert_int_equal(bg_stop(&b, r.err, sizeof(r.err)), 0);
	rmdir(dir);
	snprintf(want, sizeof(want), "warn: export %s is not writable by indynetd (uid ", dir);
	assert_non_null(strstr(r.err, want));
	assert_non_null(strstr(r.err, "(NFS v2+v3, read-only, squash"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_and_help),
		cmocka_unit_test(test_bad_input_exits_2),
		cmocka_unit_test(test_run_control_and_sigterm),
		cmocka_unit_test(test_socket_in_use),
		cmocka_unit_test(test_stale_socket_replaced),
		cmocka_unit_test(test_same_path_twice),
		cmocka_unit_test(test_socket_modes),
		cmocka_unit_test(test_sighup_reload),
		cmocka_unit_test(test_other_signals),
		cmocka_unit_test(test_export_access),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-OF-INDYNETD\n", argv[0]);
		return 2;
	}
	indynetd = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
