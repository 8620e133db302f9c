/* SPDX-License-Identifier: MIT */
/* cmd_int.h: the command handlers, shared between cmd.c's table and the files that implement them. */
#ifndef INDYNETD_CMD_INT_H
#define INDYNETD_CMD_INT_H

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
int cmd_subnet_get(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_subnet_set(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);

/* cmd_bridge.c: bridge-mode resources */
int cmd_interfaces(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_interface_set(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_nfs_ip_get(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_nfs_ip_set(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_nfs_ip_suggest(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
/* the phantom NFS host: {"state","ip","probing","mac","conflict_mac","error"} (new reference) */
json_t *cmd_phantom_status_json(struct cmd_ctx *ctx);
int cmd_capture_access(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
int cmd_capture_enable(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);

/* cmd_nfs.c */
int cmd_mount_help(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);

/* cmd.c */
int cmd_arg_port_text(const char *text, const char *field, unsigned *out, struct cmd_result *res);
void cmd_text_none(const json_t *body, char *buf, size_t len);

#endif
