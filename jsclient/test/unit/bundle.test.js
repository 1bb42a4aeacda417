// client.js, the file the Go package serves and npm publishes, is the bundle
// of src/: it must be fresh, export what src/index.js exports, and stay safe
// to import where there is no browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { bundle } from "../../scripts/bundle.js";
import * as entry from "../../src/index.js";

const clientURL = new URL("../../client.js", import.meta.url);

test("client.js is the bundle of src/ (run `npm run build` after editing src/)", () => {
  assert.ok(readFileSync(clientURL, "utf8") === bundle(), "client.js is stale: run `npm run build` in jsclient/");
});

test("client.js exports exactly what src/index.js exports", async () => {
  const client = await import(clientURL.href);
  assert.deepEqual(Object.keys(client).sort(), Object.keys(entry).sort());
  assert.equal(client.RESET_EVENT, entry.RESET_EVENT);
});

test("importing client.js touches no window, document or navigator", async () => {
  const names = ["window", "document", "navigator", "EventSource", "BroadcastChannel"];
  const saved = names.map((n) => Object.getOwnPropertyDescriptor(globalThis, n));
  const touched = [];
  try {
    for (const n of names) {
      Object.defineProperty(globalThis, n, { configurable: true, get: () => touched.push(n) });
    }
    await import(clientURL.href + "?fresh=" + Date.now());
  } finally {
    names.forEach((n, i) => {
      if (saved[i]) Object.defineProperty(globalThis, n, saved[i]);
      else delete globalThis[n];
    });
  }
  assert.deepEqual(touched, []);
});
