// Package jsclient ships the ssekit browser client (@ssekit/client) inside
// the Go binary, so a server can hand the exact file it was built with to
// the pages it serves, with no CDN and no JavaScript tooling at build time.
//
// The client itself is client.js in this folder: one ES module with no
// dependencies, typed by client.d.ts. It is the committed bundle of the small
// modules in src/ (one concern each), made by scripts/bundle.js through
// go generate or npm run build. Mount [Handler] at a path of your choice and
// import it from a page:
//
//	mux.Handle("GET /ssekit/client.js", jsclient.Handler())
//
//	<script type="module">
//	  import { createSSE } from "/ssekit/client.js";
//	  const sub = createSSE().subscribe({ key: "orders", url: "/events?topic=orders" });
//	  sub.on("order.updated", (order) => console.log(order));
//	</script>
package jsclient
