/* SPDX-License-Identifier: MIT */
/* dyld.h: the one declaration of macOS's <mach-o/dyld.h> that caccess_macos.c uses, for a syntax check on Linux. */
#ifndef INDYNET_TEST_STUB_DYLD_H
#define INDYNET_TEST_STUB_DYLD_H

#include <stdint.h>

int _NSGetExecutablePath(char *buf, uint32_t *bufsize);

#endif
