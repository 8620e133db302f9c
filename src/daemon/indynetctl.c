/* SPDX-License-Identifier: MIT */
/* indynetctl.c: the command-line client of indynetd's control API (tables by default, --json for scripts). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hclient.h"
#include "indynet-build.h"

/*
 * Each verb is one HTTP request (watch: the event stream).  Exit status:
 * 0 done, 1 the daemon refused (its message on stderr) or cannot be
 * reached, 2 bad usage.  With --json the response body is printed as it
 * came (for a refusal too: {"error": ..., "field": ...}).
 */

#define CTL_OK 0
#define CTL_REFUSED 1
#define CTL_USAGE 2

struct ctl {
	struct hclient_target t;
	char host[16];
	char token[128];
	bool json;
	long count;                /* watch: stop after this many events (0: never) */
	int64_t last_ms;           /* watch: previous event's time and counters */
	json_int_t last_tx, last_rx;
};

typedef void (*ctl_print_fn)(const json_t *body);

static void ctl_usage(FILE *out)
{
	fputs("Usage: indynetctl [--socket PATH | --url http://ADDR:PORT --token-file PATH] [--json]\n"
	      "                  COMMAND [ARGS]\n"
	      "Commands:\n"
	      "  status                      mode, liveness, guest, counters, drops, NAT, NFS\n"
	      "  watch [--count N]           live counters, one line per second\n"
	      "  forwards [list]             active port forwards\n"
	      "  forwards add SPEC           add tcp|udp:HOSTPORT:GUESTPORT[:any] or tcp|udp:[ADDR6]:HOSTPORT:GUESTPORT\n"
	      "  forwards remove SPEC|ID     remove one (ID: tcp:HOSTPORT, tcp6:HOSTPORT for IPv6)\n"
	      "  nat-subnet [CIDR]           show or change the NAT subnet\n"
	      "  interfaces                  host interfaces (bridge mode)\n"
	      "  interface NAME              bridge another interface (bridge mode)\n"
	      "  nfs-ip [suggest | IP]       the NFS server IP (bridge mode)\n"
	      "  mount-help [linux|irix]     guest commands that mount the export\n"
	      "  capture-access [enable]     packet-capture permission (bridge mode)\n"
	      "Exit status: 0 done, 1 the daemon refused or cannot be reached, 2 bad usage.\n"
	      "See indynetctl(1).\n",
	      out);
}

static int ctl_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int ctl_bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "indynetctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'indynetctl --help'.\n");
	return CTL_USAGE;
}

static int ctl_read_token(struct ctl *c, const char *path)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(c->token, sizeof(c->token), f)) {
		fprintf(stderr, "indynetctl: cannot read the token file %s: %s\n", path,
			f ? "empty" : strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	c->token[strcspn(c->token, "\r\n")] = '\0';
	c->t.token = c->token;
	return 0;
}

/* ---- tables ---- */

static const char *ctl_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static json_int_t ctl_int(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void ctl_print_forwards(const json_t *body)
{
	size_t i;
	json_t *fw;

	if (!json_array_size(json_object_get(body, "forwards"))) {
		printf("no forwards\n");
		return;
	}
	printf("%-6s %-22s %-22s %s\n", "PROTO", "HOST", "GUEST", "ID");
	json_array_foreach(json_object_get(body, "forwards"), i, fw) {
		char host[64], guest[80];
		const char *addr = json_string_value(json_object_get(fw, "guest_addr"));
		bool v6 = strchr(ctl_str(fw, "bind"), ':') != NULL;

		snprintf(host, sizeof(host), v6 ? "[%s]:%" JSON_INTEGER_FORMAT : "%s:%" JSON_INTEGER_FORMAT,
			 ctl_str(fw, "bind"), ctl_int(fw, "host_port"));
		snprintf(guest, sizeof(guest), "%s:%" JSON_INTEGER_FORMAT "%s",
			 addr ? addr : ctl_str(fw, "target"), ctl_int(fw, "guest_port"),
			 addr ? "" : " (follows)");
		printf("%-6s %-22s %-22s %s\n", ctl_str(fw, "proto"), host, guest, ctl_str(fw, "id"));
	}
}

static void ctl_print_forward(const json_t *body)
{
	printf("%s %s:%" JSON_INTEGER_FORMAT " -> guest port %" JSON_INTEGER_FORMAT "\n",
	       ctl_str(body, "proto"), ctl_str(body, "bind"), ctl_int(body, "host_port"),
	       ctl_int(body, "guest_port"));
}

static void ctl_print_subnet(const json_t *b)
{
	printf("%-10s %s\n%-10s %s\n%-10s %s\n%-10s %s\n%-10s %s\n", "subnet", ctl_str(b, "subnet"),
	       "netmask", ctl_str(b, "netmask"), "gateway", ctl_str(b, "gateway"), "guest",
	       ctl_str(b, "guest"), "broadcast", ctl_str(b, "broadcast"));
}

static void ctl_print_drops(const json_t *drops)
{
	const char *key;
	json_t *v;
	bool any = false;

	printf("%-10s", "drops");
	json_object_foreach((json_t *)drops, key, v) {
		if (json_integer_value(v)) {
			printf("%s %s %" JSON_INTEGER_FORMAT, any ? "," : "", key, json_integer_value(v));
			any = true;
		}
	}
	printf("%s\n", any ? "" : " none");
}

/* the clients that mounted, and the calls run per procedure (those run at least once) */
static void ctl_print_nfs_use(const json_t *nfs)
{
	const char *vers, *name;
	json_t *c, *procs, *n;
	size_t i;

	if (!json_is_true(json_object_get(nfs, "enabled")))
		return;
	printf("%-10s", "clients");
	json_array_foreach(json_object_get(nfs, "clients"), i, c)
		printf("%s %s:%s", i ? "," : "", ctl_str(c, "addr"), ctl_str(c, "path"));
	printf("%s\n", json_array_size(json_object_get(nfs, "clients")) ? "" : " none");
	printf("%-10s %" JSON_INTEGER_FORMAT, "calls", ctl_int(json_object_get(nfs, "server"), "calls"));
	json_object_foreach((json_t *)json_object_get(nfs, "procedures"), vers, procs)
		json_object_foreach(procs, name, n)
			if (json_integer_value(n))
				printf(" %s/%s %" JSON_INTEGER_FORMAT, vers, name, json_integer_value(n));
	printf("\n");
}

/* ": TEXT" for a non-empty string member, else "" */
static const char *ctl_colon(const json_t *o, const char *key, char *buf, size_t len)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(buf, len, "%s%s", s && s[0] ? ": " : "", s ? s : "");
	return buf;
}

/* bridge mode: the capture (its error names the fix) and the phantom NFS host */
static void ctl_print_bridge(const json_t *b)
{
	const json_t *cap = json_object_get(b, "capture");
	const json_t *ph = json_object_get(json_object_get(b, "nfs"), "phantom");
	char err[320];

	if (!json_object_get(cap, "interface")) {
		printf("%-10s %s\n", "capture", ctl_str(cap, "state"));
		return;
	}
	printf("%-10s %s on %s%s\n", "capture", ctl_str(cap, "state"), ctl_str(cap, "interface"),
	       ctl_colon(cap, "error", err, sizeof(err)));
	if (ph)
		printf("%-10s %s %s%s\n", "nfs-ip", ctl_str(ph, "state"), ctl_str(ph, "ip"),
		       ctl_colon(ph, "error", err, sizeof(err)));
}

/* --impair: the link's spec and what it did; nothing on a perfect link */
static void ctl_print_impair(const json_t *b)
{
	const json_t *im = json_object_get(b, "impair");

	if (json_is_object(im))
		printf("%-10s %s (on purpose): dropped %" JSON_INTEGER_FORMAT ", duplicated %" JSON_INTEGER_FORMAT
		       ", reordered %" JSON_INTEGER_FORMAT ", delayed %" JSON_INTEGER_FORMAT "\n",
		       "impair", ctl_str(im, "spec"), ctl_int(im, "dropped"), ctl_int(im, "duplicated"),
		       ctl_int(im, "reordered"), ctl_int(im, "delayed"));
}

static void ctl_print_status(const json_t *b)
{
	const json_t *g = json_object_get(b, "guest"), *c = json_object_get(b, "counters");
	const json_t *nat = json_object_get(b, "nat"), *nfs = json_object_get(b, "nfs");
	json_int_t last = ctl_int(b, "last_frame_ms");

	printf("%-10s %s\n", "mode", ctl_str(b, "mode"));
	if (last)
		printf("%-10s %s (last guest frame %.1f s ago)\n", "liveness", ctl_str(b, "liveness"),
		       (double)(ctl_int(b, "now_ms") - last) / 1000.0);
	else
		printf("%-10s %s (no guest frame yet)\n", "liveness", ctl_str(b, "liveness"));
	printf("%-10s ip %s, mac %s\n", "guest", ctl_str(g, "ip"), ctl_str(g, "mac"));
	printf("%-10s tx %" JSON_INTEGER_FORMAT " frames / %" JSON_INTEGER_FORMAT
	       " bytes, rx %" JSON_INTEGER_FORMAT " frames / %" JSON_INTEGER_FORMAT " bytes\n",
	       "traffic", ctl_int(c, "tx_frames"), ctl_int(c, "tx_bytes"), ctl_int(c, "rx_frames"),
	       ctl_int(c, "rx_bytes"));
	ctl_print_drops(json_object_get(b, "drops"));
	ctl_print_impair(b);
	if (nat)
		printf("%-10s subnet %s, gateway %s\n", "nat", ctl_str(nat, "subnet"),
		       ctl_str(nat, "gateway"));
	if (json_is_true(json_object_get(nfs, "enabled")))
		printf("%-10s %s at %s (%s)\n", "nfs", ctl_str(nfs, "export"), ctl_str(nfs, "address"),
		       json_is_true(json_object_get(nfs, "read_only")) ? "read-only" : "read-write");
	else
		printf("%-10s no export\n", "nfs");
	ctl_print_nfs_use(nfs);
	ctl_print_bridge(b);
}

/* the interfaces, '*' marking the one captured on */
static void ctl_print_interfaces(const json_t *b)
{
	const char *cur = ctl_str(b, "current");
	size_t i;
	json_t *f;

	printf("  %-3s %-16s %-8s %s\n", "#", "NAME", "STATE", "ADDRESSES");
	json_array_foreach(json_object_get(b, "interfaces"), i, f) {
		const char *addrs = ctl_str(f, "addresses");

		printf("%c %-3" JSON_INTEGER_FORMAT " %-16s %-8s %s\n", strcmp(ctl_str(f, "name"), cur) ? ' ' : '*',
		       ctl_int(f, "index"), ctl_str(f, "name"),
		       json_is_true(json_object_get(f, "up")) ? "up" : "down", addrs[0] ? addrs : "-");
	}
}

static void ctl_print_lines(const json_t *b, const char *key, const char *title)
{
	size_t i;
	json_t *line;

	if (!json_object_get(b, key))
		return;
	printf("%s:\n", title);
	json_array_foreach(json_object_get(b, key), i, line)
		printf("  %s\n", json_string_value(line));
}

static void ctl_print_mount(const json_t *b)
{
	printf("NFS server %s, export %s\n", ctl_str(b, "address"), ctl_str(b, "export"));
	ctl_print_lines(b, "linux", "Linux");
	ctl_print_lines(b, "irix", "IRIX");
}

/* Anything else: one "key value" line per member. */
static void ctl_print_generic(const json_t *b)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)b, key, v) {
		char *text = json_is_string(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		printf("%-12s %s\n", key, text ? text : json_string_value(v));
		free(text);
	}
}

/* ---- requests ---- */

static int ctl_call(struct ctl *c, const char *method, const char *path, json_t *body,
		    ctl_print_fn print)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	struct hclient_resp r;
	char err[256];
	json_t *j;
	int rc;

	json_decref(body);
	rc = hclient_request(&c->t, method, path, text, &r, err, sizeof(err));
	free(text);
	if (rc < 0) {
		fprintf(stderr, "indynetctl: %s\n", err);
		free(r.body);
		return CTL_REFUSED;
	}
	j = json_loads(r.body, 0, NULL);
	if (c->json)
		printf("%s\n", r.body);
	else if (r.status >= 300)
		fprintf(stderr, "indynetctl: %s (HTTP %d)\n",
			j ? ctl_str(j, "error") : r.body, r.status);
	else if (j)
		print(j);
	json_decref(j);
	free(r.body);
	return r.status >= 300 ? CTL_REFUSED : CTL_OK;
}

static int64_t ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void ctl_watch_line(struct ctl *c, const json_t *st)
{
	const json_t *k = json_object_get(st, "counters");
	json_int_t tx = ctl_int(k, "tx_bytes"), rx = ctl_int(k, "rx_bytes");
	int64_t now = ctl_now_ms();
	double secs = c->last_ms ? (double)(now - c->last_ms) / 1000.0 : 0;
	time_t wall = time(NULL);
	char hms[16];

	strftime(hms, sizeof(hms), "%H:%M:%S", localtime(&wall));
	printf("%s %-7s tx %" JSON_INTEGER_FORMAT " frames (%.0f B/s)  rx %" JSON_INTEGER_FORMAT
	       " frames (%.0f B/s)\n", hms, ctl_str(st, "liveness"), ctl_int(k, "tx_frames"),
	       secs > 0 ? (double)(tx - c->last_tx) / secs : 0.0, ctl_int(k, "rx_frames"),
	       secs > 0 ? (double)(rx - c->last_rx) / secs : 0.0);
	c->last_ms = now;
	c->last_tx = tx;
	c->last_rx = rx;
}

static bool ctl_watch_event(void *opaque, const char *line)
{
	struct ctl *c = opaque;
	json_t *st;

	if (strncmp(line, "data: ", 6) != 0)
		return true;
	if (c->json) {
		printf("%s\n", line + 6);
	} else if ((st = json_loads(line + 6, 0, NULL))) {
		ctl_watch_line(c, st);
		json_decref(st);
	}
	fflush(stdout);
	return !(c->count > 0 && --c->count == 0);
}

static int ctl_watch(struct ctl *c, int argc, char **argv)
{
	char err[256];
	int status = 0;

	if (argc == 2 && strcmp(argv[0], "--count") == 0)
		c->count = strtol(argv[1], NULL, 10);
	else if (argc)
		return ctl_bad("watch takes only --count N, not '%s'", argv[0]);
	if (hclient_stream(&c->t, "/api/events", ctl_watch_event, c, &status, err, sizeof(err)) < 0) {
		fprintf(stderr, "indynetctl: %s\n", err);
		return CTL_REFUSED;
	}
	if (status != 200) {
		fprintf(stderr, "indynetctl: the daemon refused the event stream (HTTP %d)\n", status);
		return CTL_REFUSED;
	}
	return CTL_OK;
}

/* "tcp:8080" is an id; anything with two colons a spec. */
static int ctl_forwards(struct ctl *c, int argc, char **argv)
{
	char path[96];

	if (argc == 0 || (argc == 1 && strcmp(argv[0], "list") == 0))
		return ctl_call(c, "GET", "/api/forwards", NULL, ctl_print_forwards);
	if (argc == 2 && strcmp(argv[0], "add") == 0)
		return ctl_call(c, "POST", "/api/forwards", json_pack("{s:s}", "spec", argv[1]),
				ctl_print_forward);
	if (argc != 2 || strcmp(argv[0], "remove") != 0)
		return ctl_bad("forwards takes list, add SPEC or remove SPEC (got '%s')", argv[0]);
	if (strchr(argv[1], ':') == strrchr(argv[1], ':')) {
		if (strlen(argv[1]) > 40 || strspn(argv[1], "tcpud:0123456789") != strlen(argv[1]))
			return ctl_bad("'%s' is not a forward id (tcp:HOSTPORT)", argv[1]);
		snprintf(path, sizeof(path), "/api/forwards/%s", argv[1]);
		return ctl_call(c, "DELETE", path, NULL, ctl_print_forward);
	}
	return ctl_call(c, "DELETE", "/api/forwards", json_pack("{s:s}", "spec", argv[1]),
			ctl_print_forward);
}

static int ctl_one_arg(struct ctl *c, const char *verb, int argc, char **argv, const char *get,
		       const char *put, const char *field, ctl_print_fn print)
{
	if (argc == 0 && get)
		return ctl_call(c, "GET", get, NULL, print);
	if (argc == 1 && put)
		return ctl_call(c, "PUT", put, json_pack("{s:s}", field, argv[0]), print);
	return ctl_bad("wrong arguments for %s (see --help)", verb);
}

static int ctl_nfs_ip(struct ctl *c, int argc, char **argv)
{
	if (argc == 1 && strcmp(argv[0], "suggest") == 0)
		return ctl_call(c, "GET", "/api/nfs-ip/suggest", NULL, ctl_print_generic);
	return ctl_one_arg(c, "nfs-ip", argc, argv, "/api/nfs-ip", "/api/nfs-ip", "ip",
			   ctl_print_generic);
}

static int ctl_mount_help(struct ctl *c, int argc, char **argv)
{
	char path[64];

	if (argc == 0)
		return ctl_call(c, "GET", "/api/mount-help", NULL, ctl_print_mount);
	if (argc > 1 || (strcmp(argv[0], "linux") != 0 && strcmp(argv[0], "irix") != 0))
		return ctl_bad("mount-help takes linux or irix, not '%s'", argv[0]);
	snprintf(path, sizeof(path), "/api/mount-help?os=%s", argv[0]);
	return ctl_call(c, "GET", path, NULL, ctl_print_mount);
}

static int ctl_capture(struct ctl *c, int argc, char **argv)
{
	if (argc == 0)
		return ctl_call(c, "GET", "/api/capture-access", NULL, ctl_print_generic);
	if (argc == 1 && strcmp(argv[0], "enable") == 0)
		return ctl_call(c, "POST", "/api/capture-access/enable", NULL, ctl_print_generic);
	return ctl_bad("capture-access takes only 'enable', not '%s'", argv[0]);
}

static int ctl_no_args(struct ctl *c, int argc, char **argv, const char *path, ctl_print_fn print)
{
	if (argc)
		return ctl_bad("unexpected argument '%s'", argv[0]);
	return ctl_call(c, "GET", path, NULL, print);
}

static int ctl_dispatch(struct ctl *c, const char *verb, int argc, char **argv)
{
	if (strcmp(verb, "status") == 0)
		return ctl_no_args(c, argc, argv, "/api/status", ctl_print_status);
	if (strcmp(verb, "watch") == 0)
		return ctl_watch(c, argc, argv);
	if (strcmp(verb, "forwards") == 0)
		return ctl_forwards(c, argc, argv);
	if (strcmp(verb, "nat-subnet") == 0)
		return ctl_one_arg(c, verb, argc, argv, "/api/nat-subnet", "/api/nat-subnet", "subnet",
				   ctl_print_subnet);
	if (strcmp(verb, "interfaces") == 0)
		return ctl_no_args(c, argc, argv, "/api/interfaces", ctl_print_interfaces);
	if (strcmp(verb, "interface") == 0)
		return ctl_one_arg(c, verb, argc, argv, NULL, "/api/interface", "interface",
				   ctl_print_generic);
	if (strcmp(verb, "nfs-ip") == 0)
		return ctl_nfs_ip(c, argc, argv);
	if (strcmp(verb, "mount-help") == 0)
		return ctl_mount_help(c, argc, argv);
	if (strcmp(verb, "capture-access") == 0)
		return ctl_capture(c, argc, argv);
	return ctl_bad("unknown command '%s'", verb);
}

static int ctl_target(struct ctl *c, const char *sock, const char *url, const char *token_file)
{
	if (!sock && !url)
		sock = getenv("INDYNET_SOCKET");
	if (!!sock == !!url)
		return ctl_bad("%s", "give either --socket PATH or --url URL (or set INDYNET_SOCKET)");
	if (sock) {
		c->t.unix_path = sock;
		return CTL_OK;
	}
	if (hclient_parse_url(url, c->host, &c->t.port) < 0)
		return ctl_bad("'%s' is not http://ADDR:PORT/", url);
	c->t.host = c->host;
	if (!token_file)
		return ctl_bad("%s", "--url needs --token-file PATH");
	return ctl_read_token(c, token_file) < 0 ? CTL_REFUSED : CTL_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' }, { "url", required_argument, NULL, 'u' },
		{ "token-file", required_argument, NULL, 't' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },           { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { 0 };
	const char *sock = NULL, *url = NULL, *token_file = NULL;
	int o, rc;

	while ((o = getopt_long(argc, argv, "+hVj", opts, NULL)) != -1) {
		switch (o) {
		case 's': sock = optarg; break;
		case 'u': url = optarg; break;
		case 't': token_file = optarg; break;
		case 'j': c.json = true; break;
		case 'h': ctl_usage(stdout); return CTL_OK;
		case 'V': printf("indynetctl %s\n", INDYNET_VERSION); return CTL_OK;
		default: return ctl_bad("%s", "bad option");
		}
	}
	if (optind >= argc)
		return ctl_bad("%s", "no command given");
	rc = ctl_target(&c, sock, url, token_file);
	if (rc != CTL_OK)
		return rc;
	return ctl_dispatch(&c, argv[optind], argc - optind - 1, argv + optind + 1);
}
