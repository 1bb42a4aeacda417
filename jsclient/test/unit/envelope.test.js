// Decoding event data: ssekit envelopes, other JSON, plain text; the id window.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeData, IdWindow } from "../../src/envelope.js";

test("decodeData: an envelope gives its data as payload", () => {
  const env = { id: "1", event: "x", occurred_at: "2026-01-01T00:00:00Z", data: { n: 1 }, meta: { topic: "t", producer: "p", trace_id: "1" } };
  const r = decodeData(JSON.stringify(env));
  assert.deepEqual(r.payload, { n: 1 });
  assert.deepEqual(r.envelope, env);
  assert.equal(r.error, null);
});

test("decodeData: plain JSON and plain text are delivered as they are", () => {
  assert.deepEqual(decodeData('{"a":1}'), { payload: { a: 1 }, envelope: null, error: null });
  assert.deepEqual(decodeData("42"), { payload: 42, envelope: null, error: null });
  assert.deepEqual(decodeData("hello world"), { payload: "hello world", envelope: null, error: null });
});

test("decodeData: broken JSON is delivered as text and reported", () => {
  const r = decodeData('{"id": "1", ');
  assert.equal(r.payload, '{"id": "1", ');
  assert.equal(r.envelope, null);
  assert.ok(r.error instanceof SyntaxError);
});

test("IdWindow: remembers the last `limit` ids; 0 remembers none", () => {
  const w = new IdWindow(2);
  assert.equal(w.add("a"), true);
  assert.equal(w.add("a"), false);
  assert.equal(w.add("b"), true);
  assert.equal(w.add("c"), true, "a is forgotten");
  assert.equal(w.add("a"), true);
  assert.equal(w.add("c"), false);
  const off = new IdWindow(0);
  assert.equal(off.add("a"), true);
  assert.equal(off.add("a"), true);
});
