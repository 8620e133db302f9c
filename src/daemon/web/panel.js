// SPDX-License-Identifier: MIT
// panel.js: the web panel - live status from /api/events, NAT subnet and forward editors, bridge interface, capture and NFS IP, mount help.
//
// The bearer token comes once from the URL fragment (#token=...), is kept in
// sessionStorage and sent in the Authorization header only (never a cookie).
// The event stream is read with fetch() because EventSource cannot send that
// header.
"use strict";

const TOKEN_KEY = "indynet-token";
const SPARK_POINTS = 120;
const $ = (id) => document.getElementById(id);

const state = { mode: null, subnet: null, guestIp: null, nfs: null, last: null, tx: [], rx: [],
                interfaceShown: null, nfsIpShown: null, nfsIpBusy: false, suggested: false, captureEnable: false,
                captureAsked: false };

function takeToken() {
  const m = /(?:^#|&)token=([0-9a-f]{64})(?:&|$)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

const token = takeToken();

function authHeaders(extra) {
  const h = Object.assign({ Accept: "application/json" }, extra || {});
  if (token) h.Authorization = "Bearer " + token;
  return h;
}

async function api(method, path, body) {
  const init = { method, headers: authHeaders(body ? { "Content-Type": "application/json" } : {}),
                 credentials: "omit", cache: "no-store" };
  if (body) init.body = JSON.stringify(body);
  const resp = await fetch(path, init);
  let json = {};
  try { json = await resp.json(); } catch (e) { json = { error: "no JSON in the answer" }; }
  return { status: resp.status, ok: resp.ok, json };
}

function banner(text) {
  $("banner").textContent = text || "";
  $("banner").hidden = !text;
}

// ---- numbers ----

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : String(n)) + " " + units[i];
}

function ipToInt(text) {
  const p = text.split(".");
  if (p.length !== 4 || p.some((x) => !/^(0|[1-9][0-9]{0,2})$/.test(x) || Number(x) > 255)) return null;
  return p.reduce((a, x) => a * 256 + Number(x), 0);
}

function intToIp(n) {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

// The same rules as the daemon's indynet_subnet_parse(): a network address with /8 to /30.
function checkSubnet(text) {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text.trim());
  if (!m) return { error: "write the subnet as A.B.C.D/P, e.g. 10.1.0.0/24" };
  const ip = ipToInt(m[1]);
  const prefix = Number(m[2]);
  if (ip === null) return { error: m[1] + " is not an IPv4 address" };
  if (prefix > 30) return { error: "prefix /" + prefix + " is too small (minimum /30)" };
  if (prefix < 8) return { error: "prefix /" + prefix + " is too large (maximum /8)" };
  const size = 2 ** (32 - prefix);
  const net = ip - (ip % size);
  if (net !== ip) {
    return { error: m[1] + "/" + prefix + " is not the network address for /" + prefix +
             " (did you mean " + intToIp(net) + "/" + prefix + "?)" };
  }
  return { gateway: intToIp(net + 1), guest: intToIp(net + 2), broadcast: intToIp(net + size - 1) };
}

// ---- status ----

function showBadge(st) {
  const badge = $("badge");
  const label = st.mode === "bridge" ? "PCAP" : "NAT";
  const age = st.last_frame_ms ? ((st.now_ms - st.last_frame_ms) / 1000).toFixed(1) + " s ago" : "never";
  badge.dataset.liveness = st.liveness;
  $("badge-label").textContent = label;
  $("badge-state").textContent = st.liveness;
  badge.title = label + " mode, link " + st.liveness + "; last guest frame " + age +
    "; guest " + (st.guest.ip || "no IP yet") + (st.guest.mac ? " (" + st.guest.mac + ")" : "");
  badge.setAttribute("aria-label", badge.title);
}

function showCounters(st) {
  const c = st.counters;
  $("guest").textContent = (st.guest.ip || "no IP yet") + (st.guest.mac ? " · " + st.guest.mac : "");
  $("tx").textContent = c.tx_frames + " frames · " + bytes(c.tx_bytes);
  $("rx").textContent = c.rx_frames + " frames · " + bytes(c.rx_bytes);
  const drops = Object.entries(st.drops).filter(([, n]) => n > 0).map(([k, n]) => k + " " + n);
  $("drops").textContent = drops.length ? drops.join(", ") : "none";
}

function pushRate(st) {
  const c = st.counters;
  if (state.last) {
    const secs = Math.max((st.now_ms - state.last.now_ms) / 1000, 0.001);
    state.tx.push(Math.max(c.tx_bytes - state.last.counters.tx_bytes, 0) / secs);
    state.rx.push(Math.max(c.rx_bytes - state.last.counters.rx_bytes, 0) / secs);
    if (state.tx.length > SPARK_POINTS) { state.tx.shift(); state.rx.shift(); }
  }
  state.last = st;
}

function drawSpark() {
  const max = Math.max(1, ...state.tx, ...state.rx);
  const pts = (a) => a.map((v, i) => ((SPARK_POINTS - a.length + i) * 120 / (SPARK_POINTS - 1)).toFixed(1) + "," +
                               (29 - v / max * 28).toFixed(1)).join(" ");
  $("spark-tx").setAttribute("points", pts(state.tx));
  $("spark-rx").setAttribute("points", pts(state.rx));
  const n = state.tx.length;
  $("rate").textContent = n ? "· now " + bytes(Math.round(state.tx[n - 1])) + "/s out, " +
    bytes(Math.round(state.rx[n - 1])) + "/s in" : "";
}

function showNfs(st) {
  const nfs = st.nfs;
  $("nfs-export").textContent = nfs.enabled ? nfs.export + (nfs.read_only ? " (read-only)" : "") : "no export";
  $("nfs-versions").textContent = nfs.enabled ? nfs.versions.join(", ") : "—";
  $("nfs-address").textContent = nfs.enabled && nfs.address ? nfs.address : "—";
  $("nfs-clients").textContent = Array.isArray(nfs.clients) ?
    (nfs.clients.length ? nfs.clients.map((c) => c.addr + " (" + c.path + ")").join(", ") : "none yet") : "—";
  $("nfs-calls").textContent = nfs.server ? nfs.server.calls + procTop(nfs.procedures) + " · " +
    nfs.server.drc_replays + " answered from the duplicate-request cache" : "—";
}

// the busiest procedures, "getattr 12, lookup 3 (v3)"
function procTop(procs) {
  const all = [];
  Object.entries(procs || {}).forEach(([v, byName]) => Object.entries(byName).forEach(([name, n]) => {
    if (n > 0) all.push([name + (Object.keys(procs).length > 1 ? " " + v : ""), n]);
  }));
  all.sort((a, b) => b[1] - a[1]);
  return all.length ? " (" + all.slice(0, 5).map(([k, n]) => k + " " + n).join(", ") + ")" : "";
}

function showMode(st) {
  if (state.mode === st.mode) return;
  state.mode = st.mode;
  document.querySelectorAll(".nat-only").forEach((e) => { e.hidden = st.mode !== "nat"; });
  document.querySelectorAll(".bridge-only").forEach((e) => { e.hidden = st.mode !== "bridge"; });
  if (st.mode === "nat") loadForwards();
  if (st.mode === "bridge") loadInterfaces();
}

function onStatus(st) {
  banner("");
  showMode(st);
  showBadge(st);
  showCounters(st);
  pushRate(st);
  drawSpark();
  showNfs(st);
  const subnet = st.nat ? st.nat.subnet : null;
  if (subnet !== state.subnet) {
    state.subnet = subnet;
    if (subnet && document.activeElement !== $("subnet")) { $("subnet").value = subnet; subnetInput(); }
  }
  if (st.mode === "bridge") showBridge(st);
  const key = JSON.stringify([st.guest.ip, subnet, st.nfs.enabled, st.nfs.address]);
  if (key !== state.mountKey) { state.mountKey = key; loadMountHelp(st); }
}

// ---- the event stream ----

function parseEvents(buffer, onData) {
  let at;
  while ((at = buffer.indexOf("\n\n")) >= 0) {
    const block = buffer.slice(0, at);
    buffer = buffer.slice(at + 2);
    const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
    if (data) onData(JSON.parse(data));
  }
  return buffer;
}

async function streamOnce() {
  const resp = await fetch("/api/events", { headers: authHeaders(), credentials: "omit", cache: "no-store" });
  if (resp.status === 401) {
    banner("This panel needs the daemon's token: open the URL indynetd printed in its log (…/#token=…).");
    return false;
  }
  if (!resp.ok || !resp.body) return true;
  const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return true;
    buffer = parseEvents(buffer + value, onStatus);
  }
}

async function stream() {
  for (;;) {
    let again = true;
    try { again = await streamOnce(); } catch (e) { again = true; }
    if (!again) return;
    $("badge").dataset.liveness = "off";
    banner("Lost the connection to indynetd; retrying…");
    await new Promise((r) => setTimeout(r, 2000));
  }
}

// ---- NAT subnet ----

function fieldError(input, out, text) {
  out.textContent = text || "";
  if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
}

function subnetInput() {
  const r = checkSubnet($("subnet").value);
  fieldError($("subnet"), $("subnet-error"), r.error);
  $("subnet-derived").textContent = r.error ? "" :
    "gateway " + r.gateway + " · first guest " + r.guest + " · broadcast " + r.broadcast;
  return !r.error;
}

async function subnetSubmit(ev) {
  ev.preventDefault();
  if (!subnetInput()) { $("subnet").focus(); return; }
  const r = await api("PUT", "/api/nat-subnet", { subnet: $("subnet").value.trim() });
  if (!r.ok) { fieldError($("subnet"), $("subnet-error"), r.json.error); return; }
  state.subnet = r.json.subnet;
  $("subnet-derived").textContent = "applied: gateway " + r.json.gateway + " · the guest moves when it renews its lease";
}

// ---- forwards ----

function forwardRow(fw) {
  const tr = document.createElement("tr");
  // (a zero-width space before the port: a narrow table breaks there, not inside the address)
  const guest = (fw.guest_addr || fw.target || "guest") + "\u200b:" + fw.guest_port;
  [fw.proto.toUpperCase(), fw.bind + "\u200b:" + fw.host_port, guest].forEach((t) => {
    const td = document.createElement("td");
    td.textContent = t;
    tr.appendChild(td);
  });
  const td = document.createElement("td");
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = "Remove";
  b.setAttribute("aria-label", "Remove " + fw.proto + " forward " + fw.host_port + " to " + fw.guest_port);
  b.addEventListener("click", () => removeForward(fw));
  td.appendChild(b);
  tr.appendChild(td);
  return tr;
}

async function loadForwards() {
  const r = await api("GET", "/api/forwards");
  const list = $("fw-list");
  list.replaceChildren();
  if (!r.ok) { $("fw-error").textContent = r.json.error; return; }
  if (!r.json.forwards.length) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 4;
    td.textContent = "No forwards yet.";
    tr.appendChild(td);
    list.appendChild(tr);
  }
  r.json.forwards.forEach((fw) => list.appendChild(forwardRow(fw)));
}

async function removeForward(fw) {
  const r = await api("DELETE", "/api/forwards/" + fw.proto + ":" + fw.host_port);
  $("fw-error").textContent = r.ok ? "" : r.json.error;
  loadForwards();
}

function presetChange() {
  const v = $("fw-preset").value;
  if (v === "custom") return;
  const [proto, host, guest] = v.split(",");
  $("fw-proto").value = proto;
  $("fw-host").value = host;
  $("fw-guest").value = guest;
}

function portField(input) {
  const t = input.value.trim();
  const n = Number(t);
  return /^[0-9]{1,5}$/.test(t) && n >= 1 && n <= 65535 ? n : null;
}

async function forwardSubmit(ev) {
  ev.preventDefault();
  const host = portField($("fw-host"));
  const guest = portField($("fw-guest"));
  fieldError($("fw-host"), $("fw-error"), host ? "" : "host port must be a number from 1 to 65535");
  if (!host) { $("fw-host").focus(); return; }
  fieldError($("fw-guest"), $("fw-error"), guest ? "" : "guest port must be a number from 1 to 65535");
  if (!guest) { $("fw-guest").focus(); return; }
  const addr = $("fw-addr").value.trim();
  fieldError($("fw-addr"), $("fw-error"), !addr || ipToInt(addr) !== null ? "" :
    "guest address must be an IPv4 address (A.B.C.D), or empty to follow the guest");
  if (addr && ipToInt(addr) === null) { $("fw-addr").focus(); return; }
  const fw = { proto: $("fw-proto").value, host_port: host, guest_port: guest, bind: $("fw-bind").value };
  if (addr) fw.guest_addr = addr;
  const r = await api("POST", "/api/forwards", fw);
  fieldError(r.ok || r.json.field !== "guest_addr" ? $("fw-host") : $("fw-addr"), $("fw-error"),
             r.ok ? "" : r.json.error);
  if (r.ok) ["fw-host", "fw-guest", "fw-addr"].forEach((id) => { $(id).value = ""; });
  if (r.ok) $("fw-preset").value = "custom";
  loadForwards();
}

// ---- NFS mount help ----

function copyText(text, button) {
  const done = () => { button.textContent = "Copied"; setTimeout(() => { button.textContent = "Copy"; }, 1500); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => { button.textContent = "Select and copy by hand"; });
  } else {
    button.textContent = "Select and copy by hand";
  }
}

function mountBlock(title, lines) {
  const wrap = document.createElement("div");
  const h = document.createElement("h3");
  h.textContent = title;
  wrap.appendChild(h);
  const row = document.createElement("div");
  row.className = "cmd";
  const pre = document.createElement("pre");
  pre.textContent = lines.join("\n");
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = "Copy";
  b.setAttribute("aria-label", "Copy the " + title + " commands");
  b.addEventListener("click", () => copyText(pre.textContent, b));
  row.append(pre, b);
  wrap.appendChild(row);
  return wrap;
}

async function loadMountHelp(st) {
  const box = $("mount");
  if (!st.nfs.enabled) {
    box.textContent = "No export: start indynetd with --export DIR to serve one.";
    return;
  }
  if (st.mode === "bridge" && !st.nfs.address) {
    box.textContent = "Set the NFS server IP above: the mount commands name it.";
    return;
  }
  const r = await api("GET", "/api/mount-help");
  box.replaceChildren();
  if (!r.ok) { box.textContent = r.json.error; return; }
  box.appendChild(mountBlock("Linux", r.json.linux));
  box.appendChild(mountBlock("IRIX", r.json.irix));
}

// ---- bridge mode: host interface, capture status, the phantom NFS host's address ----

async function loadInterfaces() {
  const r = await api("GET", "/api/interfaces");
  $("if-error").textContent = r.ok ? "" : r.json.error;
  const list = $("if-list");
  list.replaceChildren();
  const auto = document.createElement("option");
  auto.value = "auto";
  auto.label = "auto: the first interface that is up, with an IPv4 address";
  list.appendChild(auto);
  (r.ok ? r.json.interfaces : []).forEach((i) => {
    const o = document.createElement("option");
    o.value = i.name;
    o.label = i.index + ": " + (i.addresses || "no address") + (i.up ? "" : " (down)") + (i.description ? " · " + i.description : "");
    list.appendChild(o);
  });
  if (r.ok && document.activeElement !== $("if-name")) $("if-name").value = r.json.current;
}

async function loadSuggestion() {
  $("nfsip-use").hidden = true;
  const r = await api("GET", "/api/nfs-ip/suggest");
  if (!r.ok) return;
  $("nfsip-use").textContent = "Use " + r.json.ip;
  $("nfsip-use").hidden = false;
}

// whether the daemon can grant capture access itself (asked once, when the capture is refused)
async function askCaptureAccess() {
  state.captureAsked = true;
  const r = await api("GET", "/api/capture-access");
  state.captureEnable = r.ok && !r.json.permitted && r.json.can_enable;
  $("capture-enable").hidden = !state.captureEnable;
}

// the capture's state; permission-denied shows the fix the engine names
function showCapture(cap) {
  const where = cap.interface ? " on " + cap.interface : "";
  const counts = cap.state === "active" ? " · " + cap.counters.frames + " frames captured" : "";
  const retry = cap.retry_ms ? " · retrying in " + (cap.retry_ms / 1000).toFixed(0) + " s" : "";
  $("capture-state").textContent = cap.state + where + counts + retry;
  $("host-reach").textContent = cap.host_reach
    ? "on · " + cap.counters.host_frames + " frames to the host, " + cap.counters.host_replies + " back, " +
      cap.counters.host_direct + " answers to the host's own connections"
    : "off (--bridge-host-reach)";
  const denied = cap.state === "permission-denied";
  $("capture-fix").hidden = !(cap.error && cap.state !== "active");
  $("capture-fix").textContent = cap.error || "";
  $("capture-enable").hidden = !(denied && state.captureEnable);
  if (denied && !state.captureAsked) askCaptureAccess();
  if (document.activeElement !== $("if-name") && cap.interface && cap.interface !== state.interfaceShown) {
    state.interfaceShown = cap.interface;
    $("if-name").value = cap.interface;
  }
}

const PHANTOM_TEXT = {
  off: () => "no address set",
  waiting: (p) => p.ip + " waits for the capture to come up",
  probing: (p) => "checking that " + (p.probing || p.ip) + " is free on the LAN (ARP probe)…",
  active: (p) => "serving NFS at " + p.ip + " (MAC " + p.mac + ")" + (p.probing ? "; checking " + p.probing + "…" : ""),
  refused: (p) => (p.ip || "the address") + " was refused",
};

// the phantom NFS host: its state under the field, its address in it (unless being edited)
function showPhantom(nfs) {
  $("nfsip-form").hidden = !nfs.enabled;
  const p = nfs.phantom;
  if (!nfs.enabled || !p) return;
  $("nfsip-state").textContent = (PHANTOM_TEXT[p.state] || (() => p.state))(p);
  if (p.state === "refused" && p.error && !state.nfsIpBusy) $("nfsip-error").textContent = p.error;
  if (p.ip && p.ip !== state.nfsIpShown && document.activeElement !== $("nfs-ip") && !state.nfsIpBusy) {
    state.nfsIpShown = p.ip;
    $("nfs-ip").value = p.ip;
  }
  if (p.state !== "active" && !state.suggested && !state.nfsIpBusy) { state.suggested = true; loadSuggestion(); }
}

function showBridge(st) {
  showCapture(st.capture);
  showPhantom(st.nfs);
}

async function commitInterface() {
  const name = $("if-name").value.trim();
  if (!name || name === state.interfaceShown) return;
  state.interfaceShown = name;
  $("if-error").textContent = "";
  const r = await api("PUT", "/api/interface", { interface: name });
  fieldError($("if-name"), $("if-error"), r.ok ? "" : r.json.error);
  if (r.ok) { state.interfaceShown = r.json.interface; $("if-name").value = r.json.interface; }
}

async function nfsIpSubmit(ev) {
  ev.preventDefault();
  const ip = $("nfs-ip").value.trim();
  if (ipToInt(ip) === null) { fieldError($("nfs-ip"), $("nfsip-error"), "write the address as A.B.C.D"); return; }
  fieldError($("nfs-ip"), $("nfsip-error"), "");
  state.nfsIpBusy = true;
  $("nfsip-apply").disabled = true;
  $("nfsip-state").textContent = "checking that " + ip + " is free on the LAN (ARP probe)…";
  const r = await api("PUT", "/api/nfs-ip", { ip });
  state.nfsIpBusy = false;
  $("nfsip-apply").disabled = false;
  fieldError($("nfs-ip"), $("nfsip-error"), r.ok ? "" : r.json.error);
  if (r.ok) { state.nfsIpShown = r.json.ip; $("nfsip-use").hidden = true; }
  if (!r.ok) loadSuggestion();
}

function wire() {
  $("subnet").addEventListener("input", subnetInput);
  $("subnet-form").addEventListener("submit", subnetSubmit);
  $("fw-preset").addEventListener("change", presetChange);
  $("fw-form").addEventListener("submit", forwardSubmit);
  $("if-name").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); commitInterface(); } });
  $("if-name").addEventListener("blur", commitInterface);
  $("if-refresh").addEventListener("click", loadInterfaces);
  $("nfsip-form").addEventListener("submit", nfsIpSubmit);
  $("nfsip-use").addEventListener("click", () => {
    $("nfs-ip").value = $("nfsip-use").textContent.replace(/^Use /, "");
    $("nfsip-form").requestSubmit();
  });
  $("capture-enable").addEventListener("click", async () => {
    $("capture-enable").disabled = true;
    $("capture-result").textContent = "asking for the permission…";
    const r = await api("POST", "/api/capture-access/enable");
    $("capture-enable").disabled = false;
    $("capture-result").textContent = r.ok ? r.json.message : r.json.error;
  });
}

wire();
stream();
