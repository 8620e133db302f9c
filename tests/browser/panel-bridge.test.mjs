// SPDX-License-Identifier: MIT
// panel-bridge.test.mjs: the web panel of a bridge-mode daemon in headless Debian chromium, driven by tests/integration/panel-bridge.sh.
//
// Environment: PANEL_URL (with #token=...) of a daemon bridging cap1 (LAN
// 10.77.1.0/24 whose host answers for 10.77.1.213 with LAN_MAC; cap2 is
// another LAN), SCREENSHOT (PNG path), DENIED_URL (with #token=...) of a
// daemon refused the capture permission (whose pkexec grants nothing), NFS_MOUNT (a shell command: the guest
// GUEST_IP mounts the phantom 10.77.1.214 and looks a file up), GUEST_QUIET (a
// shell command: the guest stops sending).
// Prints "ok - ..." per check; exits 1 at the first failure.
import { execSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = (k) => { if (!process.env[k]) throw new Error(`${k} is not set`); return process.env[k]; };
let failed = false;
const ok = (desc) => console.log(`ok   - ${desc}`);
function check(cond, desc, detail) {
  if (cond) { ok(desc); return; }
  console.log(`FAIL - ${desc}${detail ? `\n       | ${detail}` : ""}`);
  failed = true;
  throw new Error(desc);
}

// answers the test provokes on purpose (a taken NFS IP, an unknown interface,
// a grant of the capture permission that fails): chromium logs each non-2xx
// fetch as a console error
const EXPECTED = [/status of 409 .*\/api\/nfs-ip$/, /status of 400 .*\/api\/interface$/,
                  /status of 409 .*\/api\/capture-access\/enable$/];

const profile = mkdtempSync(join(tmpdir(), "indynet-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 1000 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"],
});
const errors = [];
const puts = [];
try {
  const page = browser.pages()[0] || await browser.newPage();
  page.on("console", (m) => {
    const where = m.location().url || "";
    const text = `${m.text()} ${where}`;
    if ((m.type() === "error" || m.type() === "warning") && !EXPECTED.some((re) => re.test(text))) errors.push(text);
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => { if (r.method() === "PUT") puts.push(new URL(r.url()).pathname + " " + r.postData()); });

  await page.goto(env("PANEL_URL"));
  await page.waitForSelector("#badge-label:text-is('PCAP')");
  await page.waitForSelector("#badge[data-liveness='active']", { timeout: 10000 });
  ok("badge PCAP, green while the guest sends frames");
  check(await page.isHidden("#nat") && await page.isHidden("#forwards") && await page.isVisible("#bridge"),
    "NAT-only settings hidden, the bridge settings shown");

  // interface picker: auto + the list, the current one in the field
  await page.waitForSelector("#if-list option[value='cap2']", { state: "attached" });
  const opts = await page.$$eval("#if-list option", (o) => o.map((e) => e.value));
  check(opts[0] === "auto" && opts.includes("cap1") && opts.includes("cap2"), `interface list: ${opts.join(", ")}`);
  await page.waitForSelector("#capture-state:text-matches('^active on cap1')");
  check(await page.inputValue("#if-name") === "cap1", "the field shows the interface captured on");
  ok(`capture status: ${await page.textContent("#capture-state")}`);
  check(await page.isHidden("#capture-fix") && await page.isHidden("#capture-enable"), "no fix shown while the capture works");

  // NFS server IP: the suggestion skips the address the LAN host answers for
  await page.waitForSelector("#nfsip-use:text-is('Use 10.77.1.214')", { timeout: 20000 });
  ok("the NFS server IP suggestion: Use 10.77.1.214");
  check(/Set the NFS server IP/.test(await page.textContent("#mount")), "mount help waits for an NFS server IP");
  await page.fill("#nfs-ip", "10.77.1.213");
  await page.press("#nfs-ip", "Enter");
  await page.waitForSelector(`#nfsip-error:has-text('in use on cap1 by ${env("LAN_MAC")}')`, { timeout: 15000 });
  check(await page.getAttribute("#nfs-ip", "aria-invalid") === "true",
    `a taken address is refused inline naming the LAN host's MAC: ${await page.textContent("#nfsip-error")}`);
  await page.click("#nfsip-use");
  await page.waitForSelector("#nfsip-state:has-text('serving NFS at 10.77.1.214')", { timeout: 15000 });
  check(await page.inputValue("#nfs-ip") === "10.77.1.214" && (await page.textContent("#nfsip-error")) === "",
    `"Use" claims the suggestion: ${await page.textContent("#nfsip-state")}`);
  await page.waitForSelector("#nfs-address:text-is('10.77.1.214')");
  await page.waitForSelector("#mount pre");
  const mount = await page.$$eval("#mount pre", (p) => p.map((e) => e.textContent).join("\n"));
  check(/mount -t nfs -o vers=3,nolock 10\.77\.1\.214:\/ \/mnt/.test(mount) &&
        /\/usr\/etc\/route add default 10\.77\.1\.1 1\nmkdir \/shared\nmount 10\.77\.1\.214:\/ \/shared/.test(mount),
    "mount help names the phantom IP for Linux and IRIX, and the LAN's router");

  // an NFS client: listed, with its calls per procedure
  execSync(env("NFS_MOUNT"), { stdio: "inherit" });
  await page.waitForSelector(`#nfs-clients:text-is('${env("GUEST_IP")} (/)')`, { timeout: 5000 });
  const calls = await page.textContent("#nfs-calls");
  check(/lookup v3 [1-9]/.test(calls), `the guest that mounted is listed, its calls per procedure: ${calls}`);

  // keyboard: the bridge controls are reachable with Tab
  const reached = new Set();
  await page.focus("body");
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    reached.add(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent));
  }
  for (const id of ["badge", "if-name", "if-refresh", "nfs-ip", "nfsip-apply", "Copy"]) {
    check(reached.has(id), `reachable with the keyboard: ${id}`);
  }
  await page.screenshot({ path: env("SCREENSHOT"), fullPage: true });
  ok(`screenshot saved to ${env("SCREENSHOT")}`);

  // manual entry: applied on Enter or leaving the field, never per keystroke
  await page.fill("#if-name", "");
  await page.type("#if-name", "cap2");
  await page.waitForTimeout(500);
  check(!puts.some((p) => p.startsWith("/api/interface ")), "typing sends nothing", puts.join(" | "));
  await page.press("#if-name", "Enter");
  await page.waitForSelector("#capture-state:text-matches('^active on cap2')", { timeout: 10000 });
  check(puts.filter((p) => p.startsWith("/api/interface ")).length === 1, `Enter switches live: ${await page.textContent("#capture-state")}`);
  await page.fill("#if-name", "nosuch0");
  await page.press("#if-name", "Tab");
  await page.waitForSelector("#if-error:has-text('nosuch0')");
  ok(`leaving the field applies it; refused inline: ${await page.textContent("#if-error")}`);
  check(/^active on cap2/.test(await page.textContent("#capture-state")), "the refused switch keeps cap2");
  const before = puts.length;
  const listed = page.waitForRequest((r) => r.url().endsWith("/api/interfaces"));
  await page.click("#if-refresh");
  await listed;
  check(puts.length === before, "Refresh reads the list again and switches nothing");

  // the sparkline drew the traffic; the badge turns red once the guest falls silent
  const spark = await page.getAttribute("#spark-rx", "points");
  check(spark.split(" ").length >= 5, `the sparkline is drawn from the events (${spark.split(" ").length} points)`);
  execSync(env("GUEST_QUIET"));
  await page.waitForSelector("#badge[data-liveness='idle']", { timeout: 10000 });
  const red = await page.$eval("#badge .dot", (e) => getComputedStyle(e).backgroundColor);
  check(red === "rgb(207, 34, 46)", `the badge turns red when the guest falls silent (${red})`);

  // 200 % zoom
  await page.setViewportSize({ width: 640, height: 1000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `readable at 200 % zoom: no horizontal scrolling (${overflow} px)`);

  // a daemon without the capture permission: the state and its fix
  await page.goto(env("DENIED_URL"));
  await page.waitForSelector("#capture-state:text-matches('^permission-denied on cap1')");
  const fix = await page.textContent("#capture-fix");
  check(await page.isVisible("#capture-fix") && /setcap cap_net_raw,cap_net_admin\+eip/.test(fix),
    `permission-denied shows the fix: ${fix}`);
  await page.waitForSelector("#capture-enable:visible");
  await page.click("#capture-enable");
  await page.waitForSelector("#capture-result:has-text('enabling packet capture failed')", { timeout: 15000 });
  ok(`"Enable packet capture" runs the grant and reports it: ${await page.textContent("#capture-result")}`);
  check(errors.length === 0, "no console errors", errors.join(" | "));
} catch (e) {
  if (!failed) console.log(`FAIL - ${e.message}`);
  failed = true;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
