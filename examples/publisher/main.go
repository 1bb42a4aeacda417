// Command publisher publishes events from a plain Go program, with no HTTP
// server: they reach the clients of every example instance that runs with
// the same REDIS_URL (the seed's "Service C").
//
//	REDIS_URL=redis://127.0.0.1:6379/0 go run ./examples/nethttp &
//	REDIS_URL=redis://127.0.0.1:6379/0 go run ./examples/publisher -topic demo -event note -data '{"text":"hi"}'
//
// Without -data it publishes a "publisher.tick" event every -every until
// SIGINT/SIGTERM. -user narrows delivery to connections whose user_id
// matches. The examples take user_id only from a signed login cookie
// (POST /admin/login?user=NAME with the bearer token sets it), never from
// the query, so a forged ?user_id=NAME receives nothing:
//
//	curl -s -X POST -H "Authorization: Bearer $SSE_BROADCAST_TOKEN" 'http://127.0.0.1:8080/admin/login?user=alice'
//	  {"user":"alice","cookie":"ssekit_user=alice.…"}
//	curl -N -b 'ssekit_user=alice.…' 'http://127.0.0.1:8080/events?topic=demo'   # gets -user alice events
//	curl -N 'http://127.0.0.1:8080/events?topic=demo&user_id=alice'             # does not
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/examples/internal/exampleapp"
	"github.com/ssekit/ssekit/redisbackend"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "publisher:", err)
		os.Exit(1)
	}
}

func run() error {
	topic := flag.String("topic", "demo", "topic to publish to (* for every connection)")
	event := flag.String("event", "publisher.tick", "event name")
	data := flag.String("data", "", "event data (JSON, or text); publish once and exit")
	user := flag.String("user", "", "deliver only to connections with this user_id")
	every := flag.Duration("every", 2*time.Second, "interval between ticks when -data is not given")
	flag.Parse()

	url := os.Getenv("REDIS_URL")
	if url == "" {
		return errors.New("REDIS_URL is not set (for example redis://127.0.0.1:6379/0)")
	}
	prefix := os.Getenv("REDIS_PREFIX")
	if prefix == "" {
		prefix = exampleapp.RedisPrefix
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	p, err := redisbackend.NewPublisher(ctx, url, redisbackend.WithPrefix(prefix), redisbackend.WithProducer("example-publisher"))
	if err != nil {
		return err
	}
	defer p.Close()
	var opts []core.PublishOption
	if *user != "" {
		opts = append(opts, core.Where(core.Match{"user_id": *user}))
	}

	if *data != "" {
		id, err := p.PublishRaw(ctx, *topic, *event, []byte(*data), opts...)
		if err != nil {
			return err
		}
		fmt.Printf("published %s id=%s\n", *event, id)
		return nil
	}
	t := time.NewTicker(*every)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			id, err := p.Publish(ctx, *topic, *event, map[string]any{"n": n, "time": now.UTC().Format(time.RFC3339)}, opts...)
			if err != nil {
				// Redis may be restarting: report and keep going.
				fmt.Fprintln(os.Stderr, "publish:", err)
				continue
			}
			fmt.Printf("published %s #%d id=%s\n", *event, n, id)
		}
	}
}
