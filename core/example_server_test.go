package core_test

import (
	"net/http"
	"time"
)

// The server settings the README's "Guarantees and limits" section tells an
// app to copy (compiled, not run).
func Example_serverSettings() {
	mux := http.NewServeMux()
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second, // slowloris: headers must arrive
		IdleTimeout:       time.Minute,      // idle keep-alive sockets close
		MaxHeaderBytes:    64 << 10,         // Last-Event-ID and cookies fit; 900 KB headers do not
		// No ReadTimeout or WriteTimeout: a stream is one long response; the hub
		// bounds each write itself (core.WithWriteTimeout).
	}
	_ = srv
}
