/* SPDX-License-Identifier: MIT */
/* nic_fixture.c: the common cmocka fixture of the NIC tests: a SEEQ model over fake guest memory and a fake engine. */
#include "nic_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fake_engine.h"

/**
 * nic_fx_setup() - cmocka setup: a fresh model, out of reset, on NIC_FX_MEM_SIZE bytes of guest memory and a fake engine.
 * @state: receives the struct nic_fx
 *
 * Return: 0.
 */
int nic_fx_setup(void **state)
{
	struct nic_fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->e = fake_engine_new();
	f->m = gmem_new(NIC_FX_MEM_SIZE);
	f->s = seeq_new(&gmem_ops, f->m, f->e);
	assert_non_null(f->s);
	seeq_reg_write(f->s, SEEQ_HPC3_RESET, 0, 4); /* out of the power-on channel reset, as every driver starts */
	*state = f;
	return 0;
}

/**
 * nic_fx_teardown() - cmocka teardown: free the model, its memory and the engine.
 * @state: the struct nic_fx
 *
 * Return: 0.
 */
int nic_fx_teardown(void **state)
{
	struct nic_fx *f = *state;

	seeq_free(f->s);
	gmem_free(f->m);
	fake_engine_free(f->e);
	free(f);
	return 0;
}
