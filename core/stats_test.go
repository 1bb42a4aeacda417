package core_test

import (
	"net/http"
	"testing"

	"github.com/ssekit/ssekit/core"
)

func TestStatsRouteServesCounters(t *testing.T) {
	hub := newHub(t)
	srv := serve(t, hub)
	c := dial(t, srv.URL+"/events?topic=x", nil)
	waitUntil(t, "connection", func() bool { return hub.Count() == 1 })
	mustPublish(t, hub, "x", "e", 1)
	c.next()
	resp, err := http.Get(srv.URL + "/events/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st core.Stats
	if err := jsonDecode(resp.Body, &st); err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Content-Type") != "application/json" || st.Connections != 1 || st.Topics["x"] != 1 || st.Published != 1 || st.Delivered != 1 {
		t.Fatalf("stats %+v", st)
	}
	protected := serve(t, newHub(t), core.StatsAuth(core.BearerToken("s3cret")))
	r2, _ := http.Get(protected.URL + "/events/stats")
	r2.Body.Close()
	if r2.StatusCode != http.StatusUnauthorized {
		t.Fatalf("protected stats without token: %d", r2.StatusCode)
	}
}
