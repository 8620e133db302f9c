/* SPDX-License-Identifier: MIT */
/* test_docs_limits.c: the limits docs/CONFIG.md and docs/SECURITY.md promise are the code's constants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>
#include <string.h>
#include <sys/un.h>

#include <cmocka.h>

#include <indynet/indynet.h>

#include "daemon/dlog.h"
#include "daemon/framing.h"
#include "daemon/frontend.h"
#include "daemon/http.h"
#include "daemon/options.h"
#include "daemon/usock.h"

static char *config_md, *security_md;

/* The file with every run of blanks and newlines folded into one space: phrases survive rewrapping. */
static char *load_folded(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = malloc(1 << 20);
	size_t n = 0;
	int c, prev = 0;

	assert_non_null(f);
	assert_non_null(text);
	while ((c = fgetc(f)) != EOF && n < (1 << 20) - 1) {
		if (c == '\n' || c == '\t')
			c = ' ';
		if (c == ' ' && prev == ' ')
			continue;
		text[n++] = (char)c;
		prev = c;
	}
	text[n] = '\0';
	fclose(f);
	return text;
}

/* @doc (named @name) must state the phrase printf(@fmt, ...) built from the constants. */
static void promise(const char *doc, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void promise(const char *doc, const char *name, const char *fmt, ...)
{
	char phrase[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(phrase, sizeof(phrase), fmt, ap);
	va_end(ap);
	if (!strstr(doc, phrase)) {
		fprintf(stderr, "ERROR: %s does not say \"%s\" (the code's value)\n", name, phrase);
		fail();
	}
}

static void test_frame_limits(void **state)
{
	(void)state;
	promise(config_md, "CONFIG.md", "A length prefix above %u closes the connection", FRAMING_MAX_LEN);
	promise(config_md, "CONFIG.md", "Frames shorter than 14 bytes or longer than %u are dropped",
		INDYNET_FRAME_MAX);
	promise(security_md, "SECURITY.md", "longer than `INDYNET_FRAME_MAX` (%u) is dropped",
		INDYNET_FRAME_MAX);
	promise(security_md, "SECURITY.md", "A QEMU stream length prefix larger than %u closes",
		FRAMING_MAX_LEN);
	promise(security_md, "SECURITY.md", "Queues are bounded: %u frames each way",
		INDYNET_RX_RING_FRAMES);
	promise(config_md, "CONFIG.md", "frames for the guest wait in the %u-frame ring until",
		INDYNET_RX_RING_FRAMES);
}

static void test_socket_modes(void **state)
{
	(void)state;
	assert_string_equal(opts_settings[OPT_SOCKET_MODE].def, "0600");
	promise(config_md, "CONFIG.md", "| `%s` |", opts_settings[OPT_SOCKET_MODE].def);
	promise(config_md, "CONFIG.md", "frontend's socket file is created with mode %s",
		opts_settings[OPT_SOCKET_MODE].def);
	promise(security_md, "SECURITY.md", "is created with mode %s whatever the umask",
		opts_settings[OPT_SOCKET_MODE].def);
	promise(security_md, "SECURITY.md", "The control socket (`--control PATH`) is a unix socket "
					    "with mode 0600");
	promise(config_md, "CONFIG.md", "unix socket path (≤ %zu bytes)",
		sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
	promise(config_md, "CONFIG.md", "interface name (≤ %d bytes)", IFNAMSIZ - 1);
}

static void test_control_limits(void **state)
{
	(void)state;
	promise(security_md, "SECURITY.md", "at most %d connections (a %dth is answered 503",
		HTTP_CLIENTS, HTTP_CLIENTS + 1);
	promise(security_md, "SECURITY.md", "each closed after %d s idle", HTTP_IDLE_S);
	promise(security_md, "SECURITY.md", "at most %d of them event streams", HTTP_EVENT_STREAMS);
	promise(security_md, "SECURITY.md", "request bodies are bounded at %d KiB",
		HTTP_BODY_MAX / 1024);
}

static void test_log_and_accept_limits(void **state)
{
	(void)state;
	promise(security_md, "SECURITY.md", "prints at most %d lines per %d s", DLOG_BURST,
		DLOG_WINDOW_MS / 1000);
	promise(config_md, "CONFIG.md", "prints at most %d lines per %d s", DLOG_BURST,
		DLOG_WINDOW_MS / 1000);
	promise(config_md, "CONFIG.md", "\"(suppressed N similar lines in %d s)\"",
		DLOG_WINDOW_MS / 1000);
	promise(security_md, "SECURITY.md", "leaves the poll set for %u ms, doubling to %u s",
		USOCK_BACKOFF_MIN_MS, USOCK_BACKOFF_MAX_MS / 1000);
	promise(security_md, "SECURITY.md", "every %d s while it lasts", USOCK_REMIND_MS / 1000);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_limits),
		cmocka_unit_test(test_socket_modes),
		cmocka_unit_test(test_control_limits),
		cmocka_unit_test(test_log_and_accept_limits),
	};
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CONFIG.md SECURITY.md\n", argv[0]);
		return 2;
	}
	config_md = load_folded(argv[1]);
	security_md = load_folded(argv[2]);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(config_md);
	free(security_md);
	return rc;
}
