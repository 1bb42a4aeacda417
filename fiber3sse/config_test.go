package fiber3sse_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/ssekit/ssekit/fiber3sse"
)

// fasthttp copies a stream to the socket in chunks of up to 4 KiB and
// flushes after each: with Config's write buffer a full chunk and its size
// line go out in one write; with Fiber's default 4 KiB buffer each full
// chunk leaves a few bytes for a second write.
func TestConfigWritesAWholeChunkAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cfg      fiber.Config
		tinyWant bool
	}{
		{"Config", fiber3sse.Config(fiber.Config{}), false},
		{"default", fiber.Config{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub := newHub(t)
			app := fiber.New(tc.cfg)
			mount(t, app, hub)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			rec := &writeSizes{}
			url := serveOn(t, hub, app, &countingListener{Listener: ln, rec: rec})
			s := open(t, url+"/events?topic=t", nil)
			if _, err := hub.Publish(context.Background(), "t", "big", strings.Repeat("x", 16<<10)); err != nil {
				t.Fatal(err)
			}
			if got := s.Event(); got != "big" {
				t.Fatalf("event %q", got)
			}
			sizes := rec.get()
			t.Logf("writes: %v", sizes)
			tiny := 0
			for _, n := range sizes {
				if n < 16 {
					tiny++
				}
			}
			if tiny > 0 != tc.tinyWant {
				t.Errorf("writes %v: %d of under 16 bytes, want some: %v", sizes, tiny, tc.tinyWant)
			}
		})
	}
}

func ExampleConfig() {
	app := fiber.New(fiber3sse.Config(fiber.Config{ErrorHandler: fiber3sse.ErrorHandler}))
	fmt.Println(app.Config().WriteBufferSize >= fiber3sse.StreamWriteBufferSize)
	// Output: true
}

// writeSizes records the size of every write to the server's connections.
type writeSizes struct {
	mu    sync.Mutex
	sizes []int
}

func (w *writeSizes) add(n int) {
	w.mu.Lock()
	w.sizes = append(w.sizes, n)
	w.mu.Unlock()
}

func (w *writeSizes) get() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]int(nil), w.sizes...)
}

type countingListener struct {
	net.Listener
	rec *writeSizes
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, rec: l.rec}, nil
}

type countingConn struct {
	net.Conn
	rec *writeSizes
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.rec.add(len(b))
	return c.Conn.Write(b)
}
