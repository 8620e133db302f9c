/* SPDX-License-Identifier: MIT */
/* cmd_fwd6.c: the IPv6 port forwards in the forward commands (tcp:[::1]:8080:80, id tcp6:8080). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cmd_int.h"
#include "options.h"

/*
 * An IPv6 forward goes through the same resources as an IPv4 one
 * (POST/DELETE /api/forwards, DELETE /api/forwards/ID, "forward add").
 * What makes a request IPv6: a spec with a bracketed address, an id
 * "tcp6:PORT" / "udp6:PORT", or a bind or guest_addr field that is an IPv6
 * address.  In the list an IPv6 forward has the IPv4 one's keys, "bind"
 * and "guest_addr" holding IPv6 addresses, "id" tcp6:PORT and "spec".
 */

#define CMD_FWD6_MAX (OPTS_MAX_FORWARDS * 4)

static const uint8_t cmd_fwd6_zero[16];

static bool cmd_fwd6_str_has(const json_t *args, const char *field, const char *chars)
{
	const char *s = json_string_value(json_object_get(args, field));

	return s && strpbrk(s, chars);
}

bool cmd_forward_is6(const json_t *args)
{
	const char *id = json_string_value(json_object_get(args, "id"));

	return cmd_fwd6_str_has(args, "spec", "[") || cmd_fwd6_str_has(args, "bind", ":") ||
	       cmd_fwd6_str_has(args, "guest_addr", ":") ||
	       (id && (strncmp(id, "tcp6:", 5) == 0 || strncmp(id, "udp6:", 5) == 0));
}

static json_t *cmd_fwd6_addr_json(const uint8_t a[16])
{
	char text[INET6_ADDRSTRLEN];

	if (memcmp(a, cmd_fwd6_zero, 16) == 0 || !inet_ntop(AF_INET6, a, text, sizeof(text)))
		return json_null();
	return json_string(text);
}

static json_t *cmd_forward6_json(const struct indynet_forward6 *fw)
{
	char id[16], bind[INET6_ADDRSTRLEN], spec[INDYNET_FORWARD6_TEXT_MAX];

	snprintf(id, sizeof(id), "%s6:%u", fw->udp ? "udp" : "tcp", fw->host_port);
	inet_ntop(AF_INET6, fw->host_addr, bind, sizeof(bind));
	return json_pack("{s:s, s:i, s:o, s:i, s:s, s:s, s:o, s:s}", "proto", fw->udp ? "udp" : "tcp",
			 "host_port", (int)fw->host_port, "guest_addr", cmd_fwd6_addr_json(fw->guest_addr),
			 "guest_port", (int)fw->guest_port, "bind", bind, "id", id, "target",
			 cmd_fwd6_addr_json(fw->guest_addr), "spec", indynet_forward6_format(fw, spec, sizeof(spec)));
}

void cmd_forwards6_append(struct cmd_ctx *ctx, json_t *list)
{
	struct indynet_forward6 fws[CMD_FWD6_MAX];
	size_t n = indynet_forward6_list(ctx->eng, fws, CMD_FWD6_MAX);

	for (size_t i = 0; i < n && i < CMD_FWD6_MAX; i++)
		json_array_append_new(list, cmd_forward6_json(&fws[i]));
}

/* an IPv6 address field; absent or "" leaves @out (::1 for bind, :: for guest_addr) */
static int cmd_fwd6_addr(const json_t *args, const char *field, uint8_t out[16], struct cmd_result *res)
{
	const char *s;

	if (cmd_arg_string(args, field, &s, res))
		return -1;
	if (s && s[0] && inet_pton(AF_INET6, s, out) != 1)
		return cmd_fail(res, CMD_BAD_REQUEST, field, "%s '%.60s' is not an IPv6 address", field, s);
	return 0;
}

/* the fields proto/host_port/guest_addr/guest_port/bind as a spec, checked by the library's parser */
static int cmd_fwd6_fields(const json_t *args, bool need_guest, struct indynet_forward6 *fw,
			   struct cmd_result *res)
{
	const char *proto;
	unsigned host, guest;

	fw->host_addr[15] = 1; /* ::1 */
	if (cmd_arg_string(args, "proto", &proto, res) || cmd_arg_port(args, "host_port", &host, res) ||
	    cmd_arg_port(args, "guest_port", &guest, res) || cmd_fwd6_addr(args, "bind", fw->host_addr, res) ||
	    cmd_fwd6_addr(args, "guest_addr", fw->guest_addr, res))
		return -1;
	if (!proto || (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0))
		return cmd_fail(res, CMD_BAD_REQUEST, "proto", "proto '%.20s' is not tcp or udp", proto ? proto : "");
	if (!host)
		return cmd_fail(res, CMD_BAD_REQUEST, "host_port", "host_port is missing");
	if (!guest && need_guest)
		return cmd_fail(res, CMD_BAD_REQUEST, "guest_port", "guest_port is missing");
	fw->udp = proto[0] == 'u';
	fw->host_port = (uint16_t)host;
	fw->guest_port = (uint16_t)guest;
	return 0;
}

/* "tcp6:8080" */
static int cmd_fwd6_id(const char *id, struct indynet_forward6 *fw, struct cmd_result *res)
{
	unsigned port;

	if (cmd_arg_port_text(id + 5, "id", &port, res))
		return -1;
	fw->udp = id[0] == 'u';
	fw->host_port = (uint16_t)port;
	return 0;
}

/* an IPv6 forward from "spec", "id" or the fields (cmd_nat.c checked that only one form is given) */
static int cmd_fwd6_from(const json_t *args, bool need_guest, struct indynet_forward6 *fw, struct cmd_result *res)
{
	const char *spec = json_string_value(json_object_get(args, "spec"));
	const char *id = json_string_value(json_object_get(args, "id"));
	char msg[200];

	memset(fw, 0, sizeof(*fw));
	if (cmd_forward_one_form(args, spec, id, res))
		return -1;
	if (id)
		return cmd_fwd6_id(id, fw, res);
	if (!spec)
		return cmd_fwd6_fields(args, need_guest, fw, res);
	if (indynet_forward6_parse(spec, fw, msg, sizeof(msg)) < 0)
		return cmd_fail(res, CMD_BAD_REQUEST, "spec", "%s", msg);
	return 0;
}

int cmd_forwards6_add(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	struct indynet_forward6 fw;
	char msg[300] = "";
	int rc;

	if (cmd_fwd6_from(args, true, &fw, res))
		return -1;
	rc = indynet_forward6_add(ctx->eng, &fw, msg, sizeof(msg));
	if (rc < 0)
		return cmd_forward_add_failed(res, rc, msg);
	res->status = CMD_CREATED;
	res->body = cmd_forward6_json(&fw);
	return 0;
}

/* the active IPv6 forward on @want's protocol and host port */
static bool cmd_fwd6_active(struct cmd_ctx *ctx, const struct indynet_forward6 *want, struct indynet_forward6 *out)
{
	struct indynet_forward6 fws[CMD_FWD6_MAX];
	size_t n = indynet_forward6_list(ctx->eng, fws, CMD_FWD6_MAX);

	for (size_t i = 0; i < n && i < CMD_FWD6_MAX; i++) {
		if (fws[i].udp == want->udp && fws[i].host_port == want->host_port) {
			*out = fws[i];
			return true;
		}
	}
	return false;
}

/* does the request name @have?  Only the parts it gives count. */
static bool cmd_fwd6_matches(const json_t *args, const struct indynet_forward6 *want,
			     const struct indynet_forward6 *have)
{
	bool spec = json_object_get(args, "spec") != NULL;

	if (want->guest_port && want->guest_port != have->guest_port)
		return false;
	if ((spec || json_object_get(args, "bind")) && memcmp(want->host_addr, have->host_addr, 16) != 0)
		return false;
	return !(spec || json_object_get(args, "guest_addr")) || memcmp(want->guest_addr, have->guest_addr, 16) == 0;
}

int cmd_forwards6_remove(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	struct indynet_forward6 want, have;
	char spec[INDYNET_FORWARD6_TEXT_MAX];
	const char *proto;

	if (cmd_fwd6_from(args, false, &want, res))
		return -1;
	proto = want.udp ? "udp" : "tcp";
	if (!cmd_fwd6_active(ctx, &want, &have))
		return cmd_fail(res, CMD_NOT_FOUND, NULL, "no IPv6 forward %s6:%u is active", proto, want.host_port);
	if (!cmd_fwd6_matches(args, &want, &have))
		return cmd_fail(res, CMD_NOT_FOUND, NULL, "forward %s6:%u is '%s', not the one named", proto,
				want.host_port, indynet_forward6_format(&have, spec, sizeof(spec)));
	if (indynet_forward6_remove(ctx->eng, &have) < 0)
		return cmd_fail(res, CMD_NOT_FOUND, NULL, "no IPv6 forward %s6:%u is active", proto, want.host_port);
	res->body = cmd_forward6_json(&have);
	return 0;
}
