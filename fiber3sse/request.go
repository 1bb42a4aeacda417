package fiber3sse

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/gofiber/fiber/v3"
	"github.com/ssekit/ssekit/core/ext"
)

// Context returns the fiber.Ctx of a request built by this package's
// routes, or nil for any other request. Core hooks (core.Authorize and the
// like) can use it while they run; it must not be kept.
func Context(r *http.Request) fiber.Ctx {
	c, _ := ext.ContextOf[fiber.Ctx](r)
	return c
}

// request builds the *http.Request core's hooks and handlers take, from
// copies of the Ctx's strings, since fasthttp reuses its buffers once the
// handler returns and the stream keeps its topics, metadata and
// Last-Event-ID for its whole life. The body is the raw one (Fiber v3's
// c.Body would decode a Content-Encoding, which net/http does not) and is
// not copied: only the broadcast route reads it, before the handler
// returns.
func request(c fiber.Ctx) *http.Request {
	fr := c.Request()
	rc := c.RequestCtx()
	uri := string(fr.RequestURI())
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		u = &url.URL{Path: string(fr.URI().Path()), RawQuery: string(fr.URI().QueryString())}
	}
	body := fr.Body()
	r := &http.Request{
		Method:        string(fr.Header.Method()),
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        make(http.Header),
		Host:          string(fr.Host()),
		RequestURI:    uri,
		RemoteAddr:    rc.RemoteAddr().String(),
		ContentLength: int64(len(body)),
		Body:          io.NopCloser(bytes.NewReader(body)),
	}
	if !fr.Header.IsHTTP11() {
		r.Proto, r.ProtoMinor = "HTTP/1.0", 0
	}
	if rc.IsTLS() {
		r.TLS = rc.TLSConnectionState()
	}
	for k, v := range fr.Header.All() {
		r.Header.Add(string(k), string(v))
	}
	return ext.WithContext(r.WithContext(context.Background()), c)
}

// bufferedResponse is the http.ResponseWriter of respond.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *bufferedResponse) Header() http.Header { return w.header }
func (w *bufferedResponse) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}
func (w *bufferedResponse) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

// respond runs serve on a buffered http.ResponseWriter and copies the
// response to c, so answers are core's own, byte for byte, headers
// included.
func respond(c fiber.Ctx, serve func(http.ResponseWriter)) error {
	w := &bufferedResponse{header: make(http.Header)}
	serve(w)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	for k, vs := range w.header {
		for i, v := range vs {
			if i == 0 {
				c.Set(k, v)
			} else {
				c.Append(k, v)
			}
		}
	}
	return c.Status(w.status).Send(w.body.Bytes())
}
