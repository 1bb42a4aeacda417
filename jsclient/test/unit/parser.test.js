// Parser vectors: the WHATWG "event stream interpretation" rules, including
// the cases the web-platform-tests eventsource/format-* files exercise
// (rewritten here as input → expected events).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createParser } from "../../src/parser.js";

function parse(chunks, initialId = "") {
  const events = [];
  const retries = [];
  const comments = [];
  const p = createParser(
    {
      onEvent: (e) => events.push(e),
      onRetry: (ms) => retries.push(ms),
      onComment: (c) => comments.push(c),
    },
    initialId,
  );
  const enc = new TextEncoder();
  for (const c of chunks) p.feed(typeof c === "string" ? enc.encode(c) : c);
  p.end();
  return { events, retries, comments, lastEventId: p.lastEventId };
}

const vectors = [
  ["one event", ["data: hello\n\n"], [{ type: "message", data: "hello", lastEventId: "" }]],
  ["named event with id", ["id: 7\nevent: order.updated\ndata: {}\n\n"], [{ type: "order.updated", data: "{}", lastEventId: "7" }]],
  ["data lines joined with LF", ["data: a\ndata: b\ndata:\n\n"], [{ type: "message", data: "a\nb\n", lastEventId: "" }]],
  ["CRLF line endings", ["data: a\r\ndata: b\r\n\r\n"], [{ type: "message", data: "a\nb", lastEventId: "" }]],
  ["bare CR line endings", ["data: a\rdata: b\r\r"], [{ type: "message", data: "a\nb", lastEventId: "" }]],
  ["CRLF split across chunks", ["data: a\r", "\ndata: b\r", "\n\r", "\n"], [{ type: "message", data: "a\nb", lastEventId: "" }]],
  ["CR at chunk end then a new line", ["data: a\r", "data: b\r\r"], [{ type: "message", data: "a\nb", lastEventId: "" }]],
  ["only one leading space is stripped", ["data:  two\n\n"], [{ type: "message", data: " two", lastEventId: "" }]],
  ["no space after the colon", ["data:x\n\n"], [{ type: "message", data: "x", lastEventId: "" }]],
  ["field without colon has an empty value", ["data\n\n"], [{ type: "message", data: "", lastEventId: "" }]],
  ["empty data then data", ["data:\ndata:x\n\n"], [{ type: "message", data: "\nx", lastEventId: "" }]],
  ["comments are not events", [": ping\n\n: x\ndata: y\n\n"], [{ type: "message", data: "y", lastEventId: "" }]],
  ["a block without data is not dispatched", ["event: x\n\ndata: y\n\n"], [{ type: "message", data: "y", lastEventId: "" }]],
  ["empty event name means message", ["event:\ndata: y\n\n"], [{ type: "message", data: "y", lastEventId: "" }]],
  ["unknown fields are ignored", ["foo: bar\ndata: y\nData: z\n\n"], [{ type: "message", data: "y", lastEventId: "" }]],
  ["field names are case-sensitive", ["DATA: y\n\n"], []],
  ["id persists when a later event omits it", ["id: 1\ndata: a\n\ndata: b\n\n"], [{ type: "message", data: "a", lastEventId: "1" }, { type: "message", data: "b", lastEventId: "1" }]],
  ["empty id resets it", ["id: 1\ndata: a\n\nid\ndata: b\n\n"], [{ type: "message", data: "a", lastEventId: "1" }, { type: "message", data: "b", lastEventId: "" }]],
  ["id with NUL is ignored", ["id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"], [{ type: "message", data: "a", lastEventId: "1" }, { type: "message", data: "b", lastEventId: "1" }]],
  ["id-only block updates the id", ["id: 5\n\ndata: b\n\n"], [{ type: "message", data: "b", lastEventId: "5" }]],
  ["NUL inside data is kept", ["data: a\0b\n\n"], [{ type: "message", data: "a\0b", lastEventId: "" }]],
  ["leading BOM is dropped", ["\uFEFFdata: a\n\n"], [{ type: "message", data: "a", lastEventId: "" }]],
  ["second BOM is part of the field name", ["\uFEFF\uFEFFdata: a\n\ndata: b\n\n"], [{ type: "message", data: "b", lastEventId: "" }]],
  ["unterminated final block is discarded", ["data: a\n\ndata: b\n"], [{ type: "message", data: "a", lastEventId: "" }]],
  ["unterminated final line is discarded", ["data: a\n\ndata: b"], [{ type: "message", data: "a", lastEventId: "" }]],
  ["colon in value", ["data: a: b\n\n"], [{ type: "message", data: "a: b", lastEventId: "" }]],
  ["long line", ["data: " + "x".repeat(5000) + "\n\n"], [{ type: "message", data: "x".repeat(5000), lastEventId: "" }]],
];

for (const [name, chunks, want] of vectors) {
  test(`parser: ${name}`, () => {
    assert.deepEqual(parse(chunks).events, want);
  });
}

test("parser: every split of a stream gives the same events", () => {
  const text = "\uFEFFid: 1\r\nevent: e\r\ndata: é€😀\r\n\r\n: c\rdata: x\rid: 2\r\r";
  const bytes = new TextEncoder().encode(text);
  const whole = parse([bytes]).events;
  assert.equal(whole.length, 2);
  assert.equal(whole[0].data, "é€😀");
  for (let i = 1; i < bytes.length; i++) {
    assert.deepEqual(parse([bytes.slice(0, i), bytes.slice(i)]).events, whole, `split at byte ${i}`);
  }
  assert.deepEqual(parse([...bytes].map((b) => new Uint8Array([b]))).events, whole, "byte by byte");
});

test("parser: retry only when all ASCII digits", () => {
  const r = parse(["retry: 1500\n", "retry: 1000x\n", "retry:\n", "retry: -1\n", "retry: 20\n\n"]);
  assert.deepEqual(r.retries, [1500, 20]);
  assert.deepEqual(r.events, []);
});

test("parser: comments are reported without the colon", () => {
  assert.deepEqual(parse([": ping\n:x\n"]).comments, [" ping", "x"]);
});

test("parser: starts from the initial last event id", () => {
  const r = parse(["data: a\n\n"], "41");
  assert.equal(r.events[0].lastEventId, "41");
});

test("parser: the id of an unterminated block is discarded", () => {
  const r = parse(["id: 1\ndata: a\n\nid: 2\ndata: b\n"]);
  assert.equal(r.lastEventId, "1");
});
