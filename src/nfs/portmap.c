/* SPDX-License-Identifier: MIT */
/* portmap.c: portmap v2 (NULL, GETPORT, DUMP) and rpcbind v3/v4 GETADDR (RFC 1833), for UDP and TCP. */
#include <stdio.h>
#include <string.h>

#include "nfs/rpc.h"
#include "nfs/srv.h"

#define PMAP_PROC_NULL 0u
#define PMAP_PROC_SET 1u
#define PMAP_PROC_UNSET 2u
#define PMAP_PROC_GETPORT 3u
#define PMAP_PROC_DUMP 4u
#define RPCB_PROC_GETADDR 3u
#define RPCB_PROC_GETVERSADDR 9u
#define PMAP_IPPROTO_TCP 6u
#define PMAP_IPPROTO_UDP 17u
#define RPCB_NETID_MAX 64u
#define RPCB_ADDR_MAX 128u

static const uint32_t pmap_progs[] = { RPC_PROG_PORTMAP, RPC_PROG_MOUNT, RPC_PROG_NFS };

static uint16_t pmap_port_of(uint32_t prog)
{
	return prog == RPC_PROG_PORTMAP ? NFS_PORT_PORTMAP : prog == RPC_PROG_MOUNT ? NFS_PORT_MOUNT : NFS_PORT_NFS;
}

static int pmap_getport(struct nfs_server *srv, struct nfs_req *req)
{
	uint32_t prog = xdr_get_u32(&req->args), vers = xdr_get_u32(&req->args);
	uint32_t prot = xdr_get_u32(&req->args);

	xdr_get_u32(&req->args);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	xdr_put_u32(&req->res, nfs_transport_served(srv, prot) && nfs_vers_served(srv, prog, vers) ? pmap_port_of(prog) : 0);
	return NFS_PROC_DONE;
}

/* The map's entries for one transport (none when it is not served). */
static void pmap_dump_proto(struct nfs_server *srv, struct nfs_req *req, uint32_t prot)
{
	if (!nfs_transport_served(srv, prot))
		return;
	for (size_t i = 0; i < sizeof(pmap_progs) / sizeof(pmap_progs[0]); i++) {
		for (uint32_t v = 1; v <= 4; v++) {
			if (!nfs_vers_served(srv, pmap_progs[i], v))
				continue;
			xdr_put_bool(&req->res, true);
			xdr_put_u32(&req->res, pmap_progs[i]);
			xdr_put_u32(&req->res, v);
			xdr_put_u32(&req->res, prot);
			xdr_put_u32(&req->res, pmap_port_of(pmap_progs[i]));
		}
	}
}

static int pmap_dump(struct nfs_server *srv, struct nfs_req *req)
{
	pmap_dump_proto(srv, req, PMAP_IPPROTO_UDP);
	pmap_dump_proto(srv, req, PMAP_IPPROTO_TCP);
	xdr_put_bool(&req->res, false);
	return NFS_PROC_DONE;
}

/* Whether an rpcbind netid names a transport we serve ("udp" or "tcp", as configured). */
static bool rpcb_netid_ok(const struct nfs_server *srv, const uint8_t *netid, uint32_t len)
{
	return len == 3 && ((!memcmp(netid, "udp", 3) && nfs_transport_served(srv, PMAP_IPPROTO_UDP)) ||
			    (!memcmp(netid, "tcp", 3) && nfs_transport_served(srv, PMAP_IPPROTO_TCP)));
}

static int rpcb_getaddr(struct nfs_server *srv, struct nfs_req *req)
{
	uint32_t prog = xdr_get_u32(&req->args), vers = xdr_get_u32(&req->args), nlen, alen, olen;
	const uint8_t *netid = xdr_get_opaque(&req->args, RPCB_NETID_MAX, &nlen);
	const uint32_t addr = atomic_load_explicit(&srv->addr, memory_order_relaxed);
	const uint8_t *a = (const uint8_t *)&addr;
	uint16_t port = pmap_port_of(prog);
	char uaddr[RPCB_ADDR_MAX];

	xdr_get_opaque(&req->args, RPCB_ADDR_MAX, &alen);
	xdr_get_opaque(&req->args, RPCB_ADDR_MAX, &olen);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	if (!rpcb_netid_ok(srv, netid, nlen) || !nfs_vers_served(srv, prog, vers)) {
		xdr_put_string(&req->res, "");
		return NFS_PROC_DONE;
	}
	snprintf(uaddr, sizeof(uaddr), "%u.%u.%u.%u.%u.%u", a[0], a[1], a[2], a[3], port >> 8, port & 0xffu);
	xdr_put_string(&req->res, uaddr);
	return NFS_PROC_DONE;
}

/**
 * portmap_dispatch() - serve portmap v2 and rpcbind v3/v4.
 * @srv: server
 * @req: the call (version already checked)
 *
 * SET and UNSET always answer false: the map is fixed.
 *
 * Return: an enum nfs_proc_ret.
 */
int portmap_dispatch(struct nfs_server *srv, struct nfs_req *req)
{
	uint32_t proc = req->call.proc;

	switch (proc) {
	case PMAP_PROC_NULL:
		return NFS_PROC_DONE;
	case PMAP_PROC_SET:
	case PMAP_PROC_UNSET:
		xdr_put_bool(&req->res, false);
		return NFS_PROC_DONE;
	case PMAP_PROC_GETPORT:
		return req->call.vers == 2 ? pmap_getport(srv, req) : rpcb_getaddr(srv, req);
	case PMAP_PROC_DUMP:
		return req->call.vers == 2 ? pmap_dump(srv, req) : NFS_PROC_UNAVAIL;
	case RPCB_PROC_GETVERSADDR:
		return req->call.vers == 4 ? rpcb_getaddr(srv, req) : NFS_PROC_UNAVAIL;
	default:
		return NFS_PROC_UNAVAIL;
	}
}
