// A subscription's listeners: delivery, decoding, isolation, onAny, onReset.
import { test, mock, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { SSEError, RESET_EVENT } from "../../src/index.js";
import { envelope, until, nativeSSE, fetchSSE } from "./fakes.js";

beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"] }));
afterEach(() => mock.timers.reset());

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

test("the server's reset event reaches onReset with its info", () => {
  const { ES, sse } = nativeSSE();
  const s = sse.subscribe({ key: "k", url: "/e" });
  const resets = [];
  s.onReset((info, env) => resets.push([info, env.event]));
  ES.last.emit(RESET_EVENT, envelope("9", RESET_EVENT, { reason: "unknown id", last_event_id: "3" }), "9");
  assert.deepEqual(resets, [[{ reason: "unknown id", last_event_id: "3" }, RESET_EVENT]]);
});
