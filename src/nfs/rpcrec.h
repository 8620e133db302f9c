/* SPDX-License-Identifier: MIT */
/* rpcrec.h: RPC record marking over a byte stream (RFC 5531 §11): reassembly and framing. */
#ifndef INDYNET_NFS_RPCREC_H
#define INDYNET_NFS_RPCREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A stream transport carries RPC messages as records, each a sequence of
 * fragments: a 4-byte big-endian header (top bit: last fragment; low 31
 * bits: the fragment's length) followed by that many bytes.  struct rpcrec
 * turns the bytes of one stream, in whatever pieces they arrive, back into
 * whole records of at most a fixed size; rpcrec_mark() frames a reply as
 * one record of one fragment.
 */

/** Header of one record fragment. */
#define RPCREC_HDR_LEN 4u
#define RPCREC_LAST 0x80000000u

/** enum rpcrec_status - what rpcrec_feed() found. */
enum rpcrec_status {
	RPCREC_MORE = 0,  /* every byte taken, no record complete yet */
	RPCREC_RECORD,    /* a record is complete: rpcrec_record(); bytes after it were not taken */
	RPCREC_TOO_BIG,   /* the record would exceed the limit: the stream must be closed */
	RPCREC_NOMEM,     /* out of memory: the stream must be closed */
};

struct rpcrec;

/**
 * rpcrec_new() - reassembly state for one stream.
 * @max_record: largest record accepted, headers excluded (at least 1)
 *
 * The buffer grows with the bytes that actually arrived (doubling, from
 * 4 KiB), never on a fragment header's say-so, and never beyond @max_record.
 *
 * Return: the state, or NULL when out of memory.
 */
struct rpcrec *rpcrec_new(size_t max_record);

/**
 * rpcrec_free() - release the state.
 * @r: state, may be NULL
 */
void rpcrec_free(struct rpcrec *r);

/**
 * rpcrec_feed() - take stream bytes until a record completes.
 * @r: state
 * @data: the next bytes of the stream
 * @len: their number
 * @used: receives how many were taken (all of them unless a record
 *        completed or the limit was hit)
 *
 * A record returned by an earlier call is released first.  Empty records
 * (a last fragment with nothing before it) are skipped.
 *
 * Return: an enum rpcrec_status.  After RPCREC_TOO_BIG or RPCREC_NOMEM
 * every later call returns it again, taking nothing.
 */
enum rpcrec_status rpcrec_feed(struct rpcrec *r, const uint8_t *data, size_t len, size_t *used);

/**
 * rpcrec_record() - the record rpcrec_feed() just completed.
 * @r: state
 * @len: receives its length
 *
 * Return: its bytes (valid until the next rpcrec_feed() or rpcrec_free()),
 * or NULL when no record is complete.
 */
const uint8_t *rpcrec_record(const struct rpcrec *r, size_t *len);

/**
 * rpcrec_between() - whether the stream sits between records.
 * @r: state
 *
 * Return: false while part of a record (even of a header) has been taken.
 */
bool rpcrec_between(const struct rpcrec *r);

/**
 * rpcrec_mark() - write the header of a one-fragment record.
 * @hdr: receives RPCREC_HDR_LEN bytes
 * @len: the record's length (below 2^31)
 */
void rpcrec_mark(uint8_t hdr[RPCREC_HDR_LEN], size_t len);

#endif /* INDYNET_NFS_RPCREC_H */
