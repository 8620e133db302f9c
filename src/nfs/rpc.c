/* SPDX-License-Identifier: MIT */
/* rpc.c: ONC RPC v2 (RFC 5531) call-header parsing and reply-header encoding. */
#include "nfs/rpc.h"

#include <string.h>

#define RPC_MSG_ACCEPTED 0u
#define RPC_MSG_DENIED 1u
#define RPC_REJ_RPC_MISMATCH 0u
#define RPC_REJ_AUTH_ERROR 1u

/* Parse an AUTH_SYS body (already bounded to its opaque length). */
static int rpc_parse_sys(const uint8_t *body, uint32_t len, struct rpc_cred *cred)
{
	struct xdr_dec d;
	uint32_t mlen, i;

	xdr_dec_init(&d, body, len);
	cred->stamp = xdr_get_u32(&d);
	xdr_get_opaque(&d, RPC_SYS_MACHINE_MAX, &mlen);
	cred->uid = xdr_get_u32(&d);
	cred->gid = xdr_get_u32(&d);
	cred->ngids = xdr_get_u32(&d);
	if (d.err || cred->ngids > RPC_SYS_GIDS_MAX)
		return -1;
	for (i = 0; i < cred->ngids; i++)
		cred->gids[i] = xdr_get_u32(&d);
	if (d.err || xdr_dec_left(&d) != 0)
		return -1;
	return 0;
}

/**
 * rpc_call_parse() - decode a call header up to the procedure arguments.
 * @d: decoder positioned at the xid; left at the arguments on success
 * @call: receives the header (xid valid whenever the result is not DROP)
 *
 * Return: an enum rpc_parse saying how to answer.
 */
enum rpc_parse rpc_call_parse(struct xdr_dec *d, struct rpc_call *call)
{
	const uint8_t *body;
	uint32_t flavor, len;

	memset(call, 0, sizeof(*call));
	call->xid = xdr_get_u32(d);
	if (xdr_get_u32(d) != RPC_MSG_CALL || d->err)
		return RPC_PARSE_DROP;
	call->rpcvers = xdr_get_u32(d);
	if (d->err)
		return RPC_PARSE_DROP;
	if (call->rpcvers != RPC_VERSION)
		return RPC_PARSE_BAD_RPCVERS;
	call->prog = xdr_get_u32(d);
	call->vers = xdr_get_u32(d);
	call->proc = xdr_get_u32(d);
	flavor = xdr_get_u32(d);
	body = xdr_get_opaque(d, RPC_AUTH_MAX_BYTES, &len);
	if (d->err)
		return RPC_PARSE_BAD_CRED;
	call->cred.flavor = flavor;
	if (flavor == RPC_AUTH_SYS) {
		if (rpc_parse_sys(body, len, &call->cred) < 0)
			return RPC_PARSE_BAD_CRED;
	} else if (flavor != RPC_AUTH_NONE) {
		return RPC_PARSE_WEAK_AUTH;
	}
	/* The verifier: any flavor, bounded length, ignored. */
	xdr_get_u32(d);
	xdr_get_opaque(d, RPC_AUTH_MAX_BYTES, &len);
	if (d->err)
		return RPC_PARSE_BAD_CRED;
	return RPC_PARSE_OK;
}

static void rpc_reply_head(struct xdr_enc *e, uint32_t xid, uint32_t reply_stat)
{
	xdr_put_u32(e, xid);
	xdr_put_u32(e, RPC_MSG_REPLY);
	xdr_put_u32(e, reply_stat);
}

/**
 * rpc_reply_accepted() - encode an accepted reply header (AUTH_NONE verifier).
 * @e: encoder at the start of the reply
 * @xid: the call's xid
 * @accept_stat: RPC_SUCCESS, RPC_PROG_UNAVAIL, RPC_PROC_UNAVAIL, ...
 *
 * For RPC_SUCCESS the procedure's results follow; use
 * rpc_reply_prog_mismatch() for RPC_PROG_MISMATCH.
 */
void rpc_reply_accepted(struct xdr_enc *e, uint32_t xid, uint32_t accept_stat)
{
	rpc_reply_head(e, xid, RPC_MSG_ACCEPTED);
	xdr_put_u32(e, RPC_AUTH_NONE);
	xdr_put_u32(e, 0);
	xdr_put_u32(e, accept_stat);
}

/**
 * rpc_reply_prog_mismatch() - encode PROG_MISMATCH with the versions served.
 * @e: encoder at the start of the reply
 * @xid: the call's xid
 * @low: lowest version served
 * @high: highest version served
 */
void rpc_reply_prog_mismatch(struct xdr_enc *e, uint32_t xid, uint32_t low, uint32_t high)
{
	rpc_reply_accepted(e, xid, RPC_PROG_MISMATCH);
	xdr_put_u32(e, low);
	xdr_put_u32(e, high);
}

/**
 * rpc_reply_rpc_mismatch() - encode MSG_DENIED/RPC_MISMATCH (we speak 2..2).
 * @e: encoder at the start of the reply
 * @xid: the call's xid
 */
void rpc_reply_rpc_mismatch(struct xdr_enc *e, uint32_t xid)
{
	rpc_reply_head(e, xid, RPC_MSG_DENIED);
	xdr_put_u32(e, RPC_REJ_RPC_MISMATCH);
	xdr_put_u32(e, RPC_VERSION);
	xdr_put_u32(e, RPC_VERSION);
}

/**
 * rpc_reply_auth_error() - encode MSG_DENIED/AUTH_ERROR.
 * @e: encoder at the start of the reply
 * @xid: the call's xid
 * @auth_stat: RPC_AUTH_BADCRED, RPC_AUTH_TOOWEAK, ...
 */
void rpc_reply_auth_error(struct xdr_enc *e, uint32_t xid, uint32_t auth_stat)
{
	rpc_reply_head(e, xid, RPC_MSG_DENIED);
	xdr_put_u32(e, RPC_REJ_AUTH_ERROR);
	xdr_put_u32(e, auth_stat);
}
