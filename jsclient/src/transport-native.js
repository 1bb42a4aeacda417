// The native EventSource transport.
//
// A transport's connect() makes one attempt and reports to its connection
// through conn._opened(), conn._event(), conn._retry(), conn._activity() and
// conn._failed(failure); close() ends the attempt silently; listen(name)
// makes sure events of that name reach the connection.

export class EventSourceTransport {
  constructor(conn) {
    this.conn = conn;
    this.es = null;
    this.listeners = new Map(); // event name → the listener on this.es
    this.sawId = false;
  }

  connect() {
    const conn = this.conn;
    const ES = conn.env.EventSource;
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
      // A resumed stream's first events may carry no id: keep the one we
      // resumed from until the server sends one.
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

// withQuery sets query parameter name to value in url, keeping the fragment.
export function withQuery(url, name, value) {
  const hash = url.indexOf("#");
  const base = hash >= 0 ? url.slice(0, hash) : url;
  const frag = hash >= 0 ? url.slice(hash) : "";
  const re = new RegExp("([?&])" + name + "=[^&]*(&|$)");
  const clean = base.replace(re, (_, lead, tail) => (tail ? lead : "")).replace(/[?&]$/, "");
  return clean + (clean.includes("?") ? "&" : "?") + name + "=" + encodeURIComponent(value) + frag;
}
