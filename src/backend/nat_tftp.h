/* SPDX-License-Identifier: MIT */
/* nat_tftp.h: TFTP at the gateway (--tftp DIR): every read request checked to stay inside DIR before libslirp serves it. */
#ifndef INDYNET_BACKEND_NAT_TFTP_H
#define INDYNET_BACKEND_NAT_TFTP_H

#include <stddef.h>
#include <stdint.h>

/*
 * libslirp's TFTP server opens DIR/NAME after refusing names that start
 * with "../" or contain "/../"; it follows symbolic links, so a link in
 * DIR would serve any file the daemon can read.  The export's rule holds
 * here too: nothing outside DIR.  Each guest read request (RRQ) to the
 * gateway's port 69 is resolved first with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS) from DIR, and must be a regular file; otherwise it
 * is answered here with TFTP error 1 (file not found: nothing there) or 2
 * (access violation: anything else) and never reaches libslirp.  Write requests and other opcodes to port 69 are answered with
 * error 4 (illegal operation): the TFTP root is read-only.  Worked
 * example, DIR holding boot.ipxe and a link etc -> /etc: RRQ "boot.ipxe"
 * passes, RRQ "etc/passwd" and "/etc/passwd" get error 2, "nothing" error 1.
 * Addresses are in network byte order.
 */

/* Longest reply frame nat_tftp_refusal() writes. */
#define NAT_TFTP_FRAME_MAX 128u

/**
 * nat_tftp_refusal() - check a guest frame bound for TFTP at the gateway.
 * @dirfd: the TFTP root, opened O_PATH | O_DIRECTORY
 * @gw: the gateway's address
 * @frame: guest Ethernet frame (whole datagrams: the engine reassembles)
 * @len: its length
 * @out: receives the error reply
 * @cap: its size, at least NAT_TFTP_FRAME_MAX
 *
 * Return: 0 when @frame is not a TFTP request to @gw or names a regular
 * file inside the root (libslirp serves it); otherwise the length of the
 * TFTP error frame in @out, for the guest (the request is dropped).
 */
size_t nat_tftp_refusal(int dirfd, uint32_t gw, const uint8_t *frame, size_t len, uint8_t *out, size_t cap);

#endif
