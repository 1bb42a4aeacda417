// @ssekit/client: the browser client for ssekit event streams.
//
// No dependencies. It touches no window, document, navigator or timer at
// import time, so it is safe to import in workers and during server-side
// rendering; everything environmental is looked up when createSSE() runs,
// and can be injected for tests.
//
//   import { createSSE } from "/ssekit/client.js";
//   const sse = createSSE();
//   const sub = sse.subscribe({ key: "orders", url: "/events?topic=orders" });
//   sub.on("order.updated", (order, envelope) => render(order));
//   sub.release();
export { createSSE } from "./manager.js";
export { SSEError } from "./errors.js";
export { RESET_EVENT, decodeData } from "./envelope.js";
export { createParser } from "./parser.js";
export { backoffDelay } from "./retry.js";
