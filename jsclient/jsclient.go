package jsclient

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"
)

// ClientJS is client.js, the ES module served by [Handler]: the bundle of
// the modules in src/, made by scripts/bundle.js (go generate runs it; the
// JavaScript tests fail when it is stale). It is the same file that the npm
// package @ssekit/client publishes. Callers must not modify it.
//
//go:generate node scripts/bundle.js
//go:embed client.js
var ClientJS []byte

// ContentType is the media type [Handler] serves [ClientJS] with.
const ContentType = "text/javascript; charset=utf-8"

// etag is a strong validator derived from the content, so browsers
// revalidate cheaply and never keep a stale client after an upgrade.
var etag = func() string {
	sum := sha256.Sum256(ClientJS)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}()

// Handler returns an http.Handler that serves [ClientJS] for GET and HEAD
// with Content-Type [ContentType], an ETag and "Cache-Control: no-cache"
// (cache, but revalidate: If-None-Match answers 304). Other methods get 405.
// It serves the file whatever the request path is, so mount it at the path
// the pages import, for example "/ssekit/client.js".
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", etag)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "client.js", time.Time{}, bytes.NewReader(ClientJS))
}
