// Harness for the browser tests: builds and starts the real example server
// (examples/nethttp) on a free port, and launches Debian's chromium through
// playwright-core. Nothing here sleeps: every wait is on an event or a
// condition, with a deadline.
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const TIMEOUT = 15000;

async function freePort() {
  const srv = createServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const { port } = srv.address();
  srv.close();
  await once(srv, "close");
  return port;
}

let binary = null;
let binDir = null;
function buildExample() {
  if (binary) return binary;
  binDir = mkdtempSync(join(tmpdir(), "ssekit-example-"));
  binary = join(binDir, "nethttp");
  // SSEKIT_EXAMPLE picks another example package (any obeys the same contract).
  const pkg = process.env.SSEKIT_EXAMPLE || "./examples/nethttp";
  execFileSync("go", ["build", "-o", binary, pkg], { cwd: repoRoot, stdio: "inherit" });
  process.on("exit", () => rmSync(binDir, { recursive: true, force: true }));
  return binary;
}

// startServer runs the example and resolves once it printed its address.
export async function startServer({ heartbeat = "15s", token = "test-token-" + process.pid } = {}) {
  const bin = buildExample();
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const addr = `127.0.0.1:${port}`;
    const child = spawn(bin, [], {
      cwd: repoRoot,
      env: { ...process.env, ADDR: addr, SSE_BROADCAST_TOKEN: token, SSE_HEARTBEAT: heartbeat },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const ready = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), TIMEOUT);
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes(`listening on http://${addr}`)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.on("exit", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (!ready) {
      child.kill();
      if (tries < 2 && /address already in use/.test(err)) continue; // lost the port race
      throw new Error(`example server did not start on ${addr}:\n${out}\n${err}`);
    }
    const base = `http://${addr}`;
    return {
      base,
      token,
      stderr: () => err,
      async publish(body) {
        const res = await fetch(base + "/events/broadcast", {
          method: "POST",
          headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" },
          body: JSON.stringify(body),
        });
        const json = await res.json();
        if (res.status !== 202) throw new Error(`broadcast: ${res.status} ${JSON.stringify(json)}`);
        return json.id;
      },
      async drop() {
        const res = await fetch(base + "/admin/drop", { method: "POST", headers: { Authorization: "Bearer " + token } });
        if (!res.ok) throw new Error(`drop: ${res.status} ${await res.text()}`);
        return (await res.json()).dropped;
      },
      async stats() {
        const res = await fetch(base + "/events/stats");
        return res.json();
      },
      // waitStats polls /events/stats (each poll a real request) until pred holds.
      async waitStats(pred, what) {
        const deadline = Date.now() + TIMEOUT;
        let last;
        while (Date.now() < deadline) {
          last = await this.stats();
          if (pred(last)) return last;
          await new Promise((r) => setTimeout(r, 25)); // poll interval of a condition with a deadline
        }
        throw new Error(`timed out waiting for stats: ${what}; last ${JSON.stringify(last)}`);
      },
      async stop() {
        if (child.exitCode !== null) return;
        child.kill("SIGTERM");
        await once(child, "exit");
      },
    };
  }
}

// launchBrowser starts Debian's chromium. Playwright turns the
// back/forward cache off by default; bfcache: true keeps it on.
export async function launchBrowser({ bfcache = false } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    ignoreDefaultArgs: bfcache ? ["--disable-back-forward-cache"] : [],
  });
}

// openClientPage opens a same-origin page with the client module loaded as
// window.ssekit, and window.rec, a per-name recorder.
export async function openClientPage(context, base) {
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e));
  await page.goto(base + "/ssekit/client.js");
  await page.evaluate(async () => {
    window.ssekit = await import("/ssekit/client.js");
    window.rec = {};
    window.record = (name, value) => (window.rec[name] ??= []).push(value);
  });
  return page;
}

// waitIn waits until fn(arg) is truthy in the page.
export function waitIn(page, fn, arg) {
  return page.waitForFunction(fn, arg, { timeout: TIMEOUT, polling: 20 });
}

// suite starts one example server and one browser for the test file that
// calls it, and stops both when the file is done. The returned object's
// server and browser are set once the file's tests run.
export function suite() {
  const s = { server: null, browser: null };
  before(async () => {
    s.server = await startServer();
    s.browser = await launchBrowser();
  });
  after(async () => {
    await s.browser?.close();
    await s.server?.stop();
  });
  return s;
}
