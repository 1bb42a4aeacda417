package conformance_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	gosse "github.com/tmaxmax/go-sse"
)

// TestClientRawAgainstGoSSE runs the client scenarios against a server
// that is not ssekit: tmaxmax/go-sse's, with its replayer, read in raw
// mode. Event i has id i and the data i.
func TestClientRawAgainstGoSSE(t *testing.T) {
	for _, sc := range clientScenarios {
		t.Run(sc.name, func(t *testing.T) {
			// Larger than any scenario publishes: go-sse has no reset, so
			// an id its replayer has evicted gets nothing replayed and a
			// client whose publisher has stopped would wait forever.
			replayer, err := gosse.NewFiniteReplayer(4096, false)
			if err != nil {
				t.Fatal(err)
			}
			srv := &gosse.Server{
				Provider: guarded{&gosse.Joe{Replayer: replayer}},
				OnSession: func(w http.ResponseWriter, r *http.Request) ([]string, bool) {
					return r.URL.Query()["topic"], true
				},
			}
			mux := http.NewServeMux()
			mux.Handle("GET /events", srv)
			hs := httptest.NewServer(mux)
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), wait)
				defer cancel()
				srv.Shutdown(ctx)
				hs.Close()
			})
			p := newCutProxy(t, hs.URL)
			tg := &target{url: p.url + "/events?topic=t", proxy: p, raw: true,
				client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
			send := func(t *testing.T, m *gosse.Message) {
				if err := srv.Publish(m, "t"); err != nil {
					t.Fatal(err)
				}
			}
			tg.publish = func(t *testing.T, i int) string {
				id := strconv.Itoa(i)
				m := &gosse.Message{ID: gosse.ID(id), Type: gosse.Type("n")}
				m.AppendData(id)
				send(t, m)
				return id
			}
			tg.big = func(t *testing.T, data string) {
				m := &gosse.Message{ID: gosse.ID("big"), Type: gosse.Type("big")}
				m.AppendData(strconv.Quote(data))
				send(t, m)
			}
			tg.retry = func(t *testing.T, d time.Duration) {
				send(t, &gosse.Message{ID: gosse.ID("retry-hint"), Retry: d}) // its replayer wants an id on every message
			}
			sc.run(t, tg)
		})
	}
}

// guarded works around a data race in go-sse v0.11.0: Joe replays to a new
// subscriber from its own goroutine, and when the client goes away during
// the replay the handler returns while Joe still writes to the response
// (the race detector reports it). The guard drops writes once Subscribe
// has returned.
type guarded struct{ *gosse.Joe }

func (g guarded) Subscribe(ctx context.Context, sub gosse.Subscription) error {
	w := &guardedWriter{w: sub.Client}
	sub.Client = w
	defer func() {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
	}()
	return g.Joe.Subscribe(ctx, sub)
}

type guardedWriter struct {
	mu     sync.Mutex
	w      gosse.MessageWriter
	closed bool
}

var errGone = errors.New("subscriber gone")

func (w *guardedWriter) Send(m *gosse.Message) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errGone
	}
	return w.w.Send(m)
}

func (w *guardedWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errGone
	}
	return w.w.Flush()
}
