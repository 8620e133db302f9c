/* SPDX-License-Identifier: MIT */
/* fuzz_config.c: libFuzzer target for indynetd's settings: the INI file and the command line, parsed together. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/options.h"

/*
 * Input: the INI file's text, a NUL, then the command-line words separated
 * by NULs (at most FZ_WORDS).  argv is "indynetd --config fuzz.ini WORDS...",
 * run through opts_parse_args() as main() runs it: getopt's first pass, the
 * file, the flags over it, the checks.
 *
 * Nothing on the filesystem is read: src/daemon/config.c is compiled with
 * fopen renamed to fz_fopen (tests/fuzz/daemon/meson.build), which hands
 * it the input's file text from memory for "fuzz.ini" and ENOENT for every
 * other path (a fuzzed --config /etc/x included).  Nothing else in the
 * option parsers opens files or sockets.
 *
 * Oracle: no crash, no sanitizer report, no leak; a failure names its
 * reason; every forward the parse accepted, formatted again
 * (indynet_forward_format, indynet_forward6_format), parses back to itself.
 */

#define FZ_WORDS 24
#define FZ_INI_PATH "fuzz.ini"

static const char *fz_ini;
static size_t fz_ini_len;

FILE *fz_fopen(const char *path, const char *mode);
FILE *fz_fopen(const char *path, const char *mode)
{
	if (strcmp(path, FZ_INI_PATH) != 0) {
		errno = ENOENT;
		return NULL;
	}
	if (fz_ini_len == 0)
		return fmemopen((void *)"\n", 1, mode); /* fmemopen refuses an empty buffer */
	return fmemopen((void *)fz_ini, fz_ini_len, mode);
}

/* every IPv4 forward's text parses back to the same forward */
static void fz_check_forwards(const struct daemon_opts *o)
{
	char text[INDYNET_FORWARD_TEXT_MAX], err[256];
	struct indynet_forward back;

	for (size_t i = 0; i < o->n_forwards; i++) {
		const struct indynet_forward *fw = &o->forwards[i];

		indynet_forward_format(fw, text, sizeof(text));
		if (indynet_forward_parse(text, &back, err, sizeof(err)) != 0 || back.udp != fw->udp ||
		    back.host_port != fw->host_port || back.guest_port != fw->guest_port || back.any != fw->any ||
		    back.guest_addr != fw->guest_addr)
			abort();
	}
}

/* every IPv6 forward's text parses back to the same forward */
static void fz_check_forwards6(const struct daemon_opts *o)
{
	char text[INDYNET_FORWARD6_TEXT_MAX], err[256];
	struct indynet_forward6 back;

	for (size_t i = 0; i < o->n_forwards6; i++) {
		const struct indynet_forward6 *fw = &o->forwards6[i];

		indynet_forward6_format(fw, text, sizeof(text));
		if (indynet_forward6_parse(text, &back, err, sizeof(err)) != 0 || back.udp != fw->udp ||
		    back.host_port != fw->host_port || back.guest_port != fw->guest_port ||
		    memcmp(back.host_addr, fw->host_addr, 16) != 0 || memcmp(back.guest_addr, fw->guest_addr, 16) != 0)
			abort();
	}
}

/* split the words after the file's NUL into @argv (after the fixed three); return argc */
static int fz_argv(char *words, size_t len, char *argv[FZ_WORDS + 4])
{
	int argc = 3;

	argv[0] = "indynetd";
	argv[1] = "--config";
	argv[2] = FZ_INI_PATH;
	for (size_t off = 0; off < len && argc < FZ_WORDS + 3;) {
		argv[argc++] = words + off;
		off += strlen(words + off) + 1;
	}
	argv[argc] = NULL;
	return argc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t ini_len = nul ? (size_t)(nul - data) : size;
	size_t wlen = nul ? size - ini_len - 1 : 0;
	char *words = malloc(wlen + 1), *argv[FZ_WORDS + 4];
	struct daemon_opts o;
	char err[512] = "";
	int argc;

	if (!words)
		return 0;
	memcpy(words, data + ini_len + (nul ? 1 : 0), wlen);
	words[wlen] = '\0';
	fz_ini = (const char *)data;
	fz_ini_len = ini_len;
	argc = fz_argv(words, wlen, argv);
	opts_init(&o);
	if (opts_parse_args(&o, argc, argv, err, sizeof(err)) != 0 && !err[0])
		abort();
	fz_check_forwards(&o);
	fz_check_forwards6(&o);
	opts_free(&o);
	free(words);
	return 0;
}
