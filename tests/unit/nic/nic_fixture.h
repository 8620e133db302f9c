/* SPDX-License-Identifier: MIT */
/* nic_fixture.h: the common cmocka fixture of the NIC tests: a SEEQ model over fake guest memory and a fake engine. */
#ifndef NIC_TEST_NIC_FIXTURE_H
#define NIC_TEST_NIC_FIXTURE_H

#include <indynet/indynet.h>
#include <indynet/seeq8003.h>

#include "guestmem.h"

#define NIC_FX_MEM_SIZE (1u << 20)

/** struct nic_fx - one model instance with its guest memory and engine. */
struct nic_fx {
	indynet_engine *e;
	struct gmem *m;
	seeq *s;
};

int nic_fx_setup(void **state);
int nic_fx_teardown(void **state);

#endif
