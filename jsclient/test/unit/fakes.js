// Test doubles: a scriptable EventSource, a fetch whose responses the test
// writes chunk by chunk, a Web Locks stand-in, managers built on them, and
// small waiting helpers.
import { setImmediate as tick } from "node:timers/promises";
import { createSSE } from "../../src/index.js";

export function fakeEventSourceClass() {
  class FakeEventSource {
    static instances = [];
    constructor(url, init) {
      this.url = url;
      this.init = init;
      this.readyState = 0;
      this.listeners = new Map();
      this.onopen = null;
      this.onerror = null;
      FakeEventSource.instances.push(this);
    }
    addEventListener(type, fn) {
      if (!this.listeners.has(type)) this.listeners.set(type, new Set());
      this.listeners.get(type).add(fn);
    }
    removeEventListener(type, fn) {
      this.listeners.get(type)?.delete(fn);
    }
    close() {
      this.readyState = 2;
    }
    get closed() {
      return this.readyState === 2;
    }
    // Test side.
    open() {
      this.readyState = 1;
      this.onopen?.({ type: "open" });
    }
    emit(type, data, lastEventId = "") {
      const e = { type, data, lastEventId };
      for (const fn of this.listeners.get(type) ?? []) fn(e);
      return e;
    }
    fail(readyState = 2) {
      this.readyState = readyState;
      this.onerror?.({ type: "error" });
    }
    static get last() {
      return FakeEventSource.instances.at(-1);
    }
  }
  return FakeEventSource;
}

export function envelope(id, event, data, topic = "t") {
  return JSON.stringify({ id, event, occurred_at: "2026-11-23T00:00:00Z", data, meta: { topic, producer: "test", trace_id: id } });
}

// fakeFetch records every call; the test answers the latest with respond().
export function fakeFetch() {
  const calls = [];
  const fetch = (url, init) =>
    new Promise((resolve, reject) => {
      const call = { url, init, headers: init.headers, resolve, reject };
      init.signal?.addEventListener("abort", () => {
        reject(new DOMException("aborted", "AbortError"));
        call.stream?.error(new DOMException("aborted", "AbortError"));
      });
      calls.push(call);
    });
  fetch.calls = calls;
  fetch.last = () => calls.at(-1);
  // respond answers the latest call; for a 200 event stream it returns the
  // writer of its body.
  fetch.respond = (status = 200, { contentType = "text/event-stream", headers = {} } = {}) => {
    const call = calls.at(-1);
    if (status === 204 || status >= 300) {
      call.resolve(new Response(status === 204 ? null : "nope", { status, headers: { "Content-Type": "text/plain", ...headers } }));
      return null;
    }
    let ctl;
    const body = new ReadableStream({ start: (c) => (ctl = c) });
    const enc = new TextEncoder();
    const writer = {
      push: (s) => ctl.enqueue(enc.encode(s)),
      end: () => ctl.close(),
      error: (e) => {
        try {
          ctl.error(e);
        } catch {}
      },
    };
    call.stream = writer;
    call.resolve(new Response(body, { status, headers: { "Content-Type": contentType, ...headers } }));
    return writer;
  };
  return fetch;
}

// until polls cond between turns of the event loop (not timers), failing
// after `turns` turns: it waits for promise chains, never for wall time.
export async function until(cond, what = "condition", turns = 200) {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await tick();
  }
  throw new Error("timed out waiting for " + what);
}

export async function settle(turns = 5) {
  for (let i = 0; i < turns; i++) await tick();
}

// fakeLocks is an exclusive Web Locks stand-in (request with a signal).
export function fakeLocks() {
  const queues = new Map();
  function grantNext(name) {
    const q = queues.get(name);
    if (!q || q.held || q.waiting.length === 0) return;
    const w = q.waiting.shift();
    q.held = true;
    Promise.resolve()
      .then(() => w.cb({ name }))
      .then(w.resolve, w.reject)
      .finally(() => {
        q.held = false;
        grantNext(name);
      });
  }
  return {
    request(name, opts, cb) {
      return new Promise((resolve, reject) => {
        if (!queues.has(name)) queues.set(name, { held: false, waiting: [] });
        const q = queues.get(name);
        const w = { cb, resolve, reject };
        q.waiting.push(w);
        opts.signal?.addEventListener("abort", () => {
          const i = q.waiting.indexOf(w);
          if (i >= 0) {
            q.waiting.splice(i, 1);
            reject(new DOMException("aborted", "AbortError"));
          }
        });
        grantNext(name);
      });
    },
  };
}

// nativeSSE is a manager over a fake EventSource; fetchSSE one over a fake
// fetch (and no EventSource). Jitter is off (random = 1), lifecycle off.
export function nativeSSE(extra = {}) {
  const ES = fakeEventSourceClass();
  const sse = createSSE({ EventSource: ES, random: () => 1, autoLifecycle: false, ...extra });
  return { ES, sse };
}

export function fetchSSE(extra = {}) {
  const fetch = fakeFetch();
  const sse = createSSE({ fetch, EventSource: undefined, random: () => 1, autoLifecycle: false, ...extra });
  return { fetch, sse };
}
