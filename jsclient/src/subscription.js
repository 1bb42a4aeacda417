// One user of a shared stream: its listeners, and its view of the stream.
import { RESET_EVENT } from "./envelope.js";
import { callListeners } from "./errors.js";

export class Subscription {
  constructor(conn, release) {
    this._conn = conn;
    this._release = release; // tells the manager, once
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
    this._release(this);
  }

  // _deliver hands one decoded event to this subscription's listeners.
  _deliver(type, payload, envelope, nativeEvent) {
    if (type === RESET_EVENT) {
      const info = envelope ? envelope.data : payload;
      this._notify(this._resetFns, [info, envelope, nativeEvent], RESET_EVENT);
    }
    const fns = this._listeners.get(type);
    if (fns) this._notify(fns, [payload, envelope, nativeEvent], type);
    if (this._anyFns.size) this._notify(this._anyFns, [type, payload, envelope, nativeEvent], type);
  }

  _notify(fns, args, event) {
    callListeners(fns, args, this._conn.options, { key: this.key, event });
  }
}
