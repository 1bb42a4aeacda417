// The fetch transport: headers, HTTP statuses and their retry policy,
// Retry-After, Content-Type, the auth hook, the stall watchdog.
import { test, mock, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { fakeEventSourceClass, until, settle, fetchSSE } from "./fakes.js";

beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"] }));
afterEach(() => mock.timers.reset());

test("fetch: listeners get an equivalent MessageEvent as the native event", async () => {
  const { fetch, sse } = fetchSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  let ev = null;
  s.on("x", (p, env, native) => (ev = native));
  await until(() => fetch.calls.length === 1);
  fetch.respond().push("id: 4\nevent: x\ndata: 1\n\n");
  await until(() => ev !== null);
  assert.ok(ev instanceof MessageEvent);
  assert.equal(ev.type, "x");
  assert.equal(ev.data, "1");
  assert.equal(ev.lastEventId, "4");
});

test("headers pick the fetch transport; the headers function runs on every connect", async () => {
  const { fetch, sse } = fetchSSE({ EventSource: fakeEventSourceClass() });
  let n = 0;
  const s = sse.subscribe({ key: "k", url: "/e", headers: async () => ({ Authorization: "Bearer t" + ++n }) });
  assert.equal(s.transport, "fetch");
  await until(() => fetch.calls.length === 1);
  assert.equal(fetch.last().headers.Authorization, "Bearer t1");
  assert.equal(fetch.last().headers.Accept, "text/event-stream");
  assert.equal(fetch.last().headers["Last-Event-ID"], undefined);
  const w = fetch.respond();
  w.push("retry: 2000\nid: 10\ndata: a\n\n");
  await until(() => s.lastEventId === "10");
  w.end();
  await until(() => s.state === "connecting" && mock.timers);
  mock.timers.tick(2000);
  await until(() => fetch.calls.length === 2, "reconnect");
  assert.equal(fetch.last().headers.Authorization, "Bearer t2");
  assert.equal(fetch.last().headers["Last-Event-ID"], "10");
});

test("fetch: the server's retry is the backoff floor", async () => {
  const { fetch, sse } = fetchSSE({ random: () => 0 });
  const s = sse.subscribe({ key: "k", url: "/e" });
  const errors = [];
  s.onError((e) => errors.push(e));
  await until(() => fetch.calls.length === 1);
  fetch.respond().push("retry: 2500\n\n");
  await settle();
  fetch.last().stream.end();
  await until(() => errors.length === 1);
  assert.equal(errors[0].retryInMs, 2500);
  assert.equal(errors[0].kind, "network");
});

test("fetch: 204 stops for good", async () => {
  const { fetch, sse } = fetchSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  const errors = [];
  s.onError((e) => errors.push(e));
  await until(() => fetch.calls.length === 1);
  fetch.respond(204);
  await until(() => errors.length === 1);
  assert.equal(errors[0].kind, "http");
  assert.equal(errors[0].status, 204);
  assert.equal(errors[0].willRetry, false);
  assert.equal(s.state, "closed");
  mock.timers.tick(600000);
  await settle();
  assert.equal(fetch.calls.length, 1);
});

for (const [status, retry] of [
  [404, false],
  [400, false],
  [410, false],
  [408, true],
  [429, true],
  [500, true],
  [503, true],
]) {
  test(`fetch: HTTP ${status} ${retry ? "retries" : "stops"}`, async () => {
    const { fetch, sse } = fetchSSE();
    const s = sse.subscribe({ key: "k", url: "/e" });
    const errors = [];
    s.onError((e) => errors.push(e));
    await until(() => fetch.calls.length === 1);
    fetch.respond(status);
    await until(() => errors.length === 1);
    assert.equal(errors[0].kind, "http");
    assert.equal(errors[0].status, status);
    assert.equal(errors[0].willRetry, retry);
    mock.timers.tick(60000);
    await settle();
    assert.equal(fetch.calls.length, retry ? 2 : 1);
  });
}

test("fetch: Retry-After on 429 raises the floor", async () => {
  const { fetch, sse } = fetchSSE({ random: () => 0 });
  const s = sse.subscribe({ key: "k", url: "/e" });
  const errors = [];
  s.onError((e) => errors.push(e));
  await until(() => fetch.calls.length === 1);
  fetch.respond(429, { headers: { "Retry-After": "7" } });
  await until(() => errors.length === 1);
  assert.equal(errors[0].retryInMs, 7000);
});

test("fetch: a wrong Content-Type is a content-type error that stops", async () => {
  const { fetch, sse } = fetchSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  const errors = [];
  s.onError((e) => errors.push(e));
  await until(() => fetch.calls.length === 1);
  fetch.respond(200, { contentType: "text/html" });
  await until(() => errors.length === 1);
  assert.equal(errors[0].kind, "content-type");
  assert.equal(errors[0].willRetry, false);
  assert.equal(s.state, "closed");
});

test("fetch: a network failure retries", async () => {
  const { fetch, sse } = fetchSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  const errors = [];
  s.onError((e) => errors.push(e));
  await until(() => fetch.calls.length === 1);
  fetch.last().reject(new TypeError("Failed to fetch"));
  await until(() => errors.length === 1);
  assert.equal(errors[0].kind, "network");
  assert.equal(errors[0].willRetry, true);
  assert.match(errors[0].message, /Failed to fetch/);
});

test("fetch: 401 goes to the auth hook, which can retry with fresh headers", async () => {
  let token = "old";
  const statuses = [];
  const { fetch, sse } = fetchSSE();
  const s = sse.subscribe({
    key: "k",
    url: "/e",
    headers: () => ({ Authorization: "Bearer " + token }),
    onAuthError: async ({ status }) => {
      statuses.push(status);
      token = "new";
      return true;
    },
  });
  const errors = [];
  s.onError((e) => errors.push(e));
  await until(() => fetch.calls.length === 1);
  fetch.respond(401);
  await until(() => errors.length === 1);
  assert.deepEqual(statuses, [401]);
  assert.equal(errors[0].status, 401);
  assert.equal(errors[0].willRetry, true);
  mock.timers.tick(errors[0].retryInMs);
  await until(() => fetch.calls.length === 2);
  assert.equal(fetch.last().headers.Authorization, "Bearer new");
});

test("fetch: 403 without an auth hook (or a hook saying no) stops", async () => {
  for (const hook of [undefined, () => false]) {
    const { fetch, sse } = fetchSSE({ onAuthError: hook });
    const s = sse.subscribe({ key: "k", url: "/e" });
    const errors = [];
    s.onError((e) => errors.push(e));
    await until(() => fetch.calls.length === 1);
    fetch.respond(403);
    await until(() => errors.length === 1);
    assert.equal(errors[0].willRetry, false);
    assert.equal(s.state, "closed");
  }
});

test("fetch: the stall watchdog reconnects when no byte arrives", async () => {
  const { fetch, sse } = fetchSSE({ heartbeatMs: 1000, stallFactor: 2 });
  const s = sse.subscribe({ key: "k", url: "/e" });
  const errors = [];
  s.onError((e) => errors.push(e));
  await until(() => fetch.calls.length === 1);
  const w = fetch.respond();
  await until(() => s.state === "open");
  mock.timers.tick(1500);
  w.push(": ping\n"); // a comment is a sign of life
  await settle();
  mock.timers.tick(1500);
  assert.equal(errors.length, 0, "alive: 1.5 s since the last byte");
  mock.timers.tick(500);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].kind, "stalled");
  assert.equal(errors[0].willRetry, true);
  assert.equal(fetch.calls[0].init.signal.aborted, true, "the stalled request is aborted");
  mock.timers.tick(errors[0].retryInMs);
  await until(() => fetch.calls.length === 2);
});

test("release aborts the fetch", async () => {
  const { fetch, sse } = fetchSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  await until(() => fetch.calls.length === 1);
  fetch.respond();
  await until(() => s.state === "open");
  s.release();
  assert.equal(fetch.calls[0].init.signal.aborted, true);
  mock.timers.tick(600000);
  await settle();
  assert.equal(fetch.calls.length, 1);
});
