/* SPDX-License-Identifier: MIT */
/* rpc.h: ONC RPC v2 (RFC 5531) call-header parsing and reply-header encoding. */
#ifndef INDYNET_NFS_RPC_H
#define INDYNET_NFS_RPC_H

#include <stdint.h>

#include "nfs/xdr.h"

#define RPC_VERSION 2u
#define RPC_MSG_CALL 0u
#define RPC_MSG_REPLY 1u

#define RPC_AUTH_NONE 0u
#define RPC_AUTH_SYS 1u

/* accept_stat */
#define RPC_SUCCESS 0u
#define RPC_PROG_UNAVAIL 1u
#define RPC_PROG_MISMATCH 2u
#define RPC_PROC_UNAVAIL 3u
#define RPC_GARBAGE_ARGS 4u
#define RPC_SYSTEM_ERR 5u

/* auth_stat */
#define RPC_AUTH_BADCRED 1u
#define RPC_AUTH_TOOWEAK 5u

#define RPC_PROG_PORTMAP 100000u
#define RPC_PROG_NFS 100003u
#define RPC_PROG_MOUNT 100005u

#define RPC_AUTH_MAX_BYTES 400u  /* opaque_auth body limit (RFC 5531) */
#define RPC_SYS_MACHINE_MAX 255u
#define RPC_SYS_GIDS_MAX 16u

/** struct rpc_cred - the caller's credentials (AUTH_SYS; zeroed for AUTH_NONE). */
struct rpc_cred {
	uint32_t flavor;      /* RPC_AUTH_NONE or RPC_AUTH_SYS */
	uint32_t stamp;
	uint32_t uid, gid;
	uint32_t ngids;
	uint32_t gids[RPC_SYS_GIDS_MAX];
};

/** struct rpc_call - a decoded call header. */
struct rpc_call {
	uint32_t xid;
	uint32_t rpcvers;
	uint32_t prog, vers, proc;
	struct rpc_cred cred;
};

/** enum rpc_parse - outcome of rpc_call_parse(). */
enum rpc_parse {
	RPC_PARSE_OK = 0,
	RPC_PARSE_DROP,        /* not a call / header undecodable: send nothing */
	RPC_PARSE_BAD_RPCVERS, /* answer rpc_reply_rpc_mismatch() */
	RPC_PARSE_BAD_CRED,    /* answer rpc_reply_auth_error(RPC_AUTH_BADCRED) */
	RPC_PARSE_WEAK_AUTH,   /* unknown flavor: rpc_reply_auth_error(RPC_AUTH_TOOWEAK) */
};

enum rpc_parse rpc_call_parse(struct xdr_dec *d, struct rpc_call *call);
void rpc_reply_accepted(struct xdr_enc *e, uint32_t xid, uint32_t accept_stat);
void rpc_reply_prog_mismatch(struct xdr_enc *e, uint32_t xid, uint32_t low, uint32_t high);
void rpc_reply_rpc_mismatch(struct xdr_enc *e, uint32_t xid);
void rpc_reply_auth_error(struct xdr_enc *e, uint32_t xid, uint32_t auth_stat);

#endif /* INDYNET_NFS_RPC_H */
