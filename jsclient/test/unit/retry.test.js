// The reconnect policy: backoff delays, which failures retry, Retry-After.
import { test } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, retryClass, parseRetryAfter } from "../../src/retry.js";

test("backoffDelay: exponential window with full jitter, capped, floored", () => {
  const o = { initialRetryMs: 1000, maxRetryMs: 30000 };
  const top = [1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a, { ...o, random: () => 1 }));
  assert.deepEqual(top, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  assert.equal(backoffDelay(3, { ...o, random: () => 0 }), 0);
  assert.equal(backoffDelay(3, { ...o, random: () => 0.5 }), 2000);
  assert.equal(backoffDelay(3, { ...o, floorMs: 3000, random: () => 0 }), 3000, "floor");
  assert.equal(backoffDelay(3, { ...o, floorMs: 3000, random: () => 0.5 }), 3500, "jitter above the floor");
  assert.equal(backoffDelay(1, { ...o, floorMs: 3000, random: () => 1 }), 3000, "floor above the window");
  assert.equal(backoffDelay(9, { ...o, floorMs: 60000, random: () => 1 }), 60000, "floor above the cap");
});

test("retryClass: network and stalls retry; 204, other 4xx and a wrong Content-Type stop; 401/403 ask", () => {
  assert.equal(retryClass({ kind: "network" }), true);
  assert.equal(retryClass({ kind: "stalled" }), true);
  assert.equal(retryClass({ kind: "content-type", status: 200 }), false);
  const want = { 204: false, 400: false, 401: "auth", 403: "auth", 404: false, 408: true, 429: true, 500: true, 503: true };
  for (const [status, r] of Object.entries(want)) assert.equal(retryClass({ kind: "http", status: Number(status) }), r, "HTTP " + status);
});

test("parseRetryAfter: seconds or an HTTP date, else undefined", () => {
  const now = Date.parse("2026-11-23T00:00:00Z");
  assert.equal(parseRetryAfter("7", now), 7000);
  assert.equal(parseRetryAfter(" 2 ", now), 2000);
  assert.equal(parseRetryAfter("Mon, 23 Nov 2026 00:00:05 GMT", now), 5000);
  assert.equal(parseRetryAfter("Sun, 22 Nov 2026 00:00:00 GMT", now), 0, "a date in the past is now");
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});
