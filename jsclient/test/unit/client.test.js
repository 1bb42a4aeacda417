// The manager against an injected EventSource and fetch, with mocked timers.
import { test, mock, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { createSSE, SSEError, RESET_EVENT } from "../../client.js";
import { fakeEventSourceClass, fakeFetch, envelope, until, settle, fakeLocks } from "./fakes.js";

beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"] }));
afterEach(() => mock.timers.reset());

function nativeSSE(extra = {}) {
  const ES = fakeEventSourceClass();
  const sse = createSSE({ EventSource: ES, random: () => 1, autoLifecycle: false, ...extra });
  return { ES, sse };
}

function fetchSSE(extra = {}) {
  const fetch = fakeFetch();
  const sse = createSSE({ fetch, EventSource: undefined, random: () => 1, autoLifecycle: false, ...extra });
  return { fetch, sse };
}

// ---------------------------------------------------------------- sharing

test("subscriptions with the same key share one EventSource", () => {
  const { ES, sse } = nativeSSE();
  const a = sse.subscribe({ key: "orders", url: "/events?topic=orders" });
  const b = sse.subscribe({ key: "orders", url: "/events?topic=orders" });
  assert.equal(ES.instances.length, 1);
  const got = [];
  a.on("order.updated", (p) => got.push(["a", p]));
  b.on("order.updated", (p) => got.push(["b", p]));
  ES.last.open();
  ES.last.emit("order.updated", envelope("1", "order.updated", { id: 42 }), "1");
  assert.deepEqual(got, [["a", { id: 42 }], ["b", { id: 42 }]]);
});

test("the same key with a different url throws at once", () => {
  const { ES, sse } = nativeSSE();
  sse.subscribe({ key: "orders", url: "/events?topic=orders" });
  assert.throws(() => sse.subscribe({ key: "orders", url: "/events?topic=users" }), /already used/);
  assert.equal(ES.instances.length, 1);
});

test("different keys get their own connections", () => {
  const { ES, sse } = nativeSSE();
  sse.subscribe({ key: "a", url: "/events?topic=a" });
  sse.subscribe({ key: "b", url: "/events?topic=a" });
  assert.equal(ES.instances.length, 2);
});

test("release is idempotent and the stream closes with its last user", () => {
  const { ES, sse } = nativeSSE();
  const a = sse.subscribe({ key: "k", url: "/e" });
  const b = sse.subscribe({ key: "k", url: "/e" });
  const es = ES.last;
  a.release();
  a.release();
  assert.equal(es.closed, false, "b still uses it");
  assert.equal(a.state, "closed");
  b.release();
  assert.equal(es.closed, true);
  // The key is free again, with any url.
  sse.subscribe({ key: "k", url: "/other" });
  assert.equal(ES.instances.length, 2);
  assert.equal(ES.last.url, "/other");
});

test("a released subscription receives nothing more", () => {
  const { ES, sse } = nativeSSE();
  const a = sse.subscribe({ key: "k", url: "/e" });
  sse.subscribe({ key: "k", url: "/e" });
  let n = 0;
  a.on("x", () => n++);
  ES.last.emit("x", "1");
  a.release();
  ES.last.emit("x", "2");
  assert.equal(n, 1);
});

test("an aborted signal releases the subscription", () => {
  const { ES, sse } = nativeSSE();
  const ctrl = new AbortController();
  const s = sse.subscribe({ key: "k", url: "/e", signal: ctrl.signal });
  ctrl.abort();
  assert.equal(s.released, true);
  assert.equal(ES.last.closed, true);
});

// ---------------------------------------------------------------- delivery

test("on delivers payload, envelope and the native event; off stops it", () => {
  const { ES, sse } = nativeSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  const calls = [];
  const fn = (...args) => calls.push(args);
  s.on("order.updated", fn);
  const native = ES.last.emit("order.updated", envelope("1", "order.updated", { id: 1 }, "orders"), "1");
  assert.equal(calls.length, 1);
  const [payload, env, ev] = calls[0];
  assert.deepEqual(payload, { id: 1 });
  assert.equal(env.id, "1");
  assert.equal(env.meta.topic, "orders");
  assert.equal(ev, native);
  s.off("order.updated", fn);
  ES.last.emit("order.updated", envelope("2", "order.updated", { id: 2 }), "2");
  assert.equal(calls.length, 1);
});

test("listeners added after connecting are registered on the live EventSource", () => {
  const { ES, sse } = nativeSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  ES.last.open();
  let got = null;
  s.on("late.event", (p) => (got = p));
  ES.last.emit("late.event", '"hi"');
  assert.equal(got, "hi");
});

test("plain text data is delivered; broken JSON is delivered and reported", () => {
  const { ES, sse } = nativeSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  const got = [];
  const errors = [];
  s.on("message", (p, env) => got.push([p, env]));
  s.onError((e) => errors.push(e));
  ES.last.emit("message", "just text");
  assert.deepEqual(got, [["just text", null]]);
  assert.equal(errors.length, 0);
  ES.last.emit("message", '{"id": ');
  assert.deepEqual(got[1], ['{"id": ', null]);
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof SSEError);
  assert.equal(errors[0].kind, "decode");
  assert.equal(errors[0].willRetry, false);
  assert.equal(ES.last.closed, false, "a decode error does not end the stream");
});

test("a throwing listener is isolated and reported to onListenerError", () => {
  const reported = [];
  const { ES, sse } = nativeSSE({ onListenerError: (err, ctx) => reported.push([err.message, ctx]) });
  const s = sse.subscribe({ key: "k", url: "/e" });
  const got = [];
  s.on("x", () => {
    throw new Error("boom");
  });
  s.on("x", (p) => got.push(p));
  ES.last.emit("x", "1");
  ES.last.emit("x", "2");
  assert.deepEqual(got, [1, 2], "the other listener still runs, the stream goes on");
  assert.deepEqual(reported, [
    ["boom", { key: "k", event: "x" }],
    ["boom", { key: "k", event: "x" }],
  ]);
});

test("connection events named error or open are still messages", () => {
  const { ES, sse } = nativeSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  const got = [];
  s.on("error", (p) => got.push(p));
  ES.last.emit("error", '"app error"');
  // A connection error is an Event without data: not delivered to on("error").
  for (const fn of ES.last.listeners.get("error")) fn({ type: "error" });
  assert.deepEqual(got, ["app error"]);
});

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

test("onAny sees every event with its name", () => {
  const { fetch, sse } = fetchSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  const got = [];
  s.onAny((name, p) => got.push([name, p]));
  return (async () => {
    await until(() => fetch.calls.length === 1);
    const w = fetch.respond();
    w.push("event: a\ndata: 1\n\nevent: b\ndata: 2\n\n");
    await until(() => got.length === 2, "two events");
    assert.deepEqual(got, [["a", 1], ["b", 2]]);
  })();
});

// ---------------------------------------------------------------- resume

test("the server's reset event reaches onReset with its info", () => {
  const { ES, sse } = nativeSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  const resets = [];
  s.onReset((info, env) => resets.push([info, env.event]));
  ES.last.emit(RESET_EVENT, envelope("9", RESET_EVENT, { reason: "unknown id", last_event_id: "3" }), "9");
  assert.deepEqual(resets, [[{ reason: "unknown id", last_event_id: "3" }, RESET_EVENT]]);
});

test("native: the last event id goes into the query of the re-created EventSource", () => {
  const { ES, sse } = nativeSSE();
  const s = sse.subscribe({ key: "k", url: "/events?topic=a" });
  s.on("x", () => {});
  ES.last.open();
  ES.last.emit("x", envelope("5", "x", 1), "5");
  ES.last.emit("x", envelope("6", "x", 2), "6");
  assert.equal(s.lastEventId, "6");
  const first = ES.last;
  first.fail(0); // CONNECTING: the browser would retry; we re-create it
  assert.equal(first.closed, true);
  mock.timers.tick(60000);
  assert.equal(ES.instances.length, 2);
  assert.equal(ES.last.url, "/events?topic=a&lastEventId=6");
  // A replaced id does not pile up in the query.
  ES.last.open();
  ES.last.emit("x", envelope("7", "x", 3), "7");
  ES.last.fail();
  mock.timers.tick(60000);
  assert.equal(ES.last.url, "/events?topic=a&lastEventId=7");
});

test("native: an event without id on a resumed stream keeps the resumed id", () => {
  const { ES, sse } = nativeSSE({ lastEventId: "41" });
  const s = sse.subscribe({ key: "k", url: "/e" });
  assert.equal(ES.last.url, "/e?lastEventId=41");
  s.on("x", () => {});
  ES.last.emit("x", "1", "");
  assert.equal(s.lastEventId, "41");
});

test("overlap after a resume is de-duplicated by envelope id", () => {
  const { ES, sse } = nativeSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  const got = [];
  s.on("x", (p) => got.push(p));
  ES.last.emit("x", envelope("1", "x", "a"), "1");
  ES.last.emit("x", envelope("2", "x", "b"), "2");
  ES.last.fail();
  mock.timers.tick(60000);
  ES.last.emit("x", envelope("2", "x", "b"), "2"); // replayed again
  ES.last.emit("x", envelope("3", "x", "c"), "3");
  assert.deepEqual(got, ["a", "b", "c"]);
});

test("a reset event is delivered even when its id was seen", () => {
  const { ES, sse } = nativeSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  let resets = 0;
  s.on("x", () => {}).onReset(() => resets++);
  ES.last.emit("x", envelope("5", "x", 1), "5");
  ES.last.emit(RESET_EVENT, envelope("5", RESET_EVENT, { reason: "unknown_last_event_id", last_event_id: "2" }), "5");
  assert.equal(resets, 1);
});

test("the de-dup memory is bounded", () => {
  const { ES, sse } = nativeSSE({ dedupe: 2 });
  const s = sse.subscribe({ key: "k", url: "/e" });
  const got = [];
  s.on("x", (p) => got.push(p));
  for (const id of ["1", "2", "3", "1"]) ES.last.emit("x", envelope(id, "x", id), id);
  assert.deepEqual(got, ["1", "2", "3", "1"], "id 1 was forgotten after 2 newer ones");
});

// ---------------------------------------------------------------- backoff

test("native: reconnects with exponential backoff and full jitter, capped, reset on open", () => {
  const ES = fakeEventSourceClass();
  let r = 1;
  const sse = createSSE({ EventSource: ES, random: () => r, autoLifecycle: false, initialRetryMs: 1000, maxRetryMs: 5000, nativeRetryMs: 0 });
  const s = sse.subscribe({ key: "k", url: "/e" });
  const delays = [];
  s.onError((e) => delays.push(e.retryInMs));
  for (let i = 0; i < 5; i++) {
    ES.last.fail();
    const before = ES.instances.length;
    mock.timers.tick(delays.at(-1) - 1);
    assert.equal(ES.instances.length, before, "not before the delay");
    mock.timers.tick(1);
    assert.equal(ES.instances.length, before + 1, "right at the delay");
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 5000, 5000]);
  ES.last.open();
  r = 0.5;
  ES.last.fail();
  assert.equal(delays.at(-1), 500, "attempts start over after an open; jitter applies");
});

test("native: the backoff floor is 3 s, since a native EventSource hides retry:", () => {
  const ES = fakeEventSourceClass();
  const sse = createSSE({ EventSource: ES, random: () => 0, autoLifecycle: false });
  const delays = [];
  sse.subscribe({ key: "k", url: "/e" }).onError((e) => delays.push(e.retryInMs));
  ES.last.fail();
  mock.timers.tick(3000);
  ES.last.fail();
  assert.deepEqual(delays, [3000, 3000]);
});

test("errors are typed with willRetry and retryInMs; state follows", () => {
  const { ES, sse } = nativeSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  const states = [];
  const errors = [];
  s.onStateChange((st) => states.push(st));
  s.onError((e) => errors.push(e));
  ES.last.open();
  ES.last.fail();
  assert.equal(errors[0].kind, "network");
  assert.equal(errors[0].willRetry, true);
  assert.equal(errors[0].retryInMs, 3000);
  assert.equal(errors[0].attempt, 1);
  assert.equal(errors[0].key, "k");
  assert.deepEqual(states, ["open", "connecting"]);
});

test("maxAttempts stops retrying", () => {
  const { ES, sse } = nativeSSE({ maxAttempts: 2 });
  const s = sse.subscribe({ key: "k", url: "/e" });
  const errors = [];
  s.onError((e) => errors.push(e));
  ES.last.fail();
  mock.timers.tick(60000);
  ES.last.fail();
  mock.timers.tick(60000);
  ES.last.fail();
  mock.timers.tick(60000);
  assert.deepEqual(errors.map((e) => e.willRetry), [true, true, false]);
  assert.equal(ES.instances.length, 3);
  assert.equal(s.state, "closed");
});

// ---------------------------------------------------------------- fetch transport

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

test("native: no watchdog without a named heartbeat event; with one it arms", () => {
  const quiet = nativeSSE({ heartbeatMs: 1000 });
  const errs = [];
  quiet.sse.subscribe({ key: "k", url: "/e" }).onError((e) => errs.push(e));
  quiet.ES.last.open();
  mock.timers.tick(60000);
  assert.equal(errs.length, 0);

  const hb = nativeSSE({ heartbeatMs: 1000, stallFactor: 2, heartbeatEvent: "ping" });
  const s = hb.sse.subscribe({ key: "k", url: "/e" });
  const got = [];
  s.onError((e) => errs.push(e)).onAny((n) => got.push(n));
  hb.ES.last.open();
  mock.timers.tick(1500);
  hb.ES.last.emit("ping", "");
  mock.timers.tick(1500);
  assert.equal(errs.length, 0);
  mock.timers.tick(500);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].kind, "stalled");
  assert.deepEqual(got, [], "heartbeat events are not delivered");
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

test("a native EventSource cannot send headers", () => {
  const { sse } = nativeSSE();
  assert.throws(() => sse.subscribe({ key: "k", url: "/e", transport: "eventsource", headers: { a: "b" } }), /cannot send headers/);
});

// ---------------------------------------------------------------- lifecycle

function fakeWindow() {
  const win = new EventTarget();
  const doc = new EventTarget();
  doc.visibilityState = "visible";
  return { win, doc };
}

test("autoLifecycle: pagehide closes, pageshow resumes with the last id", () => {
  const { win, doc } = fakeWindow();
  const ES = fakeEventSourceClass();
  const sse = createSSE({ EventSource: ES, window: win, document: doc, random: () => 1 });
  const s = sse.subscribe({ key: "k", url: "/e" });
  s.on("x", () => {});
  ES.last.open();
  ES.last.emit("x", "1", "3");
  win.dispatchEvent(new Event("pagehide"));
  assert.equal(ES.last.closed, true);
  assert.equal(s.state, "paused");
  mock.timers.tick(600000);
  assert.equal(ES.instances.length, 1, "stays closed while hidden");
  win.dispatchEvent(new Event("pageshow"));
  assert.equal(ES.instances.length, 2);
  assert.equal(ES.last.url, "/e?lastEventId=3");
});

test("autoLifecycle: online and visibilitychange skip a pending backoff", () => {
  const { win, doc } = fakeWindow();
  const ES = fakeEventSourceClass();
  const sse = createSSE({ EventSource: ES, window: win, document: doc, random: () => 1, initialRetryMs: 30000 });
  sse.subscribe({ key: "k", url: "/e" });
  ES.last.fail();
  assert.equal(ES.instances.length, 1);
  win.dispatchEvent(new Event("online"));
  assert.equal(ES.instances.length, 2, "reconnected at once");
  ES.last.fail();
  doc.visibilityState = "hidden";
  doc.dispatchEvent(new Event("visibilitychange"));
  assert.equal(ES.instances.length, 2, "not while hidden");
  doc.visibilityState = "visible";
  doc.dispatchEvent(new Event("visibilitychange"));
  assert.equal(ES.instances.length, 3);
});

test("close removes lifecycle listeners and closes every stream", () => {
  const { win, doc } = fakeWindow();
  const ES = fakeEventSourceClass();
  const sse = createSSE({ EventSource: ES, window: win, document: doc });
  sse.subscribe({ key: "a", url: "/a" });
  sse.subscribe({ key: "b", url: "/b" });
  sse.close();
  assert.ok(ES.instances.every((es) => es.closed));
  win.dispatchEvent(new Event("pageshow"));
  assert.equal(ES.instances.length, 2);
  assert.throws(() => sse.subscribe({ key: "c", url: "/c" }), /closed manager/);
});

test("importing the module touches no window, document or navigator", async () => {
  const names = ["window", "document", "navigator", "EventSource", "BroadcastChannel"];
  const saved = names.map((n) => Object.getOwnPropertyDescriptor(globalThis, n));
  const touched = [];
  try {
    for (const n of names) {
      Object.defineProperty(globalThis, n, { configurable: true, get: () => touched.push(n) });
    }
    await import("../../client.js?fresh=" + Date.now());
  } finally {
    names.forEach((n, i) => {
      if (saved[i]) Object.defineProperty(globalThis, n, saved[i]);
      else delete globalThis[n];
    });
  }
  assert.deepEqual(touched, []);
});

// ---------------------------------------------------------------- cross-tab

test("crossTab: one tab holds the stream, the other gets its events, and takes over with the last id", async (t) => {
  const locks = fakeLocks();
  const ES = fakeEventSourceClass();
  const mk = () => createSSE({ EventSource: ES, locks, BroadcastChannel, crossTab: true, autoLifecycle: false, random: () => 1 });
  const tab1 = mk();
  const tab2 = mk();
  t.after(() => {
    tab1.close();
    tab2.close();
  });
  const key = "shared";
  const s1 = tab1.subscribe({ key, url: "/e" });
  await until(() => ES.instances.length === 1 && s1.leader, "tab 1 leads");
  const s2 = tab2.subscribe({ key, url: "/e" });
  const got2 = [];
  s2.on("late.name", (p) => got2.push(p));
  await settle(20);
  assert.equal(s2.leader, false);
  assert.equal(ES.instances.length, 1, "one stream for both tabs");
  await until(() => ES.last.listeners.has("late.name"), "the follower's event name reaches the leader");
  ES.last.open();
  ES.last.emit("late.name", envelope("1", "late.name", "a"), "1");
  ES.last.emit("late.name", envelope("2", "late.name", "b"), "2");
  await until(() => got2.length === 2, "events fanned out");
  assert.deepEqual(got2, ["a", "b"]);
  assert.equal(s2.lastEventId, "2");
  assert.equal(s2.state, "open");

  s1.release(); // the leader tab goes away
  await until(() => ES.instances.length === 2 && s2.leader, "tab 2 takes over");
  assert.equal(ES.instances[0].closed, true);
  assert.equal(ES.last.url, "/e?lastEventId=2", "resumes from the last id it saw");
  ES.last.open();
  ES.last.emit("late.name", envelope("2", "late.name", "b"), "2"); // overlap
  ES.last.emit("late.name", envelope("3", "late.name", "c"), "3");
  assert.deepEqual(got2, ["a", "b", "c"]);
});

test("crossTab: a tab joining an open stream is told it is open; other urls under the key are not shared", async (t) => {
  const locks = fakeLocks();
  const ES = fakeEventSourceClass();
  const mk = () => createSSE({ EventSource: ES, locks, BroadcastChannel, crossTab: true, autoLifecycle: false });
  const tabs = [mk(), mk(), mk()];
  t.after(() => tabs.forEach((s) => s.close()));
  const s1 = tabs[0].subscribe({ key: "late", url: "/e" });
  await until(() => ES.instances.length === 1, "leader connects");
  ES.last.open();
  const opens = [];
  const s2 = tabs[1].subscribe({ key: "late", url: "/e" }).onOpen((info) => opens.push(info));
  await until(() => opens.length === 1, "joiner told it is open");
  assert.equal(s2.state, "open");
  assert.equal(s2.leader, false);
  assert.equal(opens[0].transport, "eventsource");
  const s3 = tabs[2].subscribe({ key: "late", url: "/other" });
  await until(() => ES.instances.length === 2, "another url leads its own stream");
  await until(() => s3.leader, "s3 leads");
  assert.equal(ES.last.url, "/other");
  assert.equal(s1.leader, true);
});
