// @ssekit/client: the browser client for ssekit event streams.
//
// One hand-written ES module, no dependencies, no build step. It touches no
// window, document, navigator or timer at import time, so it is safe to import
// in workers and during server-side rendering; everything environmental is
// looked up when createSSE() runs, and can be injected for tests.
//
//   import { createSSE } from "/ssekit/client.js";
//   const sse = createSSE();
//   const sub = sse.subscribe({ key: "orders", url: "/events?topic=orders" });
//   sub.on("order.updated", (order, envelope) => render(order));
//   sub.release();

/** Name of the in-band event a server sends when it cannot resume from the id a client gave. */
export const RESET_EVENT = "ssekit.reset";

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

/**
 * SSEError is what onError handlers receive: a typed, classified failure.
 * kind: "network" | "http" | "content-type" | "decode" | "stalled".
 */
export class SSEError extends Error {
  constructor(kind, message, fields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = "SSEError";
    this.kind = kind;
    this.status = fields.status;
    this.willRetry = !!fields.willRetry;
    this.retryInMs = fields.retryInMs;
    this.attempt = fields.attempt ?? 0;
    this.key = fields.key;
    this.url = fields.url;
  }
}

/**
 * Decodes one event's data. An ssekit envelope gives payload = envelope.data;
 * other JSON is delivered as parsed; text that is not JSON is delivered as the
 * string itself. Text that looks like JSON but does not parse is delivered as
 * the string and reported (error set).
 */
export function decodeData(data) {
  let value;
  try {
    value = JSON.parse(data);
  } catch (err) {
    const first = data.trimStart()[0];
    const looksJSON = first === "{" || first === "[" || first === '"';
    return { payload: data, envelope: null, error: looksJSON ? err : null };
  }
  if (isEnvelope(value)) return { payload: value.data, envelope: value, error: null };
  return { payload: value, envelope: null, error: null };
}

function isEnvelope(v) {
  return (
    v !== null &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    Object.prototype.hasOwnProperty.call(v, "data") &&
    typeof v.id === "string" &&
    typeof v.event === "string"
  );
}

/**
 * createParser returns a push parser for the text/event-stream format that
 * follows the WHATWG HTML "event stream interpretation" rules exactly: UTF-8
 * with one leading BOM dropped, lines ending in CRLF, LF or CR (also when a
 * CRLF is split across chunks), one space stripped after the colon, ids with
 * NUL ignored, retry only when all ASCII digits, the last event id kept when a
 * later event omits it and updated by id-only blocks, an unterminated final
 * block discarded.
 *
 * handlers: onEvent({type, data, lastEventId}), onRetry(ms), onComment(text).
 * feed(Uint8Array | string) pushes bytes; end() finishes the stream.
 */
export function createParser(handlers, initialLastEventId = "") {
  const decoder = new TextDecoder("utf-8");
  let buf = "";
  let skipLF = false; // last chunk ended in CR: a leading LF belongs to it
  let data = "";
  let hasData = false;
  let type = "";
  let idBuffer = initialLastEventId;
  let lastEventId = initialLastEventId;

  function line(l) {
    if (l === "") {
      lastEventId = idBuffer;
      if (!hasData) {
        type = "";
        return;
      }
      const ev = { type: type || "message", data, lastEventId };
      data = "";
      hasData = false;
      type = "";
      handlers.onEvent?.(ev);
      return;
    }
    if (l.charCodeAt(0) === 58 /* : */) {
      handlers.onComment?.(l.slice(1));
      return;
    }
    const colon = l.indexOf(":");
    let field = l;
    let value = "";
    if (colon >= 0) {
      field = l.slice(0, colon);
      value = l.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
    }
    switch (field) {
      case "event":
        type = value;
        break;
      case "data":
        data = hasData ? data + "\n" + value : value;
        hasData = true;
        break;
      case "id":
        if (!value.includes("\0")) idBuffer = value;
        break;
      case "retry":
        if (/^[0-9]+$/.test(value)) handlers.onRetry?.(parseInt(value, 10));
        break;
      default:
      // unknown fields are ignored
    }
  }

  function push(text) {
    let start = 0;
    if (skipLF && text.length > 0) {
      if (text.charCodeAt(0) === 10) start = 1;
      skipLF = false;
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      line(buf + text.slice(start, i));
      buf = "";
      if (c === 13) {
        if (i + 1 === text.length) skipLF = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    buf += text.slice(start);
  }

  return {
    feed(chunk) {
      push(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    },
    end() {
      push(decoder.decode());
      buf = ""; // an unterminated final block is discarded, with its id
      data = "";
      hasData = false;
      type = "";
      idBuffer = lastEventId;
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}

/**
 * backoffDelay is the wait before reconnect attempt number `attempt` (1 for
 * the first retry): full jitter over an exponential window, never below the
 * floor (the server's retry:, or Retry-After) and never above the cap
 * (unless the floor itself is higher).
 */
export function backoffDelay(attempt, { initialRetryMs, maxRetryMs, floorMs = 0, random = Math.random }) {
  const window = Math.min(maxRetryMs, initialRetryMs * 2 ** Math.max(0, attempt - 1));
  if (window <= floorMs) return floorMs;
  return Math.round(floorMs + random() * (window - floorMs));
}

function withQuery(url, name, value) {
  const hash = url.indexOf("#");
  const base = hash >= 0 ? url.slice(0, hash) : url;
  const frag = hash >= 0 ? url.slice(hash) : "";
  const re = new RegExp("([?&])" + name + "=[^&]*(&|$)");
  const clean = base.replace(re, (_, lead, tail) => (tail ? lead : "")).replace(/[?&]$/, "");
  return clean + (clean.includes("?") ? "&" : "?") + name + "=" + encodeURIComponent(value) + frag;
}

function reportListenerError(manager, err, ctx) {
  const hook = manager.options.onListenerError;
  if (hook) {
    try {
      hook(err, ctx);
      return;
    } catch (hookErr) {
      err = hookErr;
    }
  }
  if (typeof globalThis.reportError === "function") globalThis.reportError(err);
  else console.error("ssekit: listener failed", ctx, err);
}

// BoundedSet remembers the most recent `limit` strings.
class BoundedSet {
  constructor(limit) {
    this.limit = limit;
    this.set = new Set();
  }
  // add returns false when the value was already there.
  add(v) {
    if (this.limit <= 0) return true;
    if (this.set.has(v)) return false;
    this.set.add(v);
    if (this.set.size > this.limit) this.set.delete(this.set.values().next().value);
    return true;
  }
}

// ---------------------------------------------------------------------------
// Transports. Each connect() makes one attempt and reports to the connection
// through conn._opened(), conn._event(), conn._retry(), conn._activity() and
// conn._failed(error fields); close() ends the attempt silently.

class EventSourceTransport {
  constructor(conn) {
    this.conn = conn;
    this.es = null;
    this.listeners = new Map();
    this.sawId = false;
  }
  connect() {
    const conn = this.conn;
    const ES = conn.manager.env.EventSource;
    const url = conn.lastEventId ? withQuery(conn.url, "lastEventId", conn.lastEventId) : conn.url;
    const es = new ES(url, conn.opts.withCredentials ? { withCredentials: true } : undefined);
    this.es = es;
    this.sawId = false;
    es.onopen = () => {
      if (this.es === es) conn._opened();
    };
    es.onerror = () => {
      if (this.es !== es) return;
      // Whether the browser gave up (CLOSED) or would retry by itself, we
      // close and re-create it ourselves: that is the only way to apply
      // backoff and to carry the last event id in the query.
      this.close();
      conn._failed({ kind: "network", message: "EventSource connection failed" });
    };
    for (const name of conn.names.keys()) this.listen(name);
  }
  listen(name) {
    if (!this.es || this.listeners.has(name)) return;
    const es = this.es;
    const fn = (e) => {
      if (this.es !== es || typeof e.data !== "string") return; // "error"/"open" connection events are not messages
      const conn = this.conn;
      if (e.lastEventId !== "" || this.sawId) {
        this.sawId = true;
        conn.lastEventId = e.lastEventId;
      }
      conn._activity();
      conn._event(e.type, e.data, e);
    };
    this.listeners.set(name, fn);
    es.addEventListener(name, fn);
  }
  close() {
    const es = this.es;
    if (!es) return;
    this.es = null;
    for (const [name, fn] of this.listeners) es.removeEventListener(name, fn);
    this.listeners.clear();
    es.onopen = es.onerror = null;
    es.close();
  }
}

class FetchTransport {
  constructor(conn) {
    this.conn = conn;
    this.abort = null;
  }
  listen() {}
  connect() {
    const ctrl = new AbortController();
    this.abort = ctrl;
    this.run(ctrl).catch((err) => {
      if (this.abort !== ctrl) return;
      this.abort = null;
      this.conn._failed({ kind: "network", message: "stream failed: " + (err?.message ?? err), cause: err });
    });
  }
  async run(ctrl) {
    const conn = this.conn;
    const opts = conn.opts;
    const headers = { Accept: "text/event-stream", "Cache-Control": "no-cache" };
    const extra = typeof opts.headers === "function" ? await opts.headers({ key: conn.key, url: conn.url }) : opts.headers;
    if (this.abort !== ctrl) return;
    Object.assign(headers, extra || {});
    if (conn.lastEventId) headers["Last-Event-ID"] = conn.lastEventId;
    const res = await conn.manager.env.fetch(conn.url, {
      method: "GET",
      headers,
      credentials: opts.withCredentials ? "include" : opts.credentials ?? "same-origin",
      cache: "no-store",
      signal: ctrl.signal,
    });
    if (this.abort !== ctrl) {
      res.body?.cancel?.().catch(() => {});
      return;
    }
    if (res.status !== 200) {
      res.body?.cancel?.().catch(() => {});
      this.abort = null;
      const retryAfter = parseRetryAfter(res.headers.get("Retry-After"));
      conn._failed({ kind: "http", status: res.status, message: `HTTP ${res.status}`, retryAfterMs: retryAfter });
      return;
    }
    const ct = (res.headers.get("Content-Type") || "").split(";")[0].trim().toLowerCase();
    if (ct !== "text/event-stream") {
      res.body?.cancel?.().catch(() => {});
      this.abort = null;
      conn._failed({ kind: "content-type", status: res.status, message: `unexpected Content-Type ${JSON.stringify(ct)}` });
      return;
    }
    conn._opened();
    const parser = createParser(
      {
        onEvent: (ev) => {
          if (this.abort !== ctrl) return;
          conn.lastEventId = ev.lastEventId;
          conn._event(ev.type, ev.data, null);
        },
        onRetry: (ms) => conn._retry(ms),
      },
      conn.lastEventId,
    );
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (this.abort !== ctrl) return;
        if (done) break;
        conn._activity();
        parser.feed(value);
      }
    } finally {
      if (this.abort !== ctrl) reader.cancel().catch(() => {});
    }
    parser.end();
    this.abort = null;
    conn._failed({ kind: "network", message: "stream ended" });
  }
  close() {
    const ctrl = this.abort;
    this.abort = null;
    ctrl?.abort();
  }
}

function parseRetryAfter(v) {
  if (!v) return undefined;
  if (/^\s*\d+\s*$/.test(v)) return parseInt(v, 10) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

// ---------------------------------------------------------------------------
// Cross-tab sharing: one tab per key holds a Web Lock and the real stream;
// it posts every event over a BroadcastChannel; the others dispatch those.
// The lock is released when the leader releases or its tab goes away, and
// the next tab in the lock queue resumes from the last id it saw.

class TabShare {
  constructor(conn) {
    this.conn = conn;
    const env = conn.manager.env;
    // The url is part of the name: tabs that use one key for different
    // urls must not follow each other's stream.
    this.name = "ssekit:" + conn.key + " " + conn.url;
    this.leader = false;
    this.releaseLock = null;
    this.closed = false;
    this.ch = new env.BroadcastChannel(this.name);
    this.ch.onmessage = (e) => this.receive(e.data);
    this.lockAbort = new AbortController();
    env.locks
      .request(this.name, { signal: this.lockAbort.signal }, () => {
        if (this.closed) return undefined;
        return new Promise((resolve) => {
          this.releaseLock = resolve;
          this.lead();
        });
      })
      .catch(() => {}); // aborted while waiting in the queue
    this.post({ t: "join", names: [...conn.names.keys()] });
  }
  post(msg) {
    if (!this.closed) this.ch.postMessage(msg);
  }
  lead() {
    this.leader = true;
    this.post({ t: "leader" });
    this.conn._startTransport();
  }
  receive(msg) {
    const conn = this.conn;
    if (!msg) return;
    if (this.leader) {
      if (msg.t === "join" || msg.t === "want") {
        for (const n of msg.names) conn._wantName(n);
        if (msg.t === "join") this.post({ t: "state", state: conn.state, lastEventId: conn.lastEventId, info: conn.openInfo });
      }
      return;
    }
    switch (msg.t) {
      case "leader":
        this.post({ t: "want", names: [...conn.names.keys()] });
        break;
      case "state": {
        if (msg.lastEventId && !conn.lastEventId) conn.lastEventId = msg.lastEventId;
        const wasOpen = conn.state === "open";
        conn._setState(msg.state);
        if (msg.state === "open" && !wasOpen && msg.info) conn._emitOpen(msg.info); // joined an open stream
        break;
      }
      case "open":
        conn._setState("open");
        conn._emitOpen(msg.info);
        break;
      case "ev":
        conn.lastEventId = msg.id;
        conn._event(msg.type, msg.data, null);
        break;
      case "err":
        conn._setState(msg.state);
        conn._emitError(Object.assign(new SSEError(msg.kind, msg.message), msg.fields));
        break;
    }
  }
  close() {
    if (this.closed) return;
    this.closed = true;
    this.lockAbort.abort();
    this.releaseLock?.();
    this.ch.close();
  }
}

// ---------------------------------------------------------------------------

class Connection {
  constructor(manager, key, url, opts) {
    this.manager = manager;
    this.key = key;
    this.url = url;
    this.opts = opts;
    this.subs = new Set();
    this.names = new Map([["message", 1], [RESET_EVENT, 1]]);
    if (opts.heartbeatEvent) this.names.set(opts.heartbeatEvent, 1);
    this.lastEventId = opts.lastEventId || "";
    this.serverRetryMs = undefined;
    this.attempt = 0; // consecutive failures
    this.opens = 0;
    this.state = "closed";
    this.seen = new BoundedSet(opts.dedupe);
    this.retryTimer = null;
    this.stallTimer = null;
    this.transport = null;
    this.share = null;
    this.kind = pickTransport(opts, manager.env);
  }

  // start opens the stream, or joins the tab group that shares it.
  start() {
    if (this.transport || this.share || this.retryTimer) return;
    const env = this.manager.env;
    if (this.opts.crossTab && env.locks && env.BroadcastChannel) {
      this._setState("connecting");
      this.share = new TabShare(this);
      return;
    }
    this._startTransport();
  }

  _startTransport() {
    this._setState("connecting");
    this.transport = this.kind === "fetch" ? new FetchTransport(this) : new EventSourceTransport(this);
    this.transport.connect();
  }

  // stop ends the stream and any pending retry; state becomes `state`.
  stop(state = "closed") {
    this.authGen++;
    clearTimeout(this.retryTimer);
    clearTimeout(this.stallTimer);
    this.retryTimer = this.stallTimer = null;
    this.transport?.close();
    this.transport = null;
    this.share?.close();
    this.share = null;
    this._setState(state);
  }

  // reconnectNow skips a pending backoff wait (the network came back, the
  // tab became visible).
  reconnectNow() {
    if (!this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this._startTransport();
  }

  _wantName(name) {
    this.names.set(name, (this.names.get(name) || 0) + 1);
    this.transport?.listen(name);
    if (this.share && !this.share.leader) this.share.post({ t: "want", names: [name] });
  }

  _unwantName(name) {
    const n = (this.names.get(name) || 0) - 1;
    if (n > 0) this.names.set(name, n);
    // Keep names once registered: an EventSource listener costs nothing and
    // removing one would need a re-registration race with other subscribers.
  }

  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    for (const sub of this.subs) sub._notify(sub._stateFns, [state], "state");
  }

  _opened() {
    this.attempt = 0;
    this.opens++;
    this._setState("open");
    this._activity();
    const info = { key: this.key, url: this.url, lastEventId: this.lastEventId, reconnect: this.opens > 1, transport: this.kind };
    this.openInfo = info;
    if (this.share) this.share.post({ t: "open", info });
    this._emitOpen(info);
  }

  _emitOpen(info) {
    for (const sub of this.subs) sub._notify(sub._openFns, [info], "open");
  }

  _retry(ms) {
    this.serverRetryMs = ms;
  }

  stallMs() {
    const o = this.opts;
    if (o.stallTimeoutMs !== undefined) return o.stallTimeoutMs;
    if (!o.heartbeatMs || !o.stallFactor) return 0;
    // A native EventSource hides comments, so only a named heartbeat event
    // can prove the stream is alive there.
    if (this.kind !== "fetch" && !o.heartbeatEvent) return 0;
    return o.heartbeatMs * o.stallFactor;
  }

  _activity() {
    const ms = this.stallMs();
    if (!ms || !this.transport) return;
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      this.stallTimer = null;
      if (!this.transport) return;
      this.transport.close();
      this._failed({ kind: "stalled", message: `no data for ${ms} ms` });
    }, ms);
  }

  _event(type, data, nativeEvent) {
    if (type === this.opts.heartbeatEvent) return;
    const { payload, envelope, error } = decodeData(data);
    // Replayed overlap. A reset event is never dropped: its id is a log
    // position, which may equal the id of an event already seen.
    if (envelope && type !== RESET_EVENT && !this.seen.add(envelope.id)) return;
    if (this.share?.leader) this.share.post({ t: "ev", type, data, id: this.lastEventId });
    if (error) {
      this._emitError(
        new SSEError("decode", `event ${JSON.stringify(type)}: data is not valid JSON: ${error.message}`, {
          cause: error,
          key: this.key,
          url: this.url,
          willRetry: false,
        }),
      );
    }
    // The fetch transport and cross-tab followers have no native event; they
    // get an equivalent MessageEvent where the host has the class.
    if (!nativeEvent && typeof MessageEvent === "function") {
      nativeEvent = new MessageEvent(type, { data, lastEventId: this.lastEventId });
    }
    const args = [payload, envelope, nativeEvent];
    for (const sub of [...this.subs]) {
      if (type === RESET_EVENT) {
        const info = envelope ? envelope.data : payload;
        sub._notify(sub._resetFns, [info, envelope, nativeEvent], RESET_EVENT);
      }
      const fns = sub._listeners.get(type);
      if (fns) sub._notify(fns, args, type);
      if (sub._anyFns.size) sub._notify(sub._anyFns, [type, ...args], type);
    }
  }

  _emitError(err) {
    for (const sub of this.subs) sub._notify(sub._errorFns, [err], "error");
    if (this.manager.options.onError) {
      try {
        this.manager.options.onError(err);
      } catch (e) {
        reportListenerError(this.manager, e, { key: this.key, event: "error" });
      }
    }
  }

  // _failed classifies a failed attempt, reports it, and schedules the next.
  _failed(f) {
    clearTimeout(this.stallTimer);
    this.stallTimer = null;
    this.transport = null;
    this.attempt++;
    const retry = this._retryDecision(f);
    if (retry === "auth") return; // the auth hook decides asynchronously
    this._finishFailure(f, retry);
  }

  _retryDecision(f) {
    if (f.kind === "content-type") return false;
    if (f.kind !== "http") return true;
    const s = f.status;
    if (s === 204) return false;
    if (s === 401 || s === 403) {
      const hook = this.opts.onAuthError;
      if (!hook) return false;
      this._setState("connecting");
      const gen = ++this.authGen;
      Promise.resolve()
        .then(() => hook({ key: this.key, url: this.url, status: s }))
        .then(
          (ok) => ok,
          () => false,
        )
        .then((ok) => {
          if (gen !== this.authGen || this.state === "closed" || this.transport) return;
          this._finishFailure(f, !!ok);
        });
      return "auth";
    }
    if (s === 408 || s === 429) return true;
    return s >= 500;
  }

  _finishFailure(f, retry) {
    let delay;
    if (retry) {
      // A native EventSource hides the server's retry:, so it gets the floor
      // browsers and ssekit servers use by default instead.
      const fallback = this.kind === "eventsource" ? Math.max(this.opts.minRetryMs, this.opts.nativeRetryMs) : this.opts.minRetryMs;
      const floor = Math.max(this.serverRetryMs ?? fallback, f.retryAfterMs ?? 0);
      delay = backoffDelay(this.attempt, {
        initialRetryMs: this.opts.initialRetryMs,
        maxRetryMs: this.opts.maxRetryMs,
        floorMs: floor,
        random: this.manager.env.random,
      });
      if (this.opts.maxAttempts && this.attempt > this.opts.maxAttempts) retry = false;
    }
    const err = new SSEError(f.kind, f.message, {
      status: f.status,
      willRetry: !!retry,
      retryInMs: retry ? delay : undefined,
      attempt: this.attempt,
      key: this.key,
      url: this.url,
      cause: f.cause,
    });
    if (retry) {
      this._setState("connecting");
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this._startTransport();
      }, delay);
    } else {
      this._setState("closed");
    }
    if (this.share?.leader) {
      this.share.post({
        t: "err",
        state: this.state,
        kind: err.kind,
        message: err.message,
        fields: { status: err.status, willRetry: err.willRetry, retryInMs: err.retryInMs, attempt: err.attempt, key: err.key, url: err.url },
      });
    }
    this._emitError(err);
  }
}
Connection.prototype.authGen = 0;

function pickTransport(opts, env) {
  if (opts.transport === "fetch" || opts.transport === "eventsource") return opts.transport;
  if (opts.headers) return "fetch";
  if (!env.EventSource) return "fetch";
  return "eventsource";
}

// ---------------------------------------------------------------------------

class Subscription {
  constructor(conn) {
    this._conn = conn;
    this.key = conn.key;
    this.url = conn.url;
    this.released = false;
    this._listeners = new Map(); // event name → Set of fns
    this._anyFns = new Set();
    this._openFns = new Set();
    this._errorFns = new Set();
    this._resetFns = new Set();
    this._stateFns = new Set();
  }

  /** on(event, fn): fn(payload, envelope, nativeEvent) for each event of that name. */
  on(event, fn) {
    if (this.released) return this;
    let set = this._listeners.get(event);
    if (!set) {
      set = new Set();
      this._listeners.set(event, set);
    }
    if (!set.has(fn)) {
      set.add(fn);
      this._conn._wantName(event);
    }
    return this;
  }

  off(event, fn) {
    const set = this._listeners.get(event);
    if (set?.delete(fn)) this._conn._unwantName(event);
    return this;
  }

  /** onAny(fn): fn(eventName, payload, envelope, nativeEvent) for every event this connection receives. */
  onAny(fn) {
    this._anyFns.add(fn);
    return this;
  }
  offAny(fn) {
    this._anyFns.delete(fn);
    return this;
  }
  onOpen(fn) {
    this._openFns.add(fn);
    return this;
  }
  onError(fn) {
    this._errorFns.add(fn);
    return this;
  }
  onReset(fn) {
    this._resetFns.add(fn);
    return this;
  }
  onStateChange(fn) {
    this._stateFns.add(fn);
    return this;
  }

  get state() {
    return this.released ? "closed" : this._conn.state;
  }
  get lastEventId() {
    return this._conn.lastEventId;
  }
  get transport() {
    return this._conn.kind;
  }
  /** Number of times the stream opened (1 + reconnects), in this tab. */
  get opens() {
    return this._conn.opens;
  }
  /** True when this tab holds the shared stream (or sharing is off). */
  get leader() {
    return this._conn.share ? this._conn.share.leader : true;
  }

  release() {
    if (this.released) return;
    this.released = true;
    this._conn.manager._release(this._conn, this);
  }

  _notify(fns, args, event) {
    for (const fn of [...fns]) {
      try {
        fn(...args);
      } catch (err) {
        reportListenerError(this._conn.manager, err, { key: this.key, event });
      }
    }
  }
}

// ---------------------------------------------------------------------------

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
    this.conns = new Map();
    this.closed = false;
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
    const s = new Subscription(conn);
    conn.subs.add(s);
    if (this.paused) conn.state = "paused";
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
    this.paused = true;
    for (const c of this.conns.values()) c.stop("paused");
  }

  /** resume reopens paused streams, resuming from their last ids (pageshow). */
  resume() {
    this.paused = false;
    for (const c of this.conns.values()) if (c.state === "paused") c.start();
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
