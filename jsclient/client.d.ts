// Types for @ssekit/client (client.js). Hand-written; test/types checks them
// against a usage file with tsc.

/** Metadata of an ssekit envelope. topic, producer and trace_id are always set by the server. */
export interface EnvelopeMeta {
  topic: string;
  producer: string;
  trace_id: string;
  [key: string]: unknown;
}

/** The JSON every ssekit event carries in its data field. */
export interface Envelope<T = unknown> {
  id: string;
  event: string;
  occurred_at: string;
  data: T;
  meta: EnvelopeMeta;
}

/** The data of the server's `ssekit.reset` event: the id it could not resume from, and why. */
export interface ResetInfo {
  reason: string;
  last_event_id: string;
  [key: string]: unknown;
}

export type ErrorKind = "network" | "http" | "content-type" | "decode" | "stalled";
export type ConnectionState = "connecting" | "open" | "paused" | "closed";
export type TransportKind = "eventsource" | "fetch";

/** A classified failure, passed to onError handlers. */
export declare class SSEError extends Error {
  readonly name: "SSEError";
  readonly kind: ErrorKind;
  /** HTTP status (fetch transport only; a native EventSource hides it). */
  readonly status: number | undefined;
  /** Whether a reconnect is scheduled. */
  readonly willRetry: boolean;
  /** When willRetry: the delay before the next attempt. */
  readonly retryInMs: number | undefined;
  /** Consecutive failed attempts so far (0 for decode errors). */
  readonly attempt: number;
  readonly key: string | undefined;
  readonly url: string | undefined;
}

export type HeaderMap = Record<string, string>;
/** Called before every connect and reconnect, so a token can be refreshed. */
export type HeadersFunction = (ctx: { key: string; url: string }) => HeaderMap | Promise<HeaderMap>;

/** Options that apply to a connection; set on createSSE() as defaults or per subscribe(). */
export interface ConnectionOptions {
  /** "auto" (default): fetch when headers are given or no EventSource exists, else the native EventSource. */
  transport?: "auto" | TransportKind;
  /** Extra request headers (forces the fetch transport). A function is called on every connect. */
  headers?: HeaderMap | HeadersFunction;
  /** Send cookies cross-origin (withCredentials / credentials: "include"). */
  withCredentials?: boolean;
  /** fetch credentials mode when withCredentials is not set. Default "same-origin". */
  credentials?: "omit" | "same-origin" | "include";
  /** Resume from this id on the first connect. */
  lastEventId?: string;
  /** First backoff window in ms. Default 1000. */
  initialRetryMs?: number;
  /** Backoff cap in ms. Default 30000. */
  maxRetryMs?: number;
  /** Backoff floor in ms until the server sends retry:. Default 0. */
  minRetryMs?: number;
  /** Backoff floor in ms on a native EventSource, which hides the server's retry:. Default 3000. */
  nativeRetryMs?: number;
  /** Stop after this many consecutive failed attempts. Default: never. */
  maxAttempts?: number;
  /** The server's heartbeat interval in ms (default 15000); 0 disables the stall watchdog. */
  heartbeatMs?: number;
  /** Reconnect after stallFactor × heartbeatMs without a byte. Default 2.5. */
  stallFactor?: number;
  /** Explicit stall timeout in ms, overriding heartbeatMs × stallFactor; 0 disables. */
  stallTimeoutMs?: number;
  /** A named event the server sends as heartbeat: arms the watchdog on a native EventSource, never delivered. */
  heartbeatEvent?: string;
  /** Envelope ids remembered to drop overlap after a resume. Default 1000; 0 disables. */
  dedupe?: number;
  /** Share one stream per key across tabs (Web Locks + BroadcastChannel). Default false. */
  crossTab?: boolean;
  /** 401/403 (fetch transport): resolve true to retry (after refreshing what headers() returns), false to stop. Without a hook the stream stops. */
  onAuthError?: (ctx: { key: string; url: string; status: number }) => boolean | Promise<boolean>;
}

export interface SSEOptions extends ConnectionOptions {
  /** Close streams on pagehide, reopen on pageshow, reconnect at once on online/visible. Default true. */
  autoLifecycle?: boolean;
  /** Every error of every connection, after the subscriptions' onError handlers. */
  onError?: (err: SSEError) => void;
  /** A listener threw. Default: reportError(err), or console.error. */
  onListenerError?: (err: unknown, ctx: { key: string; event: string }) => void;
  // Injection points (tests, non-browser hosts).
  EventSource?: unknown;
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  random?: () => number;
  BroadcastChannel?: unknown;
  locks?: unknown;
  window?: unknown;
  document?: unknown;
}

export interface SubscribeOptions extends ConnectionOptions {
  /** Subscriptions with the same key share one stream; the same key with another url throws. */
  key: string;
  url: string;
  /** Releases the subscription when aborted. */
  signal?: AbortSignal;
}

export interface OpenInfo {
  key: string;
  url: string;
  lastEventId: string;
  /** True for every open after the first. */
  reconnect: boolean;
  transport: TransportKind;
}

/**
 * A listener for one event name. nativeEvent is the EventSource's MessageEvent,
 * or an equivalent one built by the fetch transport and cross-tab followers
 * (null only where the host has no MessageEvent class).
 */
export type Listener<T = any> = (payload: T, envelope: Envelope<T> | null, nativeEvent: MessageEvent | null) => void;
export type AnyListener = (event: string, payload: any, envelope: Envelope | null, nativeEvent: MessageEvent | null) => void;

/** A map from event name to payload type, for typed on(). */
export type EventMap = Record<string, any>;

export interface Subscription<E extends EventMap = EventMap> {
  readonly key: string;
  readonly url: string;
  readonly released: boolean;
  readonly state: ConnectionState;
  readonly lastEventId: string;
  readonly transport: TransportKind;
  /** Times the stream opened in this tab (1 + reconnects). */
  readonly opens: number;
  /** True when this tab holds the stream (always true without crossTab). */
  readonly leader: boolean;
  on<K extends keyof E & string>(event: K, fn: Listener<E[K]>): this;
  off<K extends keyof E & string>(event: K, fn: Listener<E[K]>): this;
  /** Every event (on a native EventSource: only names some listener asked for, and "message"). */
  onAny(fn: AnyListener): this;
  offAny(fn: AnyListener): this;
  onOpen(fn: (info: OpenInfo) => void): this;
  onError(fn: (err: SSEError) => void): this;
  onReset(fn: (info: ResetInfo, envelope: Envelope<ResetInfo> | null, nativeEvent: MessageEvent | null) => void): this;
  onStateChange(fn: (state: ConnectionState) => void): this;
  /** Idempotent; the stream closes when its last subscription is released. */
  release(): void;
}

export interface SSE {
  subscribe<E extends EventMap = EventMap>(options: SubscribeOptions): Subscription<E>;
  /** Close every stream, keeping subscriptions and last ids. */
  pause(): void;
  /** Reopen paused streams, resuming from their last ids. */
  resume(): void;
  /** Reconnect at once every stream waiting out a backoff. */
  check(): void;
  /** Close everything and remove lifecycle listeners. */
  close(): void;
}

export declare function createSSE(options?: SSEOptions): SSE;

export declare const RESET_EVENT: "ssekit.reset";

export interface ParsedEvent {
  type: string;
  data: string;
  lastEventId: string;
}

export interface Parser {
  feed(chunk: Uint8Array | string): void;
  end(): void;
  readonly lastEventId: string;
}

/** A WHATWG-exact text/event-stream parser. */
export declare function createParser(
  handlers: { onEvent?: (ev: ParsedEvent) => void; onRetry?: (ms: number) => void; onComment?: (text: string) => void },
  initialLastEventId?: string,
): Parser;

/** Decodes one event's data: an envelope, other JSON, or plain text; error set when JSON-looking text fails to parse. */
export declare function decodeData(data: string): { payload: unknown; envelope: Envelope | null; error: Error | null };

/** The backoff delay before attempt number `attempt` (1-based): full jitter between floorMs and min(cap, initial·2^(attempt-1)). */
export declare function backoffDelay(
  attempt: number,
  opts: { initialRetryMs: number; maxRetryMs: number; floorMs?: number; random?: () => number },
): number;
