/* SPDX-License-Identifier: MIT */
/* cmd.c: the command table, its dispatcher and the argument accessors every handler uses. */
#include "cmd.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_int.h"
#include "dlog.h"
#include "indynet-build.h"

static const struct cmd_def cmd_rows[] = {
	{ .name = "status", .method = "GET", .path = "/api/status", .line = "stats",
	  .fields = "", .run = cmd_status, .text = cmd_status_text },
	{ .name = "forwards.list", .method = "GET", .path = "/api/forwards", .line = "forward list",
	  .fields = "", .run = cmd_forwards_list, .text = cmd_forwards_text },
	{ .name = "forwards.add", .method = "POST", .path = "/api/forwards", .line = "forward add",
	  .line_arg = "spec", .fields = CMD_FORWARD_FIELDS, .run = cmd_forwards_add,
	  .text = cmd_text_none, .mutates = true },
	{ .name = "forwards.remove", .method = "DELETE", .path = "/api/forwards",
	  .line = "forward remove", .line_arg = "spec", .fields = CMD_FORWARD_FIELDS " id",
	  .run = cmd_forwards_remove, .text = cmd_text_none, .mutates = true },
	{ .name = "forwards.remove-id", .method = "DELETE", .path = "/api/forwards/", .path_arg = "id",
	  .fields = "id", .run = cmd_forwards_remove, .text = cmd_text_none, .mutates = true },
	{ .name = "nat-subnet.get", .method = "GET", .path = "/api/nat-subnet", .line = "subnet get",
	  .fields = "", .run = cmd_subnet_get },
	{ .name = "nat-subnet.set", .method = "PUT", .path = "/api/nat-subnet", .line = "subnet",
	  .line_arg = "subnet", .fields = "subnet", .run = cmd_subnet_set, .text = cmd_text_none,
	  .mutates = true },
	{ .name = "interfaces", .method = "GET", .path = "/api/interfaces", .line = "interfaces",
	  .fields = "", .run = cmd_interfaces },
	{ .name = "interface.set", .method = "PUT", .path = "/api/interface", .line = "interface",
	  .line_arg = "interface", .fields = "interface", .run = cmd_interface_set, .mutates = true },
	{ .name = "nfs-ip.get", .method = "GET", .path = "/api/nfs-ip", .line = "nfs-ip get",
	  .fields = "", .run = cmd_nfs_ip_get },
	{ .name = "nfs-ip.set", .method = "PUT", .path = "/api/nfs-ip", .line = "nfs-ip",
	  .line_arg = "ip", .fields = "ip", .run = cmd_nfs_ip_set, .mutates = true },
	{ .name = "nfs-ip.suggest", .method = "GET", .path = "/api/nfs-ip/suggest",
	  .line = "nfs-ip suggest", .fields = "", .run = cmd_nfs_ip_suggest },
	{ .name = "mount-help", .method = "GET", .path = "/api/mount-help", .line = "mount-help",
	  .line_arg = "os", .fields = "os", .run = cmd_mount_help },
	{ .name = "capture-access", .method = "GET", .path = "/api/capture-access",
	  .line = "capture-access", .fields = "", .run = cmd_capture_access },
	{ .name = "capture-access.enable", .method = "POST", .path = "/api/capture-access/enable",
	  .line = "capture-access enable", .fields = "", .run = cmd_capture_enable, .mutates = true },
#if INDYNET_TEST_HOOKS
	{ .name = "test.open", .method = "POST", .path = "/api/test/open", .line = "test-open",
	  .line_arg = "path", .fields = "path", .run = cmd_test_open, .mutates = true },
	{ .name = "test.syscall", .method = "POST", .path = "/api/test/syscall", .line = "test-syscall",
	  .fields = "", .run = cmd_test_syscall, .mutates = true },
#endif
};

const struct cmd_def *cmd_table(size_t *n)
{
	*n = sizeof(cmd_rows) / sizeof(cmd_rows[0]);
	return cmd_rows;
}

const struct cmd_def *cmd_find(const char *name)
{
	for (size_t i = 0; i < sizeof(cmd_rows) / sizeof(cmd_rows[0]); i++)
		if (strcmp(cmd_rows[i].name, name) == 0)
			return &cmd_rows[i];
	return NULL;
}

void cmd_ctx_init(struct cmd_ctx *ctx, indynet_engine *eng, const struct daemon_opts *opts)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->eng = eng;
	ctx->opts = opts;
	pthread_mutex_init(&ctx->lock, NULL);
	snprintf(ctx->subnet, sizeof(ctx->subnet), "%s",
		 opts->nat_subnet ? opts->nat_subnet : "192.168.0.0/24");
}

void cmd_ctx_destroy(struct cmd_ctx *ctx)
{
	pthread_mutex_destroy(&ctx->lock);
}

int cmd_fail(struct cmd_result *res, int status, const char *field, const char *fmt, ...)
{
	va_list ap;

	json_decref(res->body);
	res->body = NULL;
	res->status = status;
	snprintf(res->field, sizeof(res->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	return -1;
}

/* Is @key one of the space-separated words of @list? */
static bool cmd_word_in(const char *list, const char *key)
{
	size_t klen = strlen(key);

	if (klen == 0) /* strstr() finds "" everywhere without moving on */
		return false;
	for (const char *p = list; (p = strstr(p, key)); p += klen) {
		bool starts = p == list || p[-1] == ' ';
		bool ends = p[klen] == '\0' || p[klen] == ' ';

		if (starts && ends)
			return true;
	}
	return false;
}

/* Arguments: an object whose keys the command knows. */
static int cmd_check_args(const struct cmd_def *def, const json_t *args, struct cmd_result *res)
{
	const char *key;
	json_t *v;

	if (!args)
		return 0;
	if (!json_is_object(args))
		return cmd_fail(res, CMD_BAD_REQUEST, NULL, "the request body must be a JSON object");
	json_object_foreach((json_t *)args, key, v) {
		if (!cmd_word_in(def->fields, key))
			return cmd_fail(res, CMD_BAD_REQUEST, key, "unknown field '%.40s'%s%s%s", key,
					def->fields[0] ? " (expected " : " (this request takes none",
					def->fields, def->fields[0] ? ")" : ")");
	}
	return 0;
}

static void cmd_log(const struct cmd_def *def, const json_t *args)
{
	char *text = args ? json_dumps(args, JSON_COMPACT) : NULL;

	dlog(INDYNET_LOG_INFO, "control: %s %s", def->name, text ? text : "{}");
	free(text);
}

int cmd_run(struct cmd_ctx *ctx, const struct cmd_def *def, const json_t *args, struct cmd_result *res)
{
	memset(res, 0, sizeof(*res));
	res->status = CMD_OK;
	if (cmd_check_args(def, args, res) == 0 && def->run(ctx, args, res) == 0 && !res->body)
		res->body = json_object();
	if (def->mutates && res->status < 300)
		cmd_log(def, args);
	return res->status;
}

void cmd_result_clear(struct cmd_result *res)
{
	json_decref(res->body);
	res->body = NULL;
}

int cmd_arg_string(const json_t *args, const char *field, const char **out, struct cmd_result *res)
{
	json_t *v = args ? json_object_get(args, field) : NULL;

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return cmd_fail(res, CMD_BAD_REQUEST, field, "%s must be a string", field);
	*out = json_string_value(v);
	return 0;
}

int cmd_arg_port(const json_t *args, const char *field, unsigned *out, struct cmd_result *res)
{
	json_t *v = args ? json_object_get(args, field) : NULL;
	json_int_t n;

	*out = 0;
	if (!v)
		return 0;
	if (!json_is_integer(v))
		return cmd_fail(res, CMD_BAD_REQUEST, field, "%s must be a port number (1-65535)",
				field);
	n = json_integer_value(v);
	if (n < 1 || n > 65535)
		return cmd_fail(res, CMD_BAD_REQUEST, field,
				"%s %lld is out of range (1-65535)", field, (long long)n);
	*out = (unsigned)n;
	return 0;
}

int cmd_parse_ulong(const char *text, unsigned long max, unsigned long *out)
{
	unsigned long n = 0;

	if (!*text || strlen(text) > 10)
		return -1;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (n > max)
		return -1;
	*out = n;
	return 0;
}

int cmd_arg_port_text(const char *text, const char *field, unsigned *out, struct cmd_result *res)
{
	unsigned long n;

	if (cmd_parse_ulong(text, 65535, &n) < 0 || n < 1)
		return cmd_fail(res, CMD_BAD_REQUEST, field,
				"%s '%.20s' is not a port number (1-65535)", field, text);
	*out = (unsigned)n;
	return 0;
}

static void cmd_put_ip(json_t *obj, const char *key, uint32_t host_order)
{
	char ip[INET_ADDRSTRLEN];
	uint32_t be = htonl(host_order);

	inet_ntop(AF_INET, &be, ip, sizeof(ip));
	json_object_set_new(obj, key, json_string(ip));
}

json_t *cmd_subnet_json(const char *subnet)
{
	uint32_t net_be, net, mask;
	unsigned prefix;
	char err[128];
	json_t *o;

	if (indynet_subnet_parse(subnet, &net_be, &prefix, err, sizeof(err)) < 0)
		return NULL;
	net = ntohl(net_be);
	mask = prefix ? 0xffffffffu << (32 - prefix) : 0;
	o = json_object();
	json_object_set_new(o, "subnet", json_string(subnet));
	json_object_set_new(o, "prefix", json_integer(prefix));
	cmd_put_ip(o, "netmask", mask);
	cmd_put_ip(o, "gateway", net + 1);
	cmd_put_ip(o, "guest", net + 2);
	cmd_put_ip(o, "broadcast", net | ~mask);
	return o;
}

void cmd_text_none(const json_t *body, char *buf, size_t len)
{
	(void)body;
	if (len)
		buf[0] = '\0';
}
