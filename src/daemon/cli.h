/* SPDX-License-Identifier: MIT */
/* cli.h: indynetd's command line. */
#ifndef INDYNETD_CLI_H
#define INDYNETD_CLI_H

#include <stdio.h>

#include "options.h"

/**
 * cli_usage() - print the usage text.
 * @out: stream
 */
void cli_usage(FILE *out);

#endif
