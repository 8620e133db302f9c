/* SPDX-License-Identifier: MIT */
/* fuzz_config_fopen.h: forced into src/daemon/config.c for fuzz_config: its fopen() reads the input from memory. */
#ifndef INDYNET_FUZZ_CONFIG_FOPEN_H
#define INDYNET_FUZZ_CONFIG_FOPEN_H

#include <stdio.h> /* declared first, so that the rename below touches only the calls */

/* "fuzz.ini": the input's file text; any other path: NULL with ENOENT (fuzz_config.c) */
FILE *fz_fopen(const char *path, const char *mode);
#define fopen fz_fopen

#endif
