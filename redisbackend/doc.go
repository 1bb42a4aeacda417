// Package redisbackend makes many ssekit hubs behave as one, over Redis.
//
// Give every instance of an application a Broker on the same Redis and
// prefix, and plug it into the hub with one option:
//
//	b, err := redisbackend.New(ctx, "redis://localhost:6379/0", redisbackend.WithPrefix("my_app"))
//	if err != nil { … }
//	defer b.Close()
//	hub, err := core.NewHub(core.WithBroker(b))
//
// An event published on any instance (or by a Publisher, from a program
// that serves no SSE) reaches the matching clients of every instance; a
// client that reconnects to any instance with Last-Event-ID gets what it
// missed; the hub's stats gain cluster-wide figures.
//
// How it works: one Lua script appends each event to a bounded Redis Stream
// (MAXLEN ~ and MINID ~) and publishes it on the prefix's channel, so the
// event id is the stream id. Each instance holds one subscriber connection
// (SUBSCRIBE, or SSUBSCRIBE with a Redis Cluster client) and filters by
// topic and metadata locally. Pub/sub is at-most-once; the broker makes up
// for it: after a reconnect it reads from the stream whatever it missed, and
// when even the stream cannot fill a gap (Redis lost its data and the stream
// started a new epoch, or it was trimmed) it sends every open stream the
// core's reset event in band, then what followed, rather than let clients
// silently miss events. While Redis is unreachable, publishes fail with
// core.ErrUnavailable. See Broker for the guarantees.
//
// What ssekit guarantees (ordering, resume without gaps or duplicates, what
// happens to slow clients) and where its limits are (event size, queue and
// replay bounds) is stated once, in the README's [Guarantees and limits].
//
// [Guarantees and limits]: https://github.com/ssekit/ssekit#guarantees-and-limits
package redisbackend
