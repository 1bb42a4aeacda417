// Cross-tab sharing over Web Locks (a fake) and Node's real BroadcastChannel.
import { test, mock, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { createSSE } from "../../src/index.js";
import { fakeEventSourceClass, envelope, until, settle, fakeLocks } from "./fakes.js";

beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"] }));
afterEach(() => mock.timers.reset());

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
