/* SPDX-License-Identifier: MIT */
/* reload.h: SIGHUP: the configuration read again, what can change live applied. */
#ifndef INDYNETD_RELOAD_H
#define INDYNETD_RELOAD_H

#include "cmd.h"
#include "options.h"

/**
 * reload_config() - main thread, on SIGHUP: re-read --config and the flags, apply the live part.
 * @cur: the settings in force; updated with what was applied
 * @cmd: the control context (its engine, and the subnet it reports)
 * @argc: the daemon's argument count
 * @argv: its arguments (the flags still override the file)
 *
 * Forwards (those of the old configuration that the new one lacks are
 * removed, new ones added; forwards added over the control API stay), the
 * NAT subnet and the log level change live.  Every other setting that
 * differs is logged as needing a restart.  A file that does not parse is
 * logged and changes nothing.
 */
void reload_config(struct daemon_opts *cur, struct cmd_ctx *cmd, int argc, char **argv);

#endif
