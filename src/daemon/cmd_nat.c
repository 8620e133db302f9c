/* SPDX-License-Identifier: MIT */
/* cmd_nat.c: the NAT-mode commands: port forwards and the NAT subnet. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd_int.h"

#define CMD_FORWARDS_MAX (OPTS_MAX_FORWARDS * 4)

/* NAT-only settings in bridge mode: 409 naming the mode. */
static int cmd_need_nat(const struct cmd_ctx *ctx, struct cmd_result *res)
{
	if (ctx->opts->mode == INDYNET_MODE_NAT)
		return 0;
	return cmd_fail(res, CMD_CONFLICT, NULL,
			"not in NAT mode: forwards and the NAT subnet are NAT-mode settings "
			"(the daemon runs in bridge mode)");
}

/* an address as a JSON string, or null for 0 */
static json_t *cmd_addr_json(uint32_t a)
{
	char text[INET_ADDRSTRLEN];

	if (!a || !inet_ntop(AF_INET, &a, text, sizeof(text)))
		return json_null();
	return json_string(text);
}

/* guest_addr: the configured address, null when the forward follows the guest; target: where it goes now */
static json_t *cmd_forward_json(const struct indynet_forward *fw)
{
	char id[16];

	snprintf(id, sizeof(id), "%s:%u", fw->udp ? "udp" : "tcp", fw->host_port);
	return json_pack("{s:s, s:i, s:o, s:i, s:s, s:s, s:o}", "proto", fw->udp ? "udp" : "tcp", "host_port",
			 (int)fw->host_port, "guest_addr", cmd_addr_json(fw->guest_addr), "guest_port",
			 (int)fw->guest_port, "bind", fw->any ? "0.0.0.0" : "127.0.0.1", "id", id, "target",
			 cmd_addr_json(fw->target));
}

int cmd_forwards_list(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	struct indynet_forward fws[CMD_FORWARDS_MAX];
	size_t n;
	json_t *list;

	(void)args;
	if (cmd_need_nat(ctx, res))
		return -1;
	n = indynet_forward_list(ctx->eng, fws, CMD_FORWARDS_MAX);
	if (n > CMD_FORWARDS_MAX)
		n = CMD_FORWARDS_MAX;
	list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, cmd_forward_json(&fws[i]));
	cmd_forwards6_append(ctx, list);
	res->body = json_pack("{s:o}", "forwards", list);
	return 0;
}

void cmd_forwards_text(const json_t *body, char *buf, size_t len)
{
	size_t off = 0, i;
	json_t *fw;

	buf[0] = '\0';
	json_array_foreach(json_object_get(body, "forwards"), i, fw) {
		const char *addr = json_string_value(json_object_get(fw, "guest_addr"));
		const char *target = json_string_value(json_object_get(fw, "target"));
		const char *spec6 = json_string_value(json_object_get(fw, "spec"));
		int n = spec6 ? snprintf(buf + off, len - off, "%s%s", off ? " " : "", spec6) : snprintf(buf + off, len - off, "%s%s:%d:%s%s%d%s%s%s", off ? " " : "",
				 json_string_value(json_object_get(fw, "proto")),
				 (int)json_integer_value(json_object_get(fw, "host_port")), addr ? addr : "",
				 addr ? ":" : "", (int)json_integer_value(json_object_get(fw, "guest_port")),
				 strcmp(json_string_value(json_object_get(fw, "bind")), "0.0.0.0") == 0
					 ? ":any" : "",
				 target ? "->" : "", target ? target : "");

		if (n < 0 || (size_t)n >= len - off)
			return;
		off += (size_t)n;
	}
}

static int cmd_forward_proto(const json_t *args, bool required, struct indynet_forward *fw,
			     struct cmd_result *res)
{
	const char *proto;

	if (cmd_arg_string(args, "proto", &proto, res))
		return -1;
	if (!proto && required)
		return cmd_fail(res, CMD_BAD_REQUEST, "proto", "proto is missing (tcp or udp)");
	if (proto && strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
		return cmd_fail(res, CMD_BAD_REQUEST, "proto", "proto '%.20s' is not tcp or udp",
				proto);
	fw->udp = proto && strcmp(proto, "udp") == 0;
	return 0;
}

static int cmd_forward_bind(const json_t *args, struct indynet_forward *fw, struct cmd_result *res)
{
	const char *bind;

	if (cmd_arg_string(args, "bind", &bind, res))
		return -1;
	if (!bind || strcmp(bind, "127.0.0.1") == 0 || strcmp(bind, "localhost") == 0)
		return 0;
	if (strcmp(bind, "0.0.0.0") == 0 || strcmp(bind, "any") == 0) {
		fw->any = true;
		return 0;
	}
	return cmd_fail(res, CMD_BAD_REQUEST, "bind",
			"bind '%.40s' is not 127.0.0.1 (loopback) or 0.0.0.0 (any)", bind);
}

/* guest_addr: an IPv4 address, or absent/null/"" to follow the guest */
static int cmd_forward_addr(const json_t *args, struct indynet_forward *fw, struct cmd_result *res)
{
	const char *addr;
	struct in_addr a;

	if (cmd_arg_string(args, "guest_addr", &addr, res))
		return -1;
	if (!addr || !addr[0])
		return 0;
	if (inet_pton(AF_INET, addr, &a) != 1 || !a.s_addr || a.s_addr == 0xffffffffu)
		return cmd_fail(res, CMD_BAD_REQUEST, "guest_addr",
				"guest_addr '%.40s' is not an IPv4 host address", addr);
	fw->guest_addr = a.s_addr;
	return 0;
}

/*
 * The forward named by the fields proto/host_port/guest_addr/guest_port/bind;
 * guest_port only if @need_guest.
 */
static int cmd_forward_fields(const json_t *args, bool need_guest, struct indynet_forward *fw,
			      struct cmd_result *res)
{
	unsigned host, guest;

	if (cmd_forward_proto(args, true, fw, res) || cmd_arg_port(args, "host_port", &host, res) ||
	    cmd_arg_port(args, "guest_port", &guest, res) || cmd_forward_bind(args, fw, res) ||
	    cmd_forward_addr(args, fw, res))
		return -1;
	if (!host)
		return cmd_fail(res, CMD_BAD_REQUEST, "host_port", "host_port is missing");
	if (!guest && need_guest)
		return cmd_fail(res, CMD_BAD_REQUEST, "guest_port", "guest_port is missing");
	fw->host_port = (uint16_t)host;
	fw->guest_port = (uint16_t)guest;
	return 0;
}

/* "tcp:8080" (the id in GET's list and DELETE's path). */
static int cmd_forward_id(const char *id, struct indynet_forward *fw, struct cmd_result *res)
{
	const char *colon = strchr(id, ':');
	unsigned port;

	if (!colon || (colon - id != 3) || (strncmp(id, "tcp", 3) != 0 && strncmp(id, "udp", 3) != 0))
		return cmd_fail(res, CMD_BAD_REQUEST, "id",
				"forward id '%.40s' is not PROTO:HOSTPORT (e.g. tcp:8080)", id);
	if (cmd_arg_port_text(colon + 1, "id", &port, res))
		return -1;
	fw->udp = id[0] == 'u';
	fw->host_port = (uint16_t)port;
	return 0;
}

int cmd_forward_one_form(const json_t *args, const char *spec, const char *id, struct cmd_result *res)
{
	if ((spec || id) && json_object_size(args) > 1)
		return cmd_fail(res, CMD_BAD_REQUEST, spec ? "spec" : "id",
				"give either %s or the fields proto, host_port, guest_addr, guest_port, bind",
				spec ? "spec" : "id");
	return 0;
}

/* A forward from "spec", "id" or the fields; exactly one of the three forms. */
static int cmd_forward_from(const json_t *args, bool need_guest, struct indynet_forward *fw,
			    struct cmd_result *res)
{
	const char *spec, *id;
	char msg[200];

	memset(fw, 0, sizeof(*fw));
	if (cmd_arg_string(args, "spec", &spec, res) || cmd_arg_string(args, "id", &id, res))
		return -1;
	if (cmd_forward_one_form(args, spec, id, res))
		return -1;
	if (id)
		return cmd_forward_id(id, fw, res);
	if (!spec)
		return cmd_forward_fields(args, need_guest, fw, res);
	if (indynet_forward_parse(spec, fw, msg, sizeof(msg)) < 0)
		return cmd_fail(res, CMD_BAD_REQUEST, "spec", "%s", msg);
	return 0;
}

int cmd_forward_add_failed(struct cmd_result *res, int rc, const char *msg)
{
	const char *why = msg[0] ? msg : strerror(-rc);

	if (rc == -EEXIST || rc == -EADDRINUSE)
		return cmd_fail(res, CMD_CONFLICT, "host_port", "%s", why);
	if (rc == -EINVAL || rc == -EOPNOTSUPP)
		return cmd_fail(res, CMD_BAD_REQUEST, NULL, "%s", why);
	return cmd_fail(res, CMD_INTERNAL, NULL, "%s", why);
}

int cmd_forwards_add(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	struct indynet_forward fw;
	char msg[200] = "";
	int rc;

	if (cmd_need_nat(ctx, res))
		return -1;
	if (cmd_forward_is6(args))
		return cmd_forwards6_add(ctx, args, res);
	if (cmd_forward_from(args, true, &fw, res))
		return -1;
	rc = indynet_forward_add(ctx->eng, &fw, msg, sizeof(msg));
	if (rc < 0)
		return cmd_forward_add_failed(res, rc, msg);
	res->status = CMD_CREATED;
	res->body = cmd_forward_json(&fw);
	return 0;
}

/* The active forward matching @want's protocol and host port. */
static bool cmd_forward_active(struct cmd_ctx *ctx, const struct indynet_forward *want,
			       struct indynet_forward *out)
{
	struct indynet_forward fws[CMD_FORWARDS_MAX];
	size_t n = indynet_forward_list(ctx->eng, fws, CMD_FORWARDS_MAX);

	for (size_t i = 0; i < n && i < CMD_FORWARDS_MAX; i++) {
		if (fws[i].udp == want->udp && fws[i].host_port == want->host_port) {
			*out = fws[i];
			return true;
		}
	}
	return false;
}

int cmd_forwards_remove(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	struct indynet_forward want, have;
	const char *proto;

	if (cmd_need_nat(ctx, res))
		return -1;
	if (cmd_forward_is6(args))
		return cmd_forwards6_remove(ctx, args, res);
	if (cmd_forward_from(args, false, &want, res))
		return -1;
	proto = want.udp ? "udp" : "tcp";
	if (!cmd_forward_active(ctx, &want, &have))
		return cmd_fail(res, CMD_NOT_FOUND, NULL, "no forward %s:%u is active", proto,
				want.host_port);
	if (want.guest_port && want.guest_port != have.guest_port)
		return cmd_fail(res, CMD_NOT_FOUND, "guest_port",
				"forward %s:%u goes to guest port %u, not %u", proto,
				want.host_port, have.guest_port, want.guest_port);
	if (json_object_get(args, "bind") || json_object_get(args, "spec")) {
		if (want.any != have.any)
			return cmd_fail(res, CMD_NOT_FOUND, "bind", "forward %s:%u is bound to %s",
					proto, want.host_port, have.any ? "0.0.0.0" : "127.0.0.1");
	}
	if ((json_object_get(args, "guest_addr") || json_object_get(args, "spec")) &&
	    want.guest_addr != have.guest_addr)
		return cmd_fail(res, CMD_NOT_FOUND, "guest_addr", "forward %s:%u %s", proto, want.host_port,
				have.guest_addr ? "goes to another guest address" : "follows the guest's address");
	if (indynet_forward_remove(ctx->eng, &have) < 0)
		return cmd_fail(res, CMD_NOT_FOUND, NULL, "no forward %s:%u is active", proto,
				want.host_port);
	res->body = cmd_forward_json(&have);
	return 0;
}

static int cmd_subnet_reply(struct cmd_ctx *ctx, struct cmd_result *res)
{
	pthread_mutex_lock(&ctx->lock);
	res->body = cmd_subnet_json(ctx->subnet);
	pthread_mutex_unlock(&ctx->lock);
	return 0;
}

int cmd_subnet_get(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	(void)args;
	if (cmd_need_nat(ctx, res))
		return -1;
	return cmd_subnet_reply(ctx, res);
}

int cmd_subnet_set(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	uint32_t net;
	unsigned prefix;
	const char *subnet;
	char msg[200] = "";
	int rc;

	if (cmd_need_nat(ctx, res) || cmd_arg_string(args, "subnet", &subnet, res))
		return -1;
	if (!subnet)
		return cmd_fail(res, CMD_BAD_REQUEST, "subnet", "subnet is missing (e.g. 10.1.0.0/24)");
	if (indynet_subnet_parse(subnet, &net, &prefix, msg, sizeof(msg)) < 0)
		return cmd_fail(res, CMD_BAD_REQUEST, "subnet", "%s", msg);
	pthread_mutex_lock(&ctx->lock);
	rc = indynet_set_nat_subnet(ctx->eng, subnet, msg, sizeof(msg));
	if (rc == 0 || rc != -EINVAL)  /* a forward that could not be bound again: the subnet did change */
		snprintf(ctx->subnet, sizeof(ctx->subnet), "%s", subnet);
	pthread_mutex_unlock(&ctx->lock);
	if (rc < 0)
		return cmd_fail(res, rc == -EINVAL ? CMD_BAD_REQUEST : CMD_INTERNAL,
				rc == -EINVAL ? "subnet" : NULL, "%s",
				msg[0] ? msg : "subnet change failed");
	return cmd_subnet_reply(ctx, res);
}
