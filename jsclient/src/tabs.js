// Cross-tab sharing: one tab per key and url holds a Web Lock and the real
// stream; it posts every event over a BroadcastChannel, and the other tabs
// dispatch those. The lock is released when the leader releases or its tab
// goes away, and the next tab in the lock queue resumes from the last id it
// saw.
import { SSEError } from "./errors.js";

// tabsAvailable reports whether env has what sharing needs.
export function tabsAvailable(env) {
  return !!(env.locks && env.BroadcastChannel);
}

export class TabShare {
  constructor(conn) {
    this.conn = conn;
    const env = conn.env;
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

  // The leader's side: what the connection tells the followers.
  opened(info) {
    if (this.leader) this.post({ t: "open", info });
  }
  event(type, data, id) {
    if (this.leader) this.post({ t: "ev", type, data, id });
  }
  failed(state, err) {
    if (!this.leader) return;
    this.post({
      t: "err",
      state,
      kind: err.kind,
      message: err.message,
      fields: { status: err.status, willRetry: err.willRetry, retryInMs: err.retryInMs, attempt: err.attempt, key: err.key, url: err.url },
    });
  }
  // want asks the leader for events of one more name.
  want(name) {
    if (!this.leader) this.post({ t: "want", names: [name] });
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
