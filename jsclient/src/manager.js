// The manager createSSE() returns: one Connection per key, shared by the
// subscriptions that name it, and the page lifecycle that pauses them all.
import { Connection } from "./connection.js";
import { Subscription } from "./subscription.js";

const DEFAULTS = {
  transport: "auto", // "auto" | "eventsource" | "fetch"
  initialRetryMs: 1000, // first backoff window
  maxRetryMs: 30000, // backoff cap
  minRetryMs: 0, // floor until the server sends retry:
  nativeRetryMs: 3000, // floor on a native EventSource, which hides retry:
  heartbeatMs: 15000, // the server's heartbeat interval
  stallFactor: 2.5, // stall = no bytes for stallFactor × heartbeatMs
  dedupe: 1000, // envelope ids remembered to drop replayed overlap; 0 disables
  autoLifecycle: true,
  crossTab: false,
};

class Manager {
  constructor(options) {
    this.options = { ...DEFAULTS, ...options };
    const g = globalThis;
    this.env = {
      EventSource: options.EventSource ?? g.EventSource,
      fetch: options.fetch ?? (g.fetch ? g.fetch.bind(g) : undefined),
      random: options.random ?? Math.random,
      BroadcastChannel: options.BroadcastChannel ?? g.BroadcastChannel,
      locks: options.locks ?? g.navigator?.locks,
    };
    this.conns = new Map(); // key → Connection
    this.closed = false;
    this.paused = false; // changed by _setPaused() only
    this.unlisten = [];
    if (this.options.autoLifecycle) this._lifecycle(options.window ?? g.window, options.document ?? g.document);
  }

  subscribe(sub) {
    if (this.closed) throw new Error("ssekit: subscribe on a closed manager");
    const { key, url } = sub || {};
    if (typeof key !== "string" || key === "") throw new TypeError("ssekit: subscribe needs a non-empty string key");
    if (typeof url !== "string" || url === "") throw new TypeError("ssekit: subscribe needs a url");
    let conn = this.conns.get(key);
    if (conn && conn.url !== url) {
      throw new Error(`ssekit: key ${JSON.stringify(key)} is already used for ${conn.url}, not ${url}`);
    }
    if (!conn) {
      const opts = { ...this.options, ...sub };
      if (opts.transport === "eventsource" && opts.headers) throw new Error("ssekit: a native EventSource cannot send headers; use transport \"fetch\"");
      conn = new Connection(this, key, url, opts);
      if (conn.kind === "eventsource" && !this.env.EventSource) throw new Error("ssekit: no EventSource in this environment");
      if (conn.kind === "fetch" && !this.env.fetch) throw new Error("ssekit: no fetch in this environment");
      this.conns.set(key, conn);
    }
    const s = new Subscription(conn, (released) => this._release(conn, released));
    conn.subs.add(s);
    if (this.paused) conn.pause();
    else conn.start();
    if (sub.signal) {
      if (sub.signal.aborted) s.release();
      else sub.signal.addEventListener("abort", () => s.release(), { once: true });
    }
    return s;
  }

  _release(conn, sub) {
    conn.subs.delete(sub);
    for (const [name, fns] of sub._listeners) for (let i = 0; i < fns.size; i++) conn._unwantName(name);
    if (conn.subs.size === 0) {
      conn.stop("closed");
      if (this.conns.get(conn.key) === conn) this.conns.delete(conn.key);
    }
  }

  /** pause closes every stream, keeping subscriptions and last ids (pagehide). */
  pause() {
    this._setPaused(true);
  }

  /** resume reopens paused streams, resuming from their last ids (pageshow). */
  resume() {
    this._setPaused(false);
  }

  // _setPaused is the one place the paused flag changes. Every connection
  // follows it through Connection.pause() and start(), which tell the
  // subscriptions' onStateChange listeners. A stream that stopped for good
  // (204, a wrong Content-Type, maxAttempts) stays closed; a new subscribe()
  // restarts it.
  _setPaused(paused) {
    this.paused = paused;
    for (const c of this.conns.values()) {
      if (paused) {
        if (c.state !== "closed") c.pause();
      } else if (c.state === "paused") c.start();
    }
  }

  /** check reconnects at once any stream waiting out a backoff (online, visible). */
  check() {
    if (this.paused) return;
    for (const c of this.conns.values()) c.reconnectNow();
  }

  close() {
    this.closed = true;
    for (const off of this.unlisten) off();
    this.unlisten = [];
    for (const c of this.conns.values()) c.stop("closed");
    this.conns.clear();
  }

  _lifecycle(win, doc) {
    const on = (target, type, fn) => {
      if (!target?.addEventListener) return;
      target.addEventListener(type, fn);
      this.unlisten.push(() => target.removeEventListener(type, fn));
    };
    on(win, "pagehide", () => this.pause());
    on(win, "pageshow", () => {
      if (this.paused) this.resume();
    });
    on(win, "online", () => this.check());
    on(doc, "visibilitychange", () => {
      if (doc.visibilityState === "visible") this.check();
    });
  }
}

/**
 * createSSE returns a manager whose subscribe() shares one stream per key.
 * See client.d.ts for every option.
 */
export function createSSE(options = {}) {
  return new Manager(options);
}
