// How failures are reported: typed stream errors, and listeners that throw.

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

// reportListenerError hands an error a listener threw to the manager's
// onListenerError hook, else to reportError, else to the console: a
// throwing listener never breaks the stream or the other listeners.
export function reportListenerError(options, err, ctx) {
  const hook = options.onListenerError;
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

// callListeners calls every fn with args, each isolated from the others.
export function callListeners(fns, args, options, ctx) {
  for (const fn of [...fns]) {
    try {
      fn(...args);
    } catch (err) {
      reportListenerError(options, err, ctx);
    }
  }
}
