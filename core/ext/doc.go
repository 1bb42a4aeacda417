// Package ext is the extension API of ssekit's core, for the authors of
// framework adapters and brokers. An app never needs it: apps use package
// core and an adapter (echosse, ginsse, fibersse, ...).
//
// An adapter is translation only, request in and bytes out:
//
//	stream, err := core.NewStream(hub, opts...)        // once, at route setup
//	...
//	sess, err := ext.Accept(stream, req)               // per request: checks, hooks, registration
//	if err != nil {
//		status, body := ext.ErrorResponse(err)     // answer in the framework's own way
//		...
//	}
//	ext.StreamHeaders(req.ProtoMajor, setHeader)
//	err = sess.Run(ctx, w)                             // w: the response body as an ext.Writer
//
// Hooks that take the framework's context (Authorize, OnConnect,
// BroadcastAuth, StatsAuth) are written once with Hooks, and the three
// paths of a mount come from Routes, so every adapter registers the same
// ones. A broker or publisher without a hub builds its messages with
// NewMessage; the broker contract itself (core.Broker, core.ReplayLog,
// core.BrokerHandler) is in package core, beside the hub that uses it.
package ext
