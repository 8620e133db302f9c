/* SPDX-License-Identifier: MIT */
/* main.c: indynetd - start-up, the main thread's loop (signals, control, frontend upkeep), shutdown. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <indynet/indynet.h>
#include <microhttpd.h>

#include "indynet-build.h"

#include "caccess_cli.h"
#include "cli.h"
#include "cmd.h"
#include "control.h"
#include "http.h"
#include "dlog.h"
#include "frontend.h"
#include "options.h"
#include "reload.h"
#include "export_check.h"
#include "sandbox.h"

/* Exit statuses (documented in indynetd(8)). */
#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

struct daemon {
	struct daemon_opts opts;
	struct frontend *fe;
	indynet_engine *eng;
	struct http_server *http;
	struct cmd_ctx cmd;
	bool cmd_ready;
	int sig_fd;
	bool export_ro; /* the export is not writable by the daemon: served read-only */
	int argc;     /* the command line, parsed again on SIGHUP */
	char **argv;
	char token_file[PATH_MAX]; /* --http's token file (unlinked at shutdown if generated) */
};

static void daemon_config(const struct daemon *d, struct indynet_config *cfg)
{
	const struct daemon_opts *o = &d->opts;

	indynet_config_init(cfg);
	cfg->mode = o->mode;
	cfg->nat_subnet = o->nat_subnet;
	cfg->mtu = o->mtu;
	cfg->export_dir = o->export_dir;
	cfg->nfs_version = o->nfs_version;
	cfg->nfs_transport = o->nfs_transport;
	cfg->read_only = o->read_only || d->export_ro;
	cfg->attr_model = o->attr_model;
	cfg->nfs_uid = o->uid;
	cfg->nfs_gid = o->gid;
	cfg->nfs_cache_nodes = o->nfs_cache_nodes;
	cfg->nfs_cache_fds = o->nfs_cache_fds;
	cfg->nat_max_flows = o->nat_max_flows;
	cfg->nat_ipv6 = !o->no_ipv6;
	cfg->nat_prefix6 = o->nat_prefix6;
	cfg->nat_no_host_loopback = !o->host_loopback;
	cfg->nat_restrict = o->restrict_guest;
	cfg->nat_outbound_addr = o->outbound_addr;
	cfg->nat_dns = o->dns;
	cfg->nat_dns_search = o->dns_search;
	cfg->nat_hostname = o->hostname;
	cfg->nat_tftp_dir = o->tftp_dir;
	cfg->nat_bootfile = o->bootfile;
	cfg->impair = o->impair;
	cfg->capture_file = o->capture_file;
	cfg->nfs_bridge_ip = o->nfs_bridge_ip;
	cfg->bridge_interface = o->interface;
	cfg->capture_buffer = o->capture_buffer;
	cfg->bridge_mac = o->bridge_mac;
	cfg->bridge_host_reach_off = !o->bridge_host_reach;
	cfg->log_level = INDYNET_LOG_DEBUG; /* dlog filters: a SIGHUP can change the level */
	cfg->log = dlog_engine;
	cfg->rx_notify = frontend_rx_notify;
	cfg->rx_deliver = frontend_rx_deliver;
	cfg->rx_notify_opaque = d->fe;
}

/*
 * Signals: none may kill the daemon without its sockets being unlinked or
 * without a log line.  Every signal whose default is to terminate and that
 * is not a fault is blocked in every thread (the engine's and libmicrohttpd's
 * inherit the mask) and read here from a signalfd: SIGINT, SIGTERM and
 * SIGQUIT shut down cleanly, SIGHUP reloads the configuration, the others
 * are logged and ignored (SIGPIPE from a write is moot: writes use
 * MSG_NOSIGNAL).
 */
static const int daemon_shutdown_signals[] = { SIGINT, SIGTERM, SIGQUIT };
static const int daemon_ignored_signals[] = { SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGVTALRM,
					       SIGXCPU, SIGXFSZ, SIGIO, SIGPWR, SIGSTKFLT };

static bool daemon_sig_in(int sig, const int *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == sig)
			return true;
	return false;
}

static int daemon_signals(struct daemon *d)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(daemon_shutdown_signals) / sizeof(int); i++)
		sigaddset(&set, daemon_shutdown_signals[i]);
	for (size_t i = 0; i < sizeof(daemon_ignored_signals) / sizeof(int); i++)
		sigaddset(&set, daemon_ignored_signals[i]);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaddset(&set, sig);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	d->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return d->sig_fd < 0 ? -1 : 0;
}

/* One signal read from the signalfd: true when it asks for shutdown. */
static bool daemon_on_signal(struct daemon *d, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;

	if (daemon_sig_in(sig, daemon_shutdown_signals,
			  sizeof(daemon_shutdown_signals) / sizeof(int))) {
		dlog(INDYNET_LOG_INFO, "%s: shutting down", strsignal(sig));
		return true;
	}
	if (sig == SIGHUP) {
		reload_config(&d->opts, &d->cmd, d->argc, d->argv);
		return false;
	}
	dlog(INDYNET_LOG_WARN, "%s (from pid %u): ignored", strsignal(sig), si->ssi_pid);
	return false;
}

/* the IPv6 forwards of the command line and file; -1 when one fails (named on stderr) */
static int daemon_add_forwards6(struct daemon *d)
{
	char err[256];

	for (size_t i = 0; i < d->opts.n_forwards6; i++) {
		int rc;

		err[0] = '\0';
		rc = indynet_forward6_add(d->eng, &d->opts.forwards6[i], err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "indynetd: %s\n", err[0] ? err : strerror(-rc));
			return -1;
		}
	}
	return 0;
}

static int daemon_engine(struct daemon *d)
{
	struct indynet_config cfg;
	char err[256] = "";
	int rc;

	daemon_config(d, &cfg);
	rc = indynet_engine_new(&cfg, &d->eng, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "indynetd: %s\n", err[0] ? err : strerror(-rc));
		return rc == -EINVAL || rc == -ENODEV || rc == -EOPNOTSUPP ? EXIT_USAGE : EXIT_RUNTIME;
	}
	for (size_t i = 0; i < d->opts.n_forwards; i++) {
		char spec[INDYNET_FORWARD_TEXT_MAX];

		err[0] = '\0';
		rc = indynet_forward_add(d->eng, &d->opts.forwards[i], err, sizeof(err));
		if (rc < 0) {
			if (err[0])
				fprintf(stderr, "indynetd: %s\n", err);
			else
				fprintf(stderr, "indynetd: forward %s: %s\n",
					indynet_forward_format(&d->opts.forwards[i], spec, sizeof(spec)),
					strerror(-rc));
			return EXIT_RUNTIME;
		}
	}
	if (daemon_add_forwards6(d) < 0)
		return EXIT_RUNTIME;
	return 0;
}

/* The threads: the engine's (and its NFS worker), then libmicrohttpd's; all inherit the sandbox. */
static int daemon_start(struct daemon *d)
{
	char err[512];
	int rc;

	if (frontend_start(d->fe, d->eng) < 0)
		return EXIT_RUNTIME;
	rc = indynet_engine_start(d->eng);
	if (rc < 0) {
		fprintf(stderr, "indynetd: cannot start the engine: %s\n", strerror(-rc));
		return EXIT_RUNTIME;
	}
	if (d->http && http_start(d->http, err, sizeof(err)) < 0) {
		fprintf(stderr, "indynetd: control API: %s\n", err);
		return EXIT_RUNTIME;
	}
	return 0;
}

/* Everything is open: confine the daemon before its first thread (sandbox.h). */
static int daemon_sandbox(struct daemon *d)
{
	const struct daemon_opts *o = &d->opts;
	struct sandbox_plan p = {
		.enabled = o->sandbox, .user = o->user, .bridge = o->mode == INDYNET_MODE_BRIDGE,
		.export_dir = o->export_dir, .export_ro = o->read_only || d->export_ro,
		.tftp_dir = o->tftp_dir, .config_file = o->config_file,
		.slirp = o->mode == INDYNET_MODE_NAT || o->bridge_host_reach,
	};
	const char *removes[] = { o->control_path, d->token_file[0] ? d->token_file : NULL,
				  o->frontend == FE_QEMU_STREAM || o->frontend == FE_QEMU_DGRAM ? o->frontend_arg : NULL };
	char err[512];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(removes) / sizeof(removes[0]); i++)
		if (removes[i])
			p.removes[n++] = removes[i];
	if (sandbox_enter(&p, err, sizeof(err)) < 0) {
		fprintf(stderr, "indynetd: %s\n", err);
		return -1;
	}
	return 0;
}

/*
 * --suggest-nfs-ip: a bridge-mode engine with no guest; once its capture is
 * up, the engine ARP-probes the candidates and names the first free one.
 */
#define SUGGEST_WAIT_MS 15000
#define SUGGEST_STEP_MS 200

static int daemon_suggest_nfs_ip(struct daemon *d)
{
	struct indynet_config cfg;
	char ip[16], err[256] = "";
	int rc;

	d->opts.mode = INDYNET_MODE_BRIDGE;
	daemon_config(d, &cfg);
	cfg.export_dir = NULL;
	cfg.nfs_bridge_ip = NULL;
	cfg.capture_file = NULL;
	cfg.rx_notify = NULL;
	cfg.rx_deliver = NULL;
	rc = indynet_engine_new(&cfg, &d->eng, err, sizeof(err));
	if (rc == 0)
		rc = indynet_engine_start(d->eng);
	for (int waited = 0; rc == 0 || (rc == -ENETDOWN && waited < SUGGEST_WAIT_MS); waited += SUGGEST_STEP_MS) {
		if (rc == -ENETDOWN)
			usleep(SUGGEST_STEP_MS * 1000);
		rc = indynet_suggest_nfs_ip(d->eng, ip, sizeof(ip), err, sizeof(err));
		if (rc == 0) {
			printf("%s\n", ip);
			return 0;
		}
	}
	fprintf(stderr, "indynetd: --suggest-nfs-ip: %s\n", err[0] ? err : strerror(-rc));
	return rc == -EINVAL || rc == -EOPNOTSUPP ? EXIT_USAGE : EXIT_RUNTIME;
}

static void daemon_summary(const struct daemon *d)
{
	static const char *const versions[] = { [INDYNET_NFS_AUTO] = "v2+v3",
						[INDYNET_NFS_V2] = "v2", [INDYNET_NFS_V3] = "v3" };
	const struct daemon_opts *o = &d->opts;
	char nfs[512] = "no NFS export", net[224];
	struct indynet_capture_status cs;
	struct indynet_bridge_mac_status ms;

	if (o->export_dir)
		snprintf(nfs, sizeof(nfs), "export %s (NFS %s, %s, %s %u:%u)", o->export_dir,
			 versions[o->nfs_version], o->read_only || d->export_ro ? "read-only" : "read-write",
			 o->attr_model == INDYNET_ATTR_MAPPED ? "mapped" : "squash", o->uid, o->gid);
	if (o->mode == INDYNET_MODE_NAT)
		snprintf(net, sizeof(net), "mode nat, subnet %s", o->nat_subnet);
	else if (indynet_capture_status_get(d->eng, &cs) == 0 && indynet_bridge_mac_status_get(d->eng, &ms) == 0)
		snprintf(net, sizeof(net), "mode bridge, interface %s (%s), capture buffer %u, bridge-mac %s (%s)",
			 cs.interface, indynet_capture_state_name(cs.state), o->capture_buffer,
			 indynet_bridge_mac_name(o->bridge_mac), indynet_bridge_mac_name(ms.mode));
	dlog(INDYNET_LOG_INFO, "indynetd %s: %s, mtu %u, frontend --%s %s%s%s, %s, %zu forward(s)%s%s",
	     INDYNET_VERSION, net, o->mtu, opts_frontend_name(o->frontend), o->frontend_arg,
	     o->tap_netns ? " in netns " : "", o->tap_netns ? o->tap_netns : "", nfs, o->n_forwards,
	     o->capture_file ? ", capture " : "", o->capture_file ? o->capture_file : "");
}

/* Lower a poll timeout (-1: none) to @ms when that is sooner (@ms -1: no deadline). */
static void daemon_lower_timeout(int *timeout, int ms)
{
	if (ms >= 0 && (*timeout < 0 || ms < *timeout))
		*timeout = ms;
}

/* Returns 0 when SIGINT or SIGTERM arrives, EXIT_RUNTIME when the frontend cannot go on. */
static int daemon_loop(struct daemon *d)
{
	for (;;) {
		struct pollfd pfds[16];
		size_t n = 1, fe_first, ctl_first;
		int timeout = -1;

		pfds[0] = (struct pollfd){ .fd = d->sig_fd, .events = POLLIN };
		fe_first = n;
		frontend_poll_fill(d->fe, pfds, &n, &timeout);
		ctl_first = n;
		http_poll_fill(d->http, pfds, &n, &timeout);
		daemon_lower_timeout(&timeout, dlog_deadline_ms());
		if (poll(pfds, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			dlog(INDYNET_LOG_ERROR, "poll: %s", strerror(errno));
			return EXIT_RUNTIME;
		}
		if (pfds[0].revents) {
			struct signalfd_siginfo si;

			if (read(d->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si) &&
			    daemon_on_signal(d, &si))
				return 0;
		}
		dlog_flush();
		frontend_poll_handle(d->fe, pfds + fe_first, ctl_first - fe_first);
		http_poll_handle(d->http, pfds + ctl_first, n - ctl_first);
		if (frontend_failed(d->fe)) {
			dlog(INDYNET_LOG_ERROR, "the frontend cannot go on: shutting down");
			return EXIT_RUNTIME;
		}
	}
}

/* The control API: on the control socket, and on TCP with --http. */
static int daemon_http(struct daemon *d)
{
	const struct daemon_opts *o = &d->opts;
	struct http_config hc = { .unix_path = o->control_path, .allow_remote = o->http_allow_remote,
				  .token_file = o->http_token_file, .defer_start = true };
	char err[512];

	if (!o->control_path && !o->http)
		return 0;
	if (o->http) {
		hc.tcp_addr = o->http_addr;
		hc.tcp_port = o->http_port;
	}
	if (o->http && hc.token_file)
		snprintf(d->token_file, sizeof(d->token_file), "%s", hc.token_file);
	else if (o->http && o->control_path)
		snprintf(d->token_file, sizeof(d->token_file), "%s.token", o->control_path);
	if (d->token_file[0])
		hc.token_file = d->token_file;
	if (http_open(&hc, &d->cmd, &d->http, err, sizeof(err)) < 0) {
		fprintf(stderr, "indynetd: control API: %s\n", err);
		return -1;
	}
	if (o->http)
		dlog(INDYNET_LOG_INFO, "control API on http://%s:%u/ (token in %s); panel: "
				       "http://%s:%u/#token=%s",
		     o->http_addr, http_tcp_port(d->http), hc.token_file, o->http_addr,
		     http_tcp_port(d->http), http_token(d->http));
	return 0;
}

/* An export the daemon cannot read fails start-up; one it cannot write is served read-only. */
static int daemon_export(struct daemon *d)
{
	bool writable;
	char err[512];

	if (export_check(d->opts.export_dir, &writable, err, sizeof(err)) < 0) {
		fprintf(stderr, "indynetd: %s\n", err);
		return -1;
	}
	d->export_ro = !writable && !d->opts.read_only;
	if (d->export_ro)
		dlog(INDYNET_LOG_WARN, "export %s is not writable by indynetd (uid %u): serving it "
				       "read-only", d->opts.export_dir, (unsigned)geteuid());
	return 0;
}

static int daemon_run(struct daemon *d)
{
	char err[512];
	int rc;

	dlog_set_level(d->opts.log_level);
	if (daemon_signals(d) < 0) {
		fprintf(stderr, "indynetd: cannot set up signal handling: %s\n", strerror(errno));
		return EXIT_RUNTIME;
	}
	if (daemon_export(d) < 0)
		return EXIT_RUNTIME;
	if (frontend_new(&d->opts, &d->fe, err, sizeof(err)) < 0) {
		fprintf(stderr, "indynetd: --%s %s: %s\n", opts_frontend_name(d->opts.frontend),
			d->opts.frontend_arg, err);
		return EXIT_RUNTIME;
	}
	rc = daemon_engine(d);
	if (rc)
		return rc;
	cmd_ctx_init(&d->cmd, d->eng, &d->opts);
	d->cmd.peer_connected = frontend_has_peer;
	d->cmd.peer_opaque = d->fe;
	d->cmd_ready = true;
	if (daemon_http(d) < 0 || daemon_sandbox(d) < 0)
		return EXIT_RUNTIME;
	d->cmd.confined = sandbox_active();
	rc = daemon_start(d);
	if (rc)
		return rc;
	daemon_summary(d);
	return daemon_loop(d);
}

static void daemon_shutdown(struct daemon *d)
{
	http_close(d->http);
	if (d->cmd_ready)
		cmd_ctx_destroy(&d->cmd);
	frontend_stop(d->fe);
	indynet_engine_free(d->eng); /* stops the thread, closes the capture file */
	frontend_free(d->fe);
	if (d->sig_fd >= 0)
		close(d->sig_fd);
	dlog_reset(); /* the last summaries of suppressed lines */
	opts_free(&d->opts);
}

/* --list-interfaces: one line per interface, numbered as --interface N counts */
static int daemon_list_interfaces(void)
{
	struct indynet_interface ifs[128];
	char err[256];
	int n = indynet_interface_list(ifs, 128, err, sizeof(err));

	if (n < 0) {
		fprintf(stderr, "indynetd: %s\n", err);
		return EXIT_RUNTIME;
	}
	for (int i = 0; i < n && i < 128; i++) {
		const struct indynet_interface *f = &ifs[i];

		printf("%u: %s <%s%s%s%s>%s%s%s%s%s\n", f->index, f->name, f->up ? "UP" : "DOWN",
		       f->running ? ",RUNNING" : "", f->loopback ? ",LOOPBACK" : "", f->wireless ? ",WIRELESS" : "",
		       f->addresses[0] ? " " : "", f->addresses, f->description[0] ? " (" : "", f->description,
		       f->description[0] ? ")" : "");
	}
	return 0;
}

/* --version: the versions, and what this build has (packet capture, NAT, NFS, control API) */
static void daemon_version(void)
{
	struct indynet_build_info b;

	indynet_build_info_get(&b);
	printf("indynetd %s (libindynet %s)\n", INDYNET_VERSION, indynet_version());
	if (b.packet_capture)
		printf("packet capture: yes, bridge mode (%s)\n", b.pcap_version);
	else
		printf("packet capture: no (built without libpcap: NAT mode only)\n");
	printf("NAT: libslirp %s\n", b.slirp_version);
	printf("NFS: %s%s%s\n", b.nfs_v2 ? "v2" : "", b.nfs_v2 && b.nfs_v3 ? " " : "", b.nfs_v3 ? "v3" : "");
	printf("control API: HTTP on --control and --http, web panel, --ctl (libmicrohttpd %s)\n", MHD_get_version());
	printf("sandbox: capabilities, --user, no_new_privs, Landlock, %s\n",
	       INDYNET_HAVE_SECCOMP ? "seccomp" : "no seccomp (built without libseccomp)");
	if (INDYNET_TEST_HOOKS)
		printf("test hooks: yes (-Dtest_hooks=true: a test build, not for use)\n");
}

int main(int argc, char **argv)
{
	struct daemon d = { .sig_fd = -1, .argc = argc, .argv = argv };
	char err[512];
	int rc;

	opts_init(&d.opts);
	if (opts_parse_args(&d.opts, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "indynetd: %s\n", err);
		fprintf(stderr, "Try 'indynetd --help'.\n");
		opts_free(&d.opts);
		return EXIT_USAGE;
	}
	switch (d.opts.action) {
	case OPTS_HELP:
		cli_usage(stdout);
		rc = 0;
		break;
	case OPTS_LIST_INTERFACES:
		rc = daemon_list_interfaces();
		break;
	case OPTS_VERSION:
		daemon_version();
		rc = 0;
		break;
	case OPTS_CTL:
		rc = control_client_run(d.opts.ctl_path, d.opts.ctl_command);
		break;
	case OPTS_CAPTURE_ACCESS:
		rc = caccess_cli_run(d.opts.capture_access, d.opts.interface);
		break;
	case OPTS_SUGGEST_NFS_IP:
		rc = daemon_suggest_nfs_ip(&d);
		daemon_shutdown(&d);
		return rc;
	default:
		rc = daemon_run(&d);
		daemon_shutdown(&d);
		return rc;
	}
	opts_free(&d.opts);
	return rc;
}
