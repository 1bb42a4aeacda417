package servers_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/ssekit/bench/internal/ctl"
	"github.com/ssekit/ssekit/bench/internal/servers"
	"github.com/ssekit/ssekit/bench/internal/sseread"
	"github.com/ssekit/ssekit/ssetest"
)

func TestMain(m *testing.M) { ssetest.LeakCheck(m) }

// Every server under test must put the same event on the wire: an id, the
// event name and one data line with the envelope around the payload.
func TestEveryServerDeliversTheSameEventShape(t *testing.T) {
	sizes := map[string]int{}
	for _, name := range servers.Names() {
		t.Run(name, func(t *testing.T) {
			o := servers.Options{MaxConnections: 100, Heartbeat: time.Minute}
			if name == "ssekit-redis" {
				c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second)
				if err != nil {
					t.Skip("no Redis on 127.0.0.1:6379 (scripts/ensure-redis.sh starts one)")
				}
				c.Close()
				o.Backend = "redis://127.0.0.1:6379/15"
			}
			srv, err := servers.New(name, o)
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()
			var body io.Closer
			// The server closes first, while its client is still there: both
			// peers misbehave when a client leaves during a publish (go-sse
			// flushes after the handler returned, r3labs leaks a goroutine).
			defer func() {
				srv.Close()
				if err := <-done; err != nil {
					t.Error(err)
				}
				if body != nil {
					body.Close()
				}
			}()
			srv.Prepare([]string{"t0"})
			url := "http://" + ln.Addr().String() + fmt.Sprintf(srv.Path(), "t0")
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get(url)
			if err != nil {
				t.Fatal(err)
			}
			body = resp.Body
			got := make(chan sseread.Event, 1)
			go func() {
				rd := sseread.New(bufio.NewReader(resp.Body), 4096, 1<<16)
				ev, err := rd.Next()
				if err == nil {
					got <- sseread.Event{ID: append([]byte(nil), ev.ID...), Event: append([]byte(nil), ev.Event...), Data: append([]byte(nil), ev.Data...)}
				}
				close(got)
			}()
			// The subscription may register just after the head is sent:
			// publish until the event arrives (bounded).
			var ev sseread.Event
		loop:
			for i := 0; i < 200; i++ {
				if err := srv.Publish("t0", ctl.AppendPayload(nil, 1, int64(i), time.Now().UnixNano())); err != nil {
					t.Fatal(err)
				}
				select {
				case e, ok := <-got:
					if !ok {
						t.Fatal("stream ended without an event")
					}
					ev = e
					break loop
				case <-time.After(10 * time.Millisecond):
				}
			}
			if string(ev.Event) != ctl.EventName || len(ev.ID) == 0 {
				t.Fatalf("event %q id %q", ev.Event, ev.ID)
			}
			for _, k := range []string{`"id":`, `"occurred_at":`, `"meta":{"topic":"t0","producer":"` + servers.Producer + `"`} {
				if !strings.Contains(string(ev.Data), k) {
					t.Fatalf("data lacks %s: %s", k, ev.Data)
				}
			}
			if e, _, _, ok := ctl.ParsePayload(ev.Data); !ok || e != 1 {
				t.Fatalf("payload not found in %s", ev.Data)
			}
			sizes[name] = len(ev.ID) + len(ev.Event) + len(ev.Data)
		})
	}
	lo, hi := 1<<30, 0
	for _, n := range sizes {
		lo, hi = min(lo, n), max(hi, n)
	}
	if hi-lo > 16 {
		t.Errorf("event sizes differ by more than 16 bytes: %v", sizes)
	}
}
