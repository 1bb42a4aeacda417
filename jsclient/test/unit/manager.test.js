// The manager: shared keyed connections, release, the page lifecycle and
// the paused state, through createSSE() with injected fakes and mocked timers.
import { test, mock, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { createSSE } from "../../src/index.js";
import { fakeEventSourceClass, envelope, nativeSSE } from "./fakes.js";

beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"] }));
afterEach(() => mock.timers.reset());

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

test("an aborted signal releases the subscription", () => {
  const { ES, sse } = nativeSSE();
  const ctrl = new AbortController();
  const s = sse.subscribe({ key: "k", url: "/e", signal: ctrl.signal });
  ctrl.abort();
  assert.equal(s.released, true);
  assert.equal(ES.last.closed, true);
});

test("a native EventSource cannot send headers", () => {
  const { sse } = nativeSSE();
  assert.throws(() => sse.subscribe({ key: "k", url: "/e", transport: "eventsource", headers: { a: "b" } }), /cannot send headers/);
});

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

test("pause and resume reach every subscription's onStateChange", () => {
  const { ES, sse } = nativeSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  ES.last.open();
  const states = [];
  s.onStateChange((st) => states.push(st));
  sse.pause();
  assert.equal(ES.last.closed, true);
  const late = sse.subscribe({ key: "late", url: "/late" });
  assert.equal(late.state, "paused", "a stream subscribed while paused waits");
  assert.equal(ES.instances.length, 1);
  sse.resume();
  assert.deepEqual(states, ["paused", "connecting"]);
  assert.equal(ES.instances.length, 3, "both streams reopen");
});

test("a subscription made while pausing pauses its stream and tells the stream's other subscriptions", () => {
  // A state listener that subscribes (say, a component mounting) runs while
  // pause() is still going through the streams: the stream it joins must be
  // paused the same way, through one state change its listeners see.
  const { ES, sse } = nativeSSE();
  const a = sse.subscribe({ key: "a", url: "/a" });
  const esA = ES.last;
  const b = sse.subscribe({ key: "b", url: "/b" });
  const esB = ES.last;
  esA.open();
  esB.open();
  const statesB = [];
  b.onStateChange((st) => statesB.push(st));
  a.onStateChange((st) => {
    if (st === "paused") sse.subscribe({ key: "b", url: "/b" });
  });
  sse.pause();
  assert.equal(esB.closed, true);
  assert.equal(b.state, "paused");
  assert.deepEqual(statesB, ["paused"]);
  sse.resume();
  assert.deepEqual(statesB, ["paused", "connecting"]);
});

test("a stream the server stopped for good stays stopped across pause and resume", () => {
  // A wrong Content-Type (or a 204 on fetch) ends the stream; a bfcache
  // round trip must not reopen it behind the server's back.
  const { ES, sse } = nativeSSE();
  const s = sse.subscribe({ key: "k", url: "/e", maxAttempts: 1 });
  ES.last.fail();
  mock.timers.tick(60000);
  ES.last.fail();
  assert.equal(s.state, "closed");
  const states = [];
  s.onStateChange((st) => states.push(st));
  sse.pause();
  sse.resume();
  assert.equal(ES.instances.length, 2);
  assert.equal(s.state, "closed");
  assert.deepEqual(states, []);
});
