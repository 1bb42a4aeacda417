// @ssekit/client: browser client for ssekit streams (early version; the full
// client with resume, backoff and a fetch transport follows).
export function createSSE(options = {}) {
  const ES = options.EventSource || globalThis.EventSource;
  const conns = new Map();
  return {
    subscribe({ key, url }) {
      let c = conns.get(key);
      if (c && c.url !== url) throw new Error(`ssekit: key ${JSON.stringify(key)} already uses ${c.url}`);
      if (!c) {
        c = { url, refs: 0, es: new ES(url) };
        conns.set(key, c);
      }
      c.refs++;
      let released = false;
      const mine = [];
      return {
        on(event, fn) {
          const h = (e) => {
            let env;
            try { env = JSON.parse(e.data); } catch { env = { data: e.data }; }
            fn(env && typeof env === "object" && "data" in env ? env.data : env, env, e);
          };
          mine.push([event, h]);
          c.es.addEventListener(event, h);
          return this;
        },
        onOpen(fn) { c.es.addEventListener("open", fn); return this; },
        onError(fn) { c.es.addEventListener("error", fn); return this; },
        release() {
          if (released) return;
          released = true;
          for (const [ev, h] of mine) c.es.removeEventListener(ev, h);
          if (--c.refs === 0) { c.es.close(); conns.delete(key); }
        },
      };
    },
  };
}
