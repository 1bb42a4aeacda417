// The client in real headless chromium against the real example server
// (go run ./examples/nethttp, built once): every test drives the page, the
// server's HTTP routes, and checks what an app would see.
import { test } from "node:test";
import assert from "node:assert/strict";
import { suite, openClientPage, waitIn, launchBrowser } from "./harness.js";

const env = suite();

async function withPage(fn) {
  const context = await env.browser.newContext();
  try {
    return await fn(await openClientPage(context, env.server.base), context);
  } finally {
    await context.close();
  }
}

// subscribe in the page; events go to rec[<as>], opens to rec[<as>:open], errors to rec[<as>:error].
function subscribe(page, as, opts, events) {
  return page.evaluate(
    ({ as, opts, events }) => {
      window.sse ??= window.ssekit.createSSE();
      window.subs ??= {};
      const s = window.sse.subscribe(opts);
      window.subs[as] = s;
      for (const name of events) s.on(name, (payload, env) => window.record(as, { name, payload, env }));
      s.onOpen((info) => window.record(as + ":open", info));
      s.onError((e) => window.record(as + ":error", { kind: e.kind, status: e.status, willRetry: e.willRetry }));
      s.onReset((info, env) => window.record(as + ":reset", { info, id: env?.id }));
      return s.transport;
    },
    { as, opts, events },
  );
}

const waitOpen = (page, as, n = 1) => waitIn(page, ({ as, n }) => (window.rec[as + ":open"]?.length ?? 0) >= n, { as, n });
const waitCount = (page, as, n) => waitIn(page, ({ as, n }) => (window.rec[as]?.length ?? 0) >= n, { as, n });
const rec = (page, as) => page.evaluate((as) => window.rec[as] ?? [], as);

for (const transport of ["eventsource", "fetch"]) {
  test(`${transport}: receives a published event with its envelope`, () =>
    withPage(async (page) => {
      const used = await subscribe(page, "a", { key: "recv", url: "/events?topic=recv-" + transport, transport }, ["greeting"]);
      assert.equal(used, transport);
      await waitOpen(page, "a");
      const id = await env.server.publish({ event: "greeting", topic: "recv-" + transport, data: { hello: "world" } });
      await waitCount(page, "a", 1);
      const [got] = await rec(page, "a");
      assert.deepEqual(got.payload, { hello: "world" });
      assert.equal(got.env.id, id);
      assert.equal(got.env.event, "greeting");
      assert.equal(got.env.meta.topic, "recv-" + transport);
      assert.equal(got.env.meta.producer, "example-nethttp");
      assert.ok(got.env.meta.trace_id);
      assert.ok(!Number.isNaN(Date.parse(got.env.occurred_at)));
    }));

  test(`${transport}: resumes after the server drops the connection, without gap or duplicate`, () =>
    withPage(async (page) => {
      const topic = "resume-" + transport;
      await subscribe(page, "r", { key: "resume", url: `/events?topic=${topic}`, transport }, ["n"]);
      await waitOpen(page, "r");
      const first = await env.server.publish({ event: "n", topic, data: 1 });
      await waitCount(page, "r", 1);
      assert.ok((await env.server.drop()) >= 1);
      // While the client waits out its backoff (the server's retry: 3000 is the floor), publish more.
      await waitIn(page, () => window.subs.r.state === "connecting");
      const missed = [await env.server.publish({ event: "n", topic, data: 2 }), await env.server.publish({ event: "n", topic, data: 3 })];
      await waitOpen(page, "r", 2);
      const live = await env.server.publish({ event: "n", topic, data: 4 });
      await waitCount(page, "r", 4);
      const got = await rec(page, "r");
      assert.deepEqual(got.map((e) => e.payload), [1, 2, 3, 4]);
      assert.deepEqual(got.map((e) => e.env.id), [first, ...missed, live]);
      const opens = await rec(page, "r:open");
      assert.equal(opens[1].reconnect, true);
      assert.equal(opens[1].lastEventId, first, "reconnected with the last id it had");
      const errors = await rec(page, "r:error");
      assert.equal(errors[0].kind, "network");
      assert.equal(errors[0].willRetry, true);
      assert.equal(await page.evaluate(() => window.subs.r.lastEventId), live);
    }));

  test(`${transport}: an unknown last event id brings the server's reset event to onReset`, () =>
    withPage(async (page) => {
      await subscribe(page, "z", { key: "reset", url: "/events?topic=reset-" + transport, transport, lastEventId: "1-0" }, []);
      await waitCount(page, "z:reset", 1);
      const [r] = await rec(page, "z:reset");
      assert.equal(r.info.reason, "unknown_last_event_id");
      assert.equal(r.info.last_event_id, "1-0");
      // Live events still flow afterwards.
      await page.evaluate(() => window.subs.z.on("after", (p) => window.record("z", p)));
      await env.server.publish({ event: "after", topic: "reset-" + transport, data: "ok" });
      await waitCount(page, "z", 1);
      assert.deepEqual(await rec(page, "z"), ["ok"]);
    }));
}

test("filters by query metadata: a broadcast filter reaches only matching connections", () =>
  withPage(async (page) => {
    await subscribe(page, "acme", { key: "acme", url: "/events?topic=filt&tenant=acme" }, ["note", "marker"]);
    await subscribe(page, "globex", { key: "globex", url: "/events?topic=filt&tenant=globex" }, ["note", "marker"]);
    await waitOpen(page, "acme");
    await waitOpen(page, "globex");
    await env.server.publish({ event: "note", topic: "filt", data: "for acme", filter: { tenant: "acme" } });
    // A marker to both: once it arrived, anything sent before it has arrived too.
    await env.server.publish({ event: "marker", topic: "filt", data: "end" });
    await waitCount(page, "acme", 2);
    await waitCount(page, "globex", 1);
    assert.deepEqual((await rec(page, "acme")).map((e) => e.payload), ["for acme", "end"]);
    assert.deepEqual((await rec(page, "globex")).map((e) => e.payload), ["end"]);
  }));

test("shared keys use one connection; release closes it with its last user", () =>
  withPage(async (page) => {
    const topic = "shared-key";
    await subscribe(page, "s1", { key: "shared", url: `/events?topic=${topic}` }, ["tick"]);
    await subscribe(page, "s2", { key: "shared", url: `/events?topic=${topic}` }, ["tick"]);
    await waitOpen(page, "s1");
    await env.server.waitStats((s) => s.topics?.[topic] === 1, "one connection for two subscriptions");
    await env.server.publish({ event: "tick", topic, data: 1 });
    await waitCount(page, "s1", 1);
    await waitCount(page, "s2", 1);
    const threw = await page.evaluate(() => {
      try {
        window.sse.subscribe({ key: "shared", url: "/events?topic=other" });
        return null;
      } catch (e) {
        return e.message;
      }
    });
    assert.match(threw, /already used/);
    await page.evaluate(() => window.subs.s1.release());
    await env.server.publish({ event: "tick", topic, data: 2 });
    await waitCount(page, "s2", 2);
    assert.equal((await env.server.stats()).topics?.[topic], 1, "still open for s2");
    assert.equal((await rec(page, "s1")).length, 1, "released subscription got nothing more");
    await page.evaluate(() => {
      window.subs.s2.release();
      window.subs.s2.release();
    });
    await env.server.waitStats((s) => !s.topics?.[topic], "connection closed after the last release");
    assert.equal(await page.evaluate(() => window.subs.s2.state), "closed");
  }));

test("fetch transport sends the Authorization header from a function called on every connect, and Last-Event-ID", () =>
  withPage(async (page) => {
    const seen = [];
    page.on("request", (req) => {
      if (new URL(req.url()).pathname === "/events") seen.push(req.headers());
    });
    await page.evaluate(() => {
      window.tokens = 0;
    });
    const topic = "authz";
    await page.evaluate((topic) => {
      window.sse ??= window.ssekit.createSSE();
      window.subs ??= {};
      const s = window.sse.subscribe({
        key: "authz",
        url: "/events?topic=" + topic,
        headers: async () => ({ Authorization: "Bearer token-" + ++window.tokens }),
      });
      window.subs.authz = s;
      s.on("m", (p) => window.record("authz", p));
      s.onOpen((info) => window.record("authz:open", info));
    }, topic);
    assert.equal(await page.evaluate(() => window.subs.authz.transport), "fetch");
    await waitOpen(page, "authz");
    const id = await env.server.publish({ event: "m", topic, data: "x" });
    await waitCount(page, "authz", 1);
    await env.server.drop();
    await waitOpen(page, "authz", 2);
    assert.equal(seen.length, 2);
    assert.equal(seen[0].authorization, "Bearer token-1");
    assert.equal(seen[0]["last-event-id"], undefined);
    assert.equal(seen[1].authorization, "Bearer token-2", "refreshed on reconnect");
    assert.equal(seen[1]["last-event-id"], id);
  }));

test("a listener that throws is reported and the stream goes on", () =>
  withPage(async (page) => {
    await page.evaluate(() => {
      window.sse2 = window.ssekit.createSSE({ onListenerError: (err, ctx) => window.record("lerr", [err.message, ctx.event]) });
      const s = window.sse2.subscribe({ key: "throw", url: "/events?topic=throwing" });
      window.subs = { ...window.subs, t: s };
      s.on("boom", () => {
        throw new Error("listener failed");
      });
      s.on("boom", (p) => window.record("t", p));
      s.onOpen(() => window.record("t:open", 1));
    });
    await waitOpen(page, "t");
    await env.server.publish({ event: "boom", topic: "throwing", data: 1 });
    await env.server.publish({ event: "boom", topic: "throwing", data: 2 });
    await waitCount(page, "t", 2);
    assert.deepEqual(await rec(page, "t"), [1, 2]);
    assert.deepEqual(await rec(page, "lerr"), [
      ["listener failed", "boom"],
      ["listener failed", "boom"],
    ]);
  }));

test("cross-tab: two pages share one connection; when the leader closes, the other takes over and resumes", async () => {
  const context = await env.browser.newContext();
  try {
    const topic = "crosstab";
    const opts = { key: "xt", url: `/events?topic=${topic}`, crossTab: true };
    const a = await openClientPage(context, env.server.base);
    await subscribe(a, "x", opts, ["n"]);
    await waitIn(a, () => window.subs.x.leader && window.subs.x.state === "open");
    const b = await openClientPage(context, env.server.base);
    await subscribe(b, "x", opts, ["n"]);
    await waitOpen(b, "x"); // a tab that joins an open stream is told it is open
    assert.equal(await b.evaluate(() => window.subs.x.state), "open");
    assert.equal(await b.evaluate(() => window.subs.x.leader), false);
    await env.server.waitStats((s) => s.topics?.[topic] === 1, "one connection for two tabs");
    const id1 = await env.server.publish({ event: "n", topic, data: 1 });
    await waitCount(a, "x", 1);
    await waitCount(b, "x", 1);
    assert.equal((await rec(b, "x"))[0].env.id, id1);

    await a.close(); // the leader tab goes away; its lock is released
    await waitIn(b, () => window.subs.x.leader);
    await waitOpen(b, "x", 2);
    const open = (await rec(b, "x:open")).at(-1);
    assert.equal(open.lastEventId, id1, "the new leader resumed from the last id it saw");
    const id2 = await env.server.publish({ event: "n", topic, data: 2 });
    await waitCount(b, "x", 2);
    const got = await rec(b, "x");
    assert.deepEqual(got.map((e) => e.payload), [1, 2]);
    assert.deepEqual(got.map((e) => e.env.id), [id1, id2]);
    await env.server.waitStats((s) => s.topics?.[topic] === 1, "still one connection");
  } finally {
    await context.close();
  }
});

test("autoLifecycle: leaving for the back/forward cache closes the stream; coming back resumes from the last id", async () => {
  const browser = await launchBrowser({ bfcache: true });
  try {
    const page = await openClientPage(await browser.newContext(), env.server.base);
    const topic = "lifecycle";
    await subscribe(page, "l", { key: "life", url: `/events?topic=${topic}` }, ["n"]);
    await waitOpen(page, "l");
    await page.evaluate(() => {
      window.sameDocument = true;
      window.subs.l.onStateChange((st) => window.record("l:state", st));
    });
    await env.server.waitStats((s) => s.topics?.[topic] === 1, "connected");
    const id1 = await env.server.publish({ event: "n", topic, data: 1 });
    await waitCount(page, "l", 1);

    await page.goto(env.server.base + "/events/stats"); // pagehide, into the bfcache
    await env.server.waitStats((s) => !s.topics?.[topic], "no stream while the page is in the bfcache");
    const id2 = await env.server.publish({ event: "n", topic, data: 2 });
    await page.goBack({ waitUntil: "commit" }); // pageshow, restored
    await waitCount(page, "l", 2);

    assert.equal(await page.evaluate(() => window.sameDocument), true, "restored from the bfcache, not reloaded");
    const got = await rec(page, "l");
    assert.deepEqual(got.map((e) => e.env.id), [id1, id2], "the event sent while away was replayed");
    assert.deepEqual(await rec(page, "l:state"), ["paused", "connecting", "open"]);
    const opens = await rec(page, "l:open");
    assert.equal(opens.length, 2);
    assert.equal(opens[1].lastEventId, id1);
    assert.deepEqual(await rec(page, "l:error"), [], "pausing is not an error");
  } finally {
    await browser.close();
  }
});
