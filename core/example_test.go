package core_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/ssekit/ssekit/core"
)

// The one-line setup of a net/http app, and what a client receives.
func ExampleMount() {
	hub, _ := core.NewHub(core.WithProducer("shop"))
	defer hub.Shutdown(context.Background())

	mux := http.NewServeMux()
	if err := core.Mount(mux, "/events", hub, core.BroadcastAuth(core.BearerToken("s3cret"))); err != nil {
		panic(err)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/events?topic=orders")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()

	// Publish from any goroutine: a handler, a job, a consumer.
	hub.Publish(context.Background(), "orders", "order.updated", map[string]any{"id": 42, "status": "paid"})

	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		line := lines.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			fmt.Println("id: <ordered event id>")
		case strings.HasPrefix(line, "data: "):
			var env core.Envelope
			json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &env)
			fmt.Printf("data: envelope with data %s and meta topic=%s producer=%s\n", env.Data, env.Meta["topic"], env.Meta["producer"])
		default:
			fmt.Printf("%q\n", line)
		}
		if line == "" {
			return
		}
	}
	// Output:
	// ": connected"
	// "retry: 3000"
	// id: <ordered event id>
	// "event: order.updated"
	// data: envelope with data {"id":42,"status":"paid"} and meta topic=orders producer=shop
	// ""
}

// Publishing narrowed by connection metadata: only streams opened with
// ?channel=sports receive the event.
func ExampleWhere() {
	hub, _ := core.NewHub()
	defer hub.Shutdown(context.Background())
	stream, err := core.NewStream(hub)
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(stream)
	defer srv.Close()

	sports, err := http.Get(srv.URL + "/?channel=sports")
	if err != nil {
		panic(err)
	}
	defer sports.Body.Close()
	news, err := http.Get(srv.URL + "/?channel=news")
	if err != nil {
		panic(err)
	}
	defer news.Body.Close()

	hub.Publish(context.Background(), core.AllTopics, "goal", "1-0", core.Where(core.Match{"channel": "sports"}))
	fmt.Println("sports listeners:", hub.CountWhere(core.Match{"channel": "sports"}))
	fmt.Println("first event to sports:", firstEvent(sports))
	// Output:
	// sports listeners: 1
	// first event to sports: goal
}

func firstEvent(resp *http.Response) string {
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		if ev, ok := strings.CutPrefix(lines.Text(), "event: "); ok {
			return ev
		}
	}
	return ""
}

// An Authorize hook decides who may stream, with which trusted metadata and
// topics; OnConnect greets the new connection.
func ExampleAuthorize() {
	hub, _ := core.NewHub()
	defer hub.Shutdown(context.Background())
	stream, err := core.NewStream(hub,
		core.Authorize(func(r *http.Request) (core.Access, error) {
			user := r.Header.Get("X-User") // set by your auth middleware
			if user == "" {
				return core.Access{}, core.Unauthorized("log in first")
			}
			return core.Access{Identity: user, Meta: map[string]string{"user_id": user}, Topics: []string{"user:" + user}}, nil
		}),
		core.OnConnect(func(c *core.Conn, r *http.Request) error {
			return c.Send("welcome", map[string]string{"user": c.Get("user_id")})
		}))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(stream)
	defer srv.Close()

	anon, err := http.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	anon.Body.Close()
	fmt.Println("anonymous:", anon.StatusCode)

	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("X-User", "42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	fmt.Println("user 42:", resp.StatusCode, firstEvent(resp), hub.Conns(nil)[0].Topics())
	// Output:
	// anonymous: 401
	// user 42: 200 welcome [user:42]
}
