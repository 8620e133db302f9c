/* SPDX-License-Identifier: MIT */
/* cmd_status.c: the status command: mode, liveness, guest, counters, drops, NAT addressing, NFS. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd_int.h"

/* A guest frame within this long makes the link "active"; later it is "idle". */
#define CMD_ACTIVE_MS 3000

static int64_t cmd_realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* off: no peer (or no frame yet); active: a frame in the last CMD_ACTIVE_MS; else idle. */
static const char *cmd_liveness(const struct cmd_ctx *ctx, const struct indynet_stats *st,
				int64_t now_ms)
{
	bool peer = !ctx->peer_connected || ctx->peer_connected(ctx->peer_opaque);

	if (!peer || st->last_activity_ms == 0)
		return "off";
	return now_ms - st->last_activity_ms < CMD_ACTIVE_MS ? "active" : "idle";
}

static json_t *cmd_guest_json(const struct indynet_stats *st)
{
	char ip[INET_ADDRSTRLEN], mac[18];
	json_t *g = json_object();

	if (st->guest_ip && inet_ntop(AF_INET, &st->guest_ip, ip, sizeof(ip)))
		json_object_set_new(g, "ip", json_string(ip));
	else
		json_object_set_new(g, "ip", json_null());
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", st->guest_mac[0],
		 st->guest_mac[1], st->guest_mac[2], st->guest_mac[3], st->guest_mac[4],
		 st->guest_mac[5]);
	json_object_set_new(g, "mac", st->guest_mac_known ? json_string(mac) : json_null());
	return g;
}

static json_t *cmd_drops_json(const struct indynet_stats *st)
{
	json_t *d = json_object();

	for (int r = 0; r < INDYNET_DROP__COUNT; r++)
		json_object_set_new(d, indynet_drop_reason_name((enum indynet_drop_reason)r),
				    json_integer((json_int_t)st->drops[r]));
	return d;
}

/* Fragment reassembly: what the engine counts (its drops by reason). */
static json_t *cmd_reasm_json(const struct indynet_stats *st)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "overlap",
			 (json_int_t)st->drops[INDYNET_DROP_FRAG_OVERLAP], "timeout",
			 (json_int_t)st->drops[INDYNET_DROP_FRAG_TIMEOUT], "limit",
			 (json_int_t)st->drops[INDYNET_DROP_FRAG_LIMIT], "too_big",
			 (json_int_t)st->drops[INDYNET_DROP_FRAG_TOO_BIG]);
}

static json_t *cmd_counters_json(const struct indynet_stats *st)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:i, s:i}", "tx_frames", (json_int_t)st->tx_frames, "tx_bytes",
			 (json_int_t)st->tx_bytes, "rx_frames", (json_int_t)st->rx_frames,
			 "rx_bytes", (json_int_t)st->rx_bytes, "nat_flows", (int)st->nat_flows, "nat_flow_cap",
			 (int)st->nat_flow_cap);
}

/* The in-core server's queue, caches and handle resolutions (indynet_nfs_stats_get()). */
static json_t *cmd_nfs_server_json(indynet_engine *eng)
{
	struct indynet_nfs_stats n;
	json_t *j;

	if (indynet_nfs_stats_get(eng, &n) < 0)
		return json_null();
	j = json_pack("{s:I, s:i, s:i, s:I, s:I, s:I, s:I, s:i}", "calls", (json_int_t)n.calls, "queue",
		      (int)n.queue_depth, "queue_max", (int)n.queue_max, "queue_drops", (json_int_t)n.queue_drops,
		      "answer_drops", (json_int_t)n.answer_drops, "drc_replays", (json_int_t)n.drc_replays,
		      "drc_inprogress_drops", (json_int_t)n.drc_inprogress_drops, "drc_entries",
		      (int)n.drc_entries);
	json_object_update_new(j, json_pack("{s:i, s:i, s:I, s:I, s:i, s:i, s:I, s:I}", "nodes", (int)n.nodes,
					    "nodes_max", (int)n.nodes_max, "node_hits", (json_int_t)n.node_hits,
					    "node_misses", (json_int_t)n.node_misses, "fds", (int)n.fds, "fds_max",
					    (int)n.fds_max, "fd_hits", (json_int_t)n.fd_hits, "fd_misses",
					    (json_int_t)n.fd_misses));
	json_object_update_new(j, json_pack("{s:I, s:I, s:I, s:I, s:I}", "handles_kernel",
					    (json_int_t)n.handles_kernel, "handles_searched",
					    (json_int_t)n.handles_searched, "handles_jukebox",
					    (json_int_t)n.handles_jukebox, "handles_stale", (json_int_t)n.handles_stale,
					    "search_entries", (json_int_t)n.search_entries));
	return j;
}

/* NFS over TCP: connections of the virtual hosts' TCP and the records they carried (indynet_nfs_tcp_stats_get()). */
static json_t *cmd_nfs_tcp_json(indynet_engine *eng)
{
	struct indynet_nfs_tcp_stats t;
	json_t *j;

	if (indynet_nfs_tcp_stats_get(eng, &t) < 0)
		return json_null();
	j = json_pack("{s:i, s:i, s:I, s:I, s:I, s:I}", "conns", (int)t.conns, "conns_max", (int)t.conns_max,
		      "opened", (json_int_t)t.opened, "refused", (json_int_t)t.refused, "closed",
		      (json_int_t)t.closed, "timeouts", (json_int_t)t.timeouts);
	json_object_update_new(j, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "resets_sent",
					    (json_int_t)t.resets_sent, "resets_rcvd", (json_int_t)t.resets_rcvd,
					    "retransmits", (json_int_t)t.retransmits, "out_of_order",
					    (json_int_t)t.out_of_order, "records", (json_int_t)t.records, "oversize",
					    (json_int_t)t.oversize));
	return j;
}

/* the clients that mounted the export (MOUNT's list): [{"addr","path"}] */
static json_t *cmd_nfs_clients_json(indynet_engine *eng)
{
	struct indynet_nfs_client c[16];
	char ip[INET_ADDRSTRLEN];
	json_t *list = json_array();
	int n = indynet_nfs_clients_get(eng, c, 16);

	for (int i = 0; i < n && i < 16; i++) {
		inet_ntop(AF_INET, &c[i].addr, ip, sizeof(ip));
		json_array_append_new(list, json_pack("{s:s, s:s}", "addr", ip, "path", c[i].path));
	}
	return list;
}

/* calls run per procedure of NFS version @vers: {"null":N, "getattr":N, ...} */
static json_t *cmd_nfs_procs_json(indynet_engine *eng, unsigned vers)
{
	uint64_t calls[32];
	json_t *o = json_object();
	int n = indynet_nfs_proc_calls_get(eng, vers, calls, 32);

	for (int p = 0; p < n && p < 32; p++)
		json_object_set_new(o, indynet_nfs_proc_name(vers, (unsigned)p), json_integer((json_int_t)calls[p]));
	return o;
}

static json_t *cmd_nfs_procedures_json(const struct cmd_ctx *ctx)
{
	json_t *o = json_object();

	if (ctx->opts->nfs_version != INDYNET_NFS_V3)
		json_object_set_new(o, "v2", cmd_nfs_procs_json(ctx->eng, 2));
	if (ctx->opts->nfs_version != INDYNET_NFS_V2)
		json_object_set_new(o, "v3", cmd_nfs_procs_json(ctx->eng, 3));
	return o;
}

/* bridge mode: the phantom host's address while it serves, and its whole status */
static json_t *cmd_nfs_bridge(struct cmd_ctx *ctx, json_t *nfs)
{
	json_t *ph = cmd_phantom_status_json(ctx);
	const char *state = json_string_value(json_object_get(ph, "state"));

	json_object_set(nfs, "address",
			state && strcmp(state, "active") == 0 ? json_object_get(ph, "ip") : json_null());
	json_object_set_new(nfs, "phantom", ph);
	return nfs;
}

static json_t *cmd_nfs_transports_json(enum indynet_nfs_transport t)
{
	json_t *a = json_array();

	if (t != INDYNET_NFS_TRANSPORT_TCP)
		json_array_append_new(a, json_string("udp"));
	if (t != INDYNET_NFS_TRANSPORT_UDP)
		json_array_append_new(a, json_string("tcp"));
	return a;
}

static json_t *cmd_nfs_json(struct cmd_ctx *ctx, const json_t *nat)
{
	const struct daemon_opts *o = ctx->opts;
	json_t *versions, *nfs;

	if (!o->export_dir)
		return json_pack("{s:b}", "enabled", 0);
	versions = json_array();
	if (o->nfs_version != INDYNET_NFS_V3)
		json_array_append_new(versions, json_string("v2"));
	if (o->nfs_version != INDYNET_NFS_V2)
		json_array_append_new(versions, json_string("v3"));
	nfs = json_pack("{s:b, s:s, s:o, s:b, s:s, s:O, s:o}", "enabled", 1, "export", o->export_dir,
			"versions", versions, "read_only", o->read_only, "attr_model",
			o->attr_model == INDYNET_ATTR_MAPPED ? "mapped" : "squash", "address",
			nat ? json_object_get(nat, "gateway") : json_null(), "server",
			cmd_nfs_server_json(ctx->eng));
	json_object_set_new(nfs, "transports", cmd_nfs_transports_json(o->nfs_transport));
	json_object_set_new(nfs, "tcp", cmd_nfs_tcp_json(ctx->eng));
	json_object_set_new(nfs, "clients", cmd_nfs_clients_json(ctx->eng));
	json_object_set_new(nfs, "procedures", cmd_nfs_procedures_json(ctx));
	return nfs && o->mode == INDYNET_MODE_BRIDGE ? cmd_nfs_bridge(ctx, nfs) : nfs;
}

/* bridge mode's host reach into the capture object: "host_reach" and its counters beside the capture's */
static json_t *cmd_host_reach_json(const struct cmd_ctx *ctx, json_t *cap)
{
	struct indynet_host_reach hr;
	json_t *counters = json_object_get(cap, "counters");

	indynet_host_reach_get(ctx->eng, &hr);
	if (!counters || json_object_set_new(cap, "host_reach", json_boolean(hr.on)) < 0 ||
	    json_object_set_new(counters, "host_frames", json_integer((json_int_t)hr.frames)) < 0 ||
	    json_object_set_new(counters, "host_replies", json_integer((json_int_t)hr.replies)) < 0 ||
	    json_object_set_new(counters, "host_arp", json_integer((json_int_t)hr.arp)) < 0 ||
	    json_object_set_new(counters, "host_direct", json_integer((json_int_t)hr.direct)) < 0 ||
	    json_object_set_new(counters, "host_neigh", json_integer((json_int_t)hr.neigh)) < 0) {
		json_decref(cap);
		return NULL;
	}
	return cap;
}

/* Bridge mode's capture: state, interface, last error, counters; NAT mode has none ("not-used"). */
static json_t *cmd_capture_json(const struct cmd_ctx *ctx)
{
	struct indynet_capture_status cs;
	struct indynet_bridge_mac_status ms;

	indynet_bridge_mac_status_get(ctx->eng, &ms);
	if (indynet_capture_status_get(ctx->eng, &cs) < 0)
		return json_pack("{s:s, s:s?}", "state", "not-used", "file", ctx->opts->capture_file);
	return cmd_host_reach_json(ctx, json_pack("{s:s, s:s?, s:s, s:s, s:s, s:I, s:i, s:{s:I, s:I, s:I, s:I, s:I, "
							"s:I, s:I, s:I, s:I, s:I, s:I, s:I}}",
			 "state", indynet_capture_state_name(cs.state), "file", ctx->opts->capture_file,
			 "interface", cs.interface, "error", cs.error, "mac", indynet_bridge_mac_name(ms.mode),
			 "generation", (json_int_t)cs.generation,
			 "retry_ms", (int)cs.retry_ms, "counters", "frames", (json_int_t)cs.frames,
			 "kernel_drops", (json_int_t)cs.kernel_drops, "own_frames", (json_int_t)cs.own_frames,
			 "not_for_guest", (json_int_t)cs.not_for_guest, "shed", (json_int_t)cs.shed,
			 "drained_rounds", (json_int_t)cs.drained_rounds, "resegmented",
			 (json_int_t)cs.resegmented, "oversized", (json_int_t)cs.oversized, "reopens",
			 (json_int_t)cs.reopens, "mac_translated", (json_int_t)ms.translated, "mac_unmatched",
			 (json_int_t)ms.unmatched, "mac_refused", (json_int_t)ms.refused));
}

/* the impaired link (--impair): its spec and counters, or null */
static json_t *cmd_impair_json(const struct cmd_ctx *ctx)
{
	struct indynet_impair_stats s;

	if (indynet_impair_stats_get(ctx->eng, &s) < 0)
		return json_null();
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:i}", "spec", ctx->opts->impair ? ctx->opts->impair : "",
			 "dropped", (json_int_t)s.dropped, "duplicated", (json_int_t)s.duplicated, "reordered",
			 (json_int_t)s.reordered, "delayed", (json_int_t)s.delayed, "overflow",
			 (json_int_t)s.overflow, "queued", (int)s.queued);
}

static json_t *cmd_nat_json(struct cmd_ctx *ctx)
{
	json_t *nat;

	if (ctx->opts->mode != INDYNET_MODE_NAT)
		return NULL;
	pthread_mutex_lock(&ctx->lock);
	nat = cmd_subnet_json(ctx->subnet);
	pthread_mutex_unlock(&ctx->lock);
	return nat;
}

int cmd_status(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	struct indynet_stats st;
	int64_t now = cmd_realtime_ms();
	json_t *nat = cmd_nat_json(ctx);

	(void)args;
	indynet_stats_get(ctx->eng, &st);
	res->body = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o?, s:o, s:i}",
			      "mode", ctx->opts->mode == INDYNET_MODE_NAT ? "nat" : "bridge",
			      "liveness", cmd_liveness(ctx, &st, now), "last_frame_ms",
			      (json_int_t)st.last_activity_ms, "now_ms", (json_int_t)now,
			      "guest", cmd_guest_json(&st), "counters", cmd_counters_json(&st),
			      "drops", cmd_drops_json(&st), "reassembly", cmd_reasm_json(&st),
			      "capture", cmd_capture_json(ctx), "nat", nat, "nfs",
			      cmd_nfs_json(ctx, nat), "mtu", (int)ctx->opts->mtu);
	if (res->body)
		json_object_set_new(res->body, "impair", cmd_impair_json(ctx));
	return res->body ? 0 : cmd_fail(res, CMD_INTERNAL, NULL, "out of memory");
}

/* bridge mode: " nfs_phantom=STATE nfs_ip=A.B.C.D|none" */
static void cmd_status_phantom_text(const json_t *body, char *buf, size_t len)
{
	const json_t *ph = json_object_get(json_object_get(body, "nfs"), "phantom");
	const char *ip = json_string_value(json_object_get(ph, "ip"));

	if (ph && len)
		snprintf(buf, len, " nfs_phantom=%s nfs_ip=%s", json_string_value(json_object_get(ph, "state")),
			 ip ? ip : "none");
}

/* bridge mode: " capture=STATE interface=NAME capture_KEY=N ... capture_error=TEXT" (the error last: it has spaces) */
static void cmd_capture_text(const json_t *cap, char *buf, size_t len)
{
	const char *error = json_string_value(json_object_get(cap, "error"));
	size_t off;
	const char *key;
	json_t *v;

	if (!json_object_get(cap, "interface") || len == 0)
		return;
	off = (size_t)snprintf(buf, len, " capture=%s interface=%s bridge_mac=%s capture_host_reach=%s",
			       json_string_value(json_object_get(cap, "state")),
			       json_string_value(json_object_get(cap, "interface")),
			       json_string_value(json_object_get(cap, "mac")),
			       json_is_true(json_object_get(cap, "host_reach")) ? "on" : "off");
	json_object_foreach((json_t *)json_object_get(cap, "counters"), key, v) {
		if (off >= len)
			return;
		off += (size_t)snprintf(buf + off, len - off, " capture_%s=%" JSON_INTEGER_FORMAT, key,
					json_integer_value(v));
	}
	if (error && error[0] && off < len)
		snprintf(buf + off, len - off, " capture_error=%s", error);
}

/* " PREFIXkey=N" for each integer of @obj, from @off in @buf; returns the new offset. */
static size_t cmd_text_ints(const json_t *obj, const char *prefix, char *buf, size_t len, size_t off)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		if (off >= len)
			return off;
		if (json_is_integer(v))
			off += (size_t)snprintf(buf + off, len - off, " %s%s=%" JSON_INTEGER_FORMAT, prefix, key,
						json_integer_value(v));
	}
	return off;
}

/* The line protocol's legacy form: "tx_frames=N ... guest_ip=A drop_REASON=N ...". */
void cmd_status_text(const json_t *body, char *buf, size_t len)
{
	const json_t *c = json_object_get(body, "counters"), *g = json_object_get(body, "guest");
	const char *ip = json_string_value(json_object_get(g, "ip"));
	const char *mac = json_string_value(json_object_get(g, "mac"));
	size_t off;
	const char *key;
	json_t *v;

	off = (size_t)snprintf(buf, len,
			       "tx_frames=%" JSON_INTEGER_FORMAT " tx_bytes=%" JSON_INTEGER_FORMAT
			       " rx_frames=%" JSON_INTEGER_FORMAT " rx_bytes=%" JSON_INTEGER_FORMAT
			       " guest_ip=%s",
			       json_integer_value(json_object_get(c, "tx_frames")),
			       json_integer_value(json_object_get(c, "tx_bytes")),
			       json_integer_value(json_object_get(c, "rx_frames")),
			       json_integer_value(json_object_get(c, "rx_bytes")), ip ? ip : "none");
	if (mac && off < len)
		off += (size_t)snprintf(buf + off, len - off, " guest_mac=%s", mac);
	if (off < len)
		off += (size_t)snprintf(buf + off, len - off,
					" nat_flows=%" JSON_INTEGER_FORMAT " nat_flow_cap=%" JSON_INTEGER_FORMAT,
					json_integer_value(json_object_get(c, "nat_flows")),
					json_integer_value(json_object_get(c, "nat_flow_cap")));
	json_object_foreach((json_t *)json_object_get(body, "drops"), key, v) {
		if (off >= len)
			return;
		off += (size_t)snprintf(buf + off, len - off, " drop_%s=%" JSON_INTEGER_FORMAT, key,
					json_integer_value(v));
	}
	json_object_foreach((json_t *)json_object_get(body, "impair"), key, v) {
		if (off >= len)
			return;
		if (json_is_integer(v))
			off += (size_t)snprintf(buf + off, len - off, " impair_%s=%" JSON_INTEGER_FORMAT, key,
						json_integer_value(v));
	}
	json_object_foreach((json_t *)json_object_get(json_object_get(body, "nfs"), "server"), key, v) {
		if (off >= len)
			return;
		off += (size_t)snprintf(buf + off, len - off, " nfs_%s=%" JSON_INTEGER_FORMAT, key,
					json_integer_value(v));
	}
	off = cmd_text_ints(json_object_get(json_object_get(body, "nfs"), "tcp"), "nfs_tcp_", buf, len, off);
	if (off >= len)
		return;
	cmd_status_phantom_text(body, buf + off, len - off);
	off += strlen(buf + off);
	cmd_capture_text(json_object_get(body, "capture"), buf + off, len - off);
}
