/* SPDX-License-Identifier: MIT */
/* cmd_int.h: the command handlers, shared between cmd.c's table and the files that implement them. */
#ifndef INDYNETD_CMD_INT_H
#define INDYNETD_CMD_INT_H

#include <stdint.h>
#include <stdio.h>

#include "cmd.h"

/* The fields of a forward (POST/DELETE /api/forwards). */
#define CMD_FORWARD_FIELDS "proto host_port guest_addr guest_port bind spec"

/* cmd_status.c */
int cmd_status(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
void cmd_status_text(const json_t *body, char *buf, size_t len);

/* cmd_nat.c */
int cmd_forwards_list(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
void cmd_forwards_text(const json_t *body, char *buf, size_t len);
int cmd_forwards_add(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_forwards_remove(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
/* a forward named by "spec" or "id" (either may be NULL) has no other field; -1 answered if it has */
int cmd_forward_one_form(const json_t *args, const char *spec, const char *id, struct cmd_result *res);
/* answer a refused forward add (@rc, the library's reason @msg): 409 in use, 400 refused, else 500 */
int cmd_forward_add_failed(struct cmd_result *res, int rc, const char *msg);
int cmd_subnet_get(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_subnet_set(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);

/* cmd_fwd6.c: the IPv6 forwards inside the forward commands */
/* does the request name an IPv6 forward (bracketed spec, id tcp6:/udp6:, IPv6 bind or guest_addr)? */
bool cmd_forward_is6(const json_t *args);
int cmd_forwards6_add(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_forwards6_remove(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
/* append the active IPv6 forwards to a forward list */
void cmd_forwards6_append(struct cmd_ctx *ctx, json_t *list);

/* cmd_bridge.c: bridge-mode resources */
int cmd_interfaces(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_interface_set(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_nfs_ip_get(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_nfs_ip_set(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_nfs_ip_suggest(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
/* the phantom NFS host: {"state","ip","probing","mac","conflict_mac","error"} (new reference) */
json_t *cmd_phantom_status_json(struct cmd_ctx *ctx);

/* cmd_capture.c: capture access (issue #9's check; enabling runs indynetd --capture-access enable) */
int cmd_capture_access(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_capture_enable(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);

/* cmd_test.c: -Dtest_hooks=true only */
int cmd_test_open(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_test_syscall(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);

/* cmd_lan.c: bridge mode's LAN addressing (each field "" when unknown) */
struct cmd_lan {
	char interface[64];   /* the capture interface */
	char netmask[16];     /* of its first IPv4 address, "255.255.255.0" */
	char netmask_hex[12]; /* the same, "0xffffff00" */
	char gateway[16];     /* the host's default route through it */
};
void cmd_lan_get(struct cmd_ctx *ctx, struct cmd_lan *lan);
/* the default route's gateway on @ifname from /proc/net/route's text (network order); 0 or -1 */
int cmd_lan_route_gateway(FILE *routes, const char *ifname, uint32_t *gw);
/* the prefix of the first "A.B.C.D/P" of an interface's address list; 0 or -1 */
int cmd_lan_prefix(const char *addresses, unsigned *prefix);

/* cmd_nfs.c */
int cmd_mount_help(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);

/* cmd.c */
int cmd_arg_port_text(const char *text, const char *field, unsigned *out, struct cmd_result *res);
void cmd_text_none(const json_t *body, char *buf, size_t len);

#endif
