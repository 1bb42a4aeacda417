// One stream shared by every subscription with the same key: its state,
// last event id, reconnect schedule, stall watchdog and delivery.
import { RESET_EVENT, decodeData, IdWindow } from "./envelope.js";
import { SSEError, reportListenerError } from "./errors.js";
import { backoffDelay, retryClass } from "./retry.js";
import { EventSourceTransport } from "./transport-native.js";
import { FetchTransport } from "./transport-fetch.js";
import { TabShare, tabsAvailable } from "./tabs.js";

// pickTransport chooses "fetch" or "eventsource" for the options.
export function pickTransport(opts, env) {
  if (opts.transport === "fetch" || opts.transport === "eventsource") return opts.transport;
  if (opts.headers) return "fetch";
  if (!env.EventSource) return "fetch";
  return "eventsource";
}

export class Connection {
  // options are the manager's options (onError, onListenerError); opts are
  // this connection's (the manager's merged with the subscribe() call's).
  constructor({ env, options }, key, url, opts) {
    this.env = env;
    this.options = options;
    this.key = key;
    this.url = url;
    this.opts = opts;
    this.subs = new Set();
    this.names = new Map([["message", 1], [RESET_EVENT, 1]]); // event name → listeners wanting it
    if (opts.heartbeatEvent) this.names.set(opts.heartbeatEvent, 1);
    this.lastEventId = opts.lastEventId || "";
    this.serverRetryMs = undefined;
    this.attempt = 0; // consecutive failures
    this.opens = 0;
    this.openInfo = null; // what the last open reported, for tabs that join later
    this.state = "closed";
    this.seen = new IdWindow(opts.dedupe);
    this.retryTimer = null;
    this.stallTimer = null;
    this.authGen = 0; // bumped by stop() and each auth question: only the latest decision counts
    this.transport = null;
    this.share = null;
    this.kind = pickTransport(opts, env);
  }

  // start opens the stream, or joins the tab group that shares it.
  start() {
    if (this.transport || this.share || this.retryTimer) return;
    if (this.opts.crossTab && tabsAvailable(this.env)) {
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

  // pause ends the stream and keeps the last id, until start() (pagehide).
  pause() {
    this.stop("paused");
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
    this.share?.want(name);
  }

  _unwantName(name) {
    const n = (this.names.get(name) || 0) - 1;
    if (n > 0) this.names.set(name, n);
    // Keep names once registered: an EventSource listener costs nothing and
    // removing one would need a re-registration race with other subscribers.
  }

  // _setState is the only place state changes; it tells every subscription.
  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    for (const sub of [...this.subs]) sub._notify(sub._stateFns, [state], "state");
  }

  _opened() {
    this.attempt = 0;
    this.opens++;
    this._setState("open");
    this._activity();
    const info = { key: this.key, url: this.url, lastEventId: this.lastEventId, reconnect: this.opens > 1, transport: this.kind };
    this.openInfo = info;
    this.share?.opened(info);
    this._emitOpen(info);
  }

  _emitOpen(info) {
    for (const sub of [...this.subs]) sub._notify(sub._openFns, [info], "open");
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
    this.share?.event(type, data, this.lastEventId);
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
    for (const sub of [...this.subs]) sub._deliver(type, payload, envelope, nativeEvent);
  }

  _emitError(err) {
    for (const sub of [...this.subs]) sub._notify(sub._errorFns, [err], "error");
    if (this.options.onError) {
      try {
        this.options.onError(err);
      } catch (e) {
        reportListenerError(this.options, e, { key: this.key, event: "error" });
      }
    }
  }

  // _failed classifies a failed attempt, reports it, and schedules the next.
  _failed(f) {
    clearTimeout(this.stallTimer);
    this.stallTimer = null;
    this.transport = null;
    this.attempt++;
    const retry = retryClass(f);
    if (retry === "auth") this._askAuth(f);
    else this._finishFailure(f, retry);
  }

  // _askAuth lets the onAuthError hook decide whether a 401/403 retries.
  _askAuth(f) {
    const hook = this.opts.onAuthError;
    if (!hook) {
      this._finishFailure(f, false);
      return;
    }
    this._setState("connecting");
    const gen = ++this.authGen; // a newer decision or a stop() makes this one moot
    Promise.resolve()
      .then(() => hook({ key: this.key, url: this.url, status: f.status }))
      .then(
        (ok) => ok,
        () => false,
      )
      .then((ok) => {
        if (gen !== this.authGen || this.state === "closed" || this.transport) return;
        this._finishFailure(f, !!ok);
      });
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
        random: this.env.random,
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
    this.share?.failed(this.state, err);
    this._emitError(err);
  }
}
