/* SPDX-License-Identifier: MIT */
/* test_nomem.c: an allocation failure while opening the NFS service is -ENOMEM, not -EINVAL ("bad input"). */

/*
 * Linked with -Wl,--wrap=calloc: while calloc_fails is set every calloc
 * returns NULL with errno ENOMEM, so the first allocation of
 * nfsvc_attach() (the NFS server) fails.  indynetd exits with status 2
 * ("bad input") on -EINVAL and 1 on other errors, so the code decides what
 * the user is told.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/nfsvc.h"
#include "engine/vhost.h"
#include "engine_test.h"

void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);

static int calloc_fails;

void *__wrap_calloc(size_t n, size_t size)
{
	if (calloc_fails) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, size);
}

static void no_emit(void *opaque, const uint8_t *f, size_t len)
{
	(void)opaque;
	(void)f;
	(void)len;
}

static void test_attach_out_of_memory(void **state)
{
	(void)state;
	struct indynet_config cfg;
	char dir[] = "/tmp/indynet-nomem.XXXXXX", err[256] = "";
	struct vhost_table *vt = vhost_new(1500, no_emit, NULL, NULL);
	struct nfsvc *svc = NULL;
	uint32_t ip = t_ip(192, 168, 0, 1);

	static const uint8_t gw_mac[6] = { 0x52, 0x55, 192, 168, 0, 1 };

	assert_non_null(vt);
	assert_int_equal(vhost_add_host(vt, ip, gw_mac, 0), 0);
	assert_non_null(mkdtemp(dir));
	indynet_config_init(&cfg);
	cfg.export_dir = dir;
	calloc_fails = 1;
	assert_int_equal(nfsvc_attach(vt, ip, &cfg, &svc, err, sizeof(err)), -ENOMEM);
	calloc_fails = 0;
	assert_string_equal(err, "out of memory");
	assert_null(svc);
	/* A bad export is still bad input. */
	cfg.export_dir = "/nonexistent/indynet-nomem";
	assert_int_equal(nfsvc_attach(vt, ip, &cfg, &svc, err, sizeof(err)), -EINVAL);
	/* And a good one still attaches. */
	cfg.export_dir = dir;
	assert_int_equal(nfsvc_attach(vt, ip, &cfg, &svc, err, sizeof(err)), 0);
	nfsvc_free(svc);
	vhost_free(vt);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_out_of_memory),
	};
	return cmocka_run_group_tests_name("engine-nomem", tests, NULL, NULL);
}
