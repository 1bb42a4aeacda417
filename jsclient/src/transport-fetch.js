// The fetch-stream transport: request headers, HTTP statuses, every event
// name, and the server's retry:. It speaks the same interface as the native
// transport (see transport-native.js).
import { createParser } from "./parser.js";
import { parseRetryAfter } from "./retry.js";

export class FetchTransport {
  constructor(conn) {
    this.conn = conn;
    this.abort = null; // the AbortController of the current attempt
  }

  // listen is a no-op: every event name reaches the connection.
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
    const res = await conn.env.fetch(conn.url, {
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
      this.refuse(res, { kind: "http", status: res.status, message: `HTTP ${res.status}`, retryAfterMs: parseRetryAfter(res.headers.get("Retry-After")) });
      return;
    }
    const ct = (res.headers.get("Content-Type") || "").split(";")[0].trim().toLowerCase();
    if (ct !== "text/event-stream") {
      this.refuse(res, { kind: "content-type", status: res.status, message: `unexpected Content-Type ${JSON.stringify(ct)}` });
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

  // refuse drops a response that is not a stream and reports the failure.
  refuse(res, failure) {
    res.body?.cancel?.().catch(() => {});
    this.abort = null;
    this.conn._failed(failure);
  }

  close() {
    const ctrl = this.abort;
    this.abort = null;
    ctrl?.abort();
  }
}
