// Compiled by `npm run test:types` (tsc --noEmit) against client.d.ts through
// the package's own exports, so the types users see are checked.
import { createSSE, SSEError, RESET_EVENT, createParser, type Envelope, type ResetInfo, type ConnectionState } from "@ssekit/client";

interface Order {
  id: number;
  status: string;
}
type Events = { "order.updated": Order; "order.deleted": { id: number } };

const sse = createSSE({ onListenerError: (err, ctx) => console.error(ctx.key, ctx.event, err), autoLifecycle: true });
const sub = sse.subscribe<Events>({
  key: "orders",
  url: "/events?topic=orders",
  headers: async () => ({ Authorization: "Bearer token" }),
  onAuthError: async ({ status }) => status === 401,
  crossTab: true,
});

sub
  .on("order.updated", (order, envelope) => {
    const n: number = order.id;
    const s: string = order.status;
    const topic: string | undefined = envelope?.meta.topic;
    void [n, s, topic];
  })
  .onError((err: SSEError) => {
    const kind: "network" | "http" | "content-type" | "decode" | "stalled" = err.kind;
    const later: number | undefined = err.willRetry ? err.retryInMs : undefined;
    void [kind, later, err.status];
  })
  .onReset((info: ResetInfo, env: Envelope<ResetInfo> | null) => void [info.reason, info.last_event_id, env?.id])
  .onStateChange((state: ConnectionState) => void state)
  .onOpen((info) => void info.reconnect);

// @ts-expect-error: wrong payload type for the event
sub.on("order.deleted", (p: Order) => void p);

const name: "ssekit.reset" = RESET_EVENT;
const parser = createParser({ onEvent: (ev) => void [ev.type, ev.data, ev.lastEventId] });
parser.feed("data: x\n\n");
sub.release();
sse.close();
void name;
