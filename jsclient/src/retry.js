// The reconnect policy: which failures retry, and how long to wait.

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

// retryClass says what a failed attempt leads to: true (retry), false (stop)
// or "auth" (401/403: the onAuthError hook decides). f is the failure:
// {kind, status}.
export function retryClass(f) {
  if (f.kind === "content-type") return false;
  if (f.kind !== "http") return true;
  const s = f.status;
  if (s === 204) return false;
  if (s === 401 || s === 403) return "auth";
  if (s === 408 || s === 429) return true;
  return s >= 500;
}

// parseRetryAfter turns a Retry-After header (seconds or an HTTP date) into
// milliseconds, or undefined.
export function parseRetryAfter(v, now = Date.now()) {
  if (!v) return undefined;
  if (/^\s*\d+\s*$/.test(v)) return parseInt(v, 10) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
