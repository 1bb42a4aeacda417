// The native EventSource transport: listeners per event name, resume
// through ?lastEventId=, the 3 s floor, the heartbeat-event watchdog.
import { test, mock, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { createSSE } from "../../src/index.js";
import { fakeEventSourceClass, envelope, nativeSSE } from "./fakes.js";

beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"] }));
afterEach(() => mock.timers.reset());

test("listeners added after connecting are registered on the live EventSource", () => {
  const { ES, sse } = nativeSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  ES.last.open();
  let got = null;
  s.on("late.event", (p) => (got = p));
  ES.last.emit("late.event", '"hi"');
  assert.equal(got, "hi");
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
