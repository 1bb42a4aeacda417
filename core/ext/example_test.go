package ext_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

// An adapter in a few lines: accept the request, answer errors in the
// framework's own way, send the headers, run the session on the body.
func ExampleAccept() {
	hub, _ := core.NewHub()
	defer hub.Shutdown(context.Background())
	stream, _ := core.NewStream(hub, core.Topics("news"))

	// What a framework's handler does with its request and response.
	serve := func(w http.ResponseWriter, r *http.Request) {
		sess, err := ext.Accept(stream, r)
		if err != nil {
			status, body := ext.ErrorResponse(err)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			w.Write(body)
			return
		}
		ext.StreamHeaders(r.ProtoMajor, w.Header().Set)
		w.WriteHeader(http.StatusOK)
		fmt.Println("streaming to connection", sess.Conn().Topics())
		sess.Close() // a real adapter calls sess.Run(ctx, writer) instead
	}
	rec := httptest.NewRecorder()
	serve(rec, httptest.NewRequest(http.MethodGet, "/events", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	rec = httptest.NewRecorder()
	serve(rec, httptest.NewRequest(http.MethodGet, "/events?topic=a%0Ab", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// streaming to connection [news]
	// 200 text/event-stream
	// 400 {"error":"core: invalid topic: \"a\\nb\" (need 1-256 bytes of UTF-8 without control characters, not \"*\")"}
}
