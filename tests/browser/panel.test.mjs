// SPDX-License-Identifier: MIT
// panel.test.mjs: the web panel in headless Debian chromium (playwright-core), driven by tests/integration/panel.sh.
//
// Environment: PANEL_URL (with #token=...), GUEST_UP (a shell command that makes
// the guest namespace send frames), HOST_GET (a shell command taking a port:
// prints what the host reads from 127.0.0.1:PORT), SCREENSHOT (PNG path).
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

const profile = mkdtempSync(join(tmpdir(), "indynet-chromium-"));
// a fresh profile (--user-data-dir) for every run
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"],
});
const errors = [];
try {
  const page = browser.pages()[0] || await browser.newPage();
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("requestfailed", (r) => { if (!r.url().endsWith("/api/events")) errors.push(`request failed: ${r.url()}`); });

  await page.goto(env("PANEL_URL"));
  // (selectors, not waitForFunction: the panel's CSP forbids the eval that it needs)
  await page.waitForSelector("#badge-label:text-is('NAT')");
  check(!page.url().includes("token="), "the token is taken from the fragment and removed from the URL", page.url());
  const dot = () => page.$eval("#badge .dot", (e) => getComputedStyle(e).backgroundColor);
  const before = await page.$eval("#badge", (e) => e.dataset.liveness);
  check(before === "off", `badge before the guest sends: ${before} (grey ${await dot()})`);

  execSync(env("GUEST_UP"), { stdio: "inherit" });
  await page.waitForSelector("#badge[data-liveness='active']", { timeout: 15000 });
  check(await dot() === "rgb(26, 127, 55)", `badge turns green when the guest sends frames (${await dot()})`);
  const title = await page.$eval("#badge", (e) => e.title);
  check(/NAT mode, link active; last guest frame/.test(title), `badge tooltip: ${title}`);
  for (let i = 0; i < 50 && /^(0 frames|—)/.test(await page.textContent("#tx")); i++) await page.waitForTimeout(100);
  ok(`counters: to the world ${await page.textContent("#tx")}`);

  // a forward from the presets, used from the host
  await page.selectOption("#fw-preset", { label: "Telnet 2323→23" });
  check(await page.inputValue("#fw-host") === "2323" && await page.inputValue("#fw-guest") === "23",
    "the Telnet preset fills 2323 -> 23");
  await page.click("#fw-add");
  await page.waitForSelector("#fw-list td:text-is('127.0.0.1\u200b:2323')");
  ok("the forward is listed after Add");
  const got = execSync(`${env("HOST_GET")} 2323`).toString().trim();
  check(got === "guest-telnet", `the forward added in the panel reaches the guest from the host: ${got}`);

  // a forward to a fixed guest address: a bad one is refused inline, before anything is sent
  await page.fill("#fw-host", "2424");
  await page.fill("#fw-guest", "23");
  await page.fill("#fw-addr", "192.168.0.300");
  await page.click("#fw-add");
  check(/guest address must be an IPv4 address/.test(await page.textContent("#fw-error")) &&
        await page.getAttribute("#fw-addr", "aria-invalid") === "true", "a bad guest address is rejected inline");
  await page.fill("#fw-addr", "192.168.0.2");
  await page.click("#fw-add");
  await page.waitForSelector("#fw-list td:text-is('127.0.0.1\u200b:2424')");
  const row = await page.$$eval("#fw-list tr", (r) => r.map((e) => e.textContent).find((t) => t.includes("\u200b:2424")));
  check(row.includes("192.168.0.2\u200b:23"), `the forward to guest address 192.168.0.2 is listed: ${row}`);
  const fixed = execSync(`${env("HOST_GET")} 2424`).toString().trim();
  check(fixed === "guest-telnet", `the forward to 192.168.0.2:23 reaches the guest from the host: ${fixed}`);

  // a bad subnet is rejected inline, before anything is sent
  await page.fill("#subnet", "10.1.0.5/24");
  const err = await page.textContent("#subnet-error");
  check(/did you mean 10\.1\.0\.0\/24/.test(err), `bad subnet rejected inline: ${err}`);
  check(await page.getAttribute("#subnet", "aria-invalid") === "true", "the field is marked invalid");
  await page.fill("#subnet", "10.1.0.0/24");
  check(/gateway 10\.1\.0\.1 · first guest 10\.1\.0\.2 · broadcast 10\.1\.0\.255/.test(await page.textContent("#subnet-derived")),
    "a good subnet shows the derived gateway/guest/broadcast line");
  await page.fill("#subnet", "192.168.0.0/24");

  // mount help with copy buttons
  await page.waitForSelector("#mount pre");
  const mount = await page.$$eval("#mount pre", (p) => p.map((e) => e.textContent).join("\n"));
  check(/mount -t nfs -o vers=3,nolock 192\.168\.0\.1:\/ \/mnt/.test(mount) &&
        /\/usr\/etc\/ifconfig ec0 inet 192\.168\.0\.2 netmask 0xffffff00 up/.test(mount),
    "mount help for Linux and IRIX names the gateway and the guest's address");
  check((await page.$$("#mount button")).length === 2, "a copy button per OS");

  // keyboard: every control is reachable with Tab
  const reached = new Set();
  await page.focus("body");
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    reached.add(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent));
  }
  for (const id of ["badge", "subnet", "fw-preset", "fw-host", "fw-addr", "fw-add", "Remove", "Copy"]) {
    check(reached.has(id), `reachable with the keyboard: ${id}`);
  }
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(wide <= 0, `two forwards listed: no horizontal scrolling at 1280 px (${wide} px)`);
  await page.screenshot({ path: env("SCREENSHOT"), fullPage: true });
  ok(`screenshot saved to ${env("SCREENSHOT")}`);

  // 200 % zoom: the same page in half the CSS width does not scroll sideways
  await page.setViewportSize({ width: 640, height: 900 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `readable at 200 % zoom: no horizontal scrolling (${overflow} px)`);
  check(errors.length === 0, "no console errors", errors.join(" | "));
} catch (e) {
  if (!failed) console.log(`FAIL - ${e.message}`);
  failed = true;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
