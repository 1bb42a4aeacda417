// A connection: de-duplication after a resume, the reconnect schedule,
// typed errors and the state they lead to.
import { test, mock, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { createSSE, RESET_EVENT } from "../../src/index.js";
import { fakeEventSourceClass, envelope, nativeSSE } from "./fakes.js";

beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"] }));
afterEach(() => mock.timers.reset());

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
