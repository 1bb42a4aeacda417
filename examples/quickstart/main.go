package main

import (
	"log"
	"net/http"
	"os"

	"github.com/ssekit/ssekit/core"
)

func main() {
	hub, err := core.NewHub(core.WithProducer("shop"))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	// GET /events, GET /events/stats, POST /events/broadcast
	if err := core.Mount(mux, "/events", hub, core.BroadcastAuth(core.BearerToken("change-me"))); err != nil {
		log.Fatal(err)
	}

	// Publish from any handler, job or goroutine.
	mux.HandleFunc("POST /orders/{id}/pay", func(w http.ResponseWriter, r *http.Request) {
		hub.Publish(r.Context(), "orders", "order.paid", map[string]string{"id": r.PathValue("id")})
		w.WriteHeader(http.StatusNoContent)
	})
	addr := os.Getenv("ADDR") // like every example
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	log.Fatal(http.ListenAndServe(addr, mux))
}
