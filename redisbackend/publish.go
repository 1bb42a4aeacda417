package redisbackend

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ssekit/ssekit/core"
)

// publishScript appends one event to the stream and publishes it, as one
// atomic step, so that the stream id is the event id, the stream never
// misses an event a subscriber got, and subscribers see ids in increasing
// order.
//
// A new stream (first publish, or Redis lost its data) starts with a
// deleted placeholder entry: its id becomes the stream's
// max-deleted-entry-id, the floor below which a Last-Event-ID is unknown,
// so an id from a previous life of the stream is never taken for a valid
// one.
//
//	KEYS[1] stream   KEYS[2] channel
//	ARGV[1] body     ARGV[2] MAXLEN   ARGV[3] max age in ms (0: none)
//	ARGV[4] PUBLISH or SPUBLISH
var publishScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  local floor = redis.call('XADD', KEYS[1], '*', 'floor', '1')
  redis.call('XDEL', KEYS[1], floor)
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
local age = tonumber(ARGV[3])
if age > 0 then
  local ms = tonumber(string.match(id, '^(%d+)'))
  redis.call('XTRIM', KEYS[1], 'MINID', '~', string.format('%.0f', ms - age))
end
redis.call(ARGV[4], KEYS[2], id .. ' ' .. ARGV[1])
return id
`)

// ensureScript creates the stream, empty with its floor, when it does not
// exist; Replay uses it so that the position it hands out stays valid.
var ensureScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  local floor = redis.call('XADD', KEYS[1], '*', 'floor', '1')
  redis.call('XDEL', KEYS[1], floor)
end
return 1
`)

// pubReq is one publish waiting for its pipeline.
type pubReq struct {
	body []byte
	done chan pubResult // buffered: the worker never blocks on it
}

type pubResult struct {
	id  string
	err error
}

// publisher sends publishes to Redis from a few workers, each of which
// pipelines whatever has queued up while its previous round trip was in
// flight.
type publisher struct {
	client  redis.UniversalClient
	cfg     *config
	keys    keys
	cmd     string // PUBLISH, or SPUBLISH on a cluster
	queue   chan *pubReq
	closing chan struct{}
	once    sync.Once
	wg      sync.WaitGroup

	published, failed atomic.Uint64
}

func newPublisher(client redis.UniversalClient, cfg *config, k keys) *publisher {
	p := &publisher{
		client:  client,
		cfg:     cfg,
		keys:    k,
		cmd:     "PUBLISH",
		queue:   make(chan *pubReq, cfg.workers*cfg.batch),
		closing: make(chan struct{}),
	}
	if _, ok := client.(*redis.ClusterClient); ok {
		p.cmd = "SPUBLISH"
	}
	p.wg.Add(cfg.workers)
	for range cfg.workers {
		go p.work()
	}
	return p
}

// publish records and publishes one encoded message and returns its id.
func (p *publisher) publish(ctx context.Context, body []byte) (string, error) {
	req := &pubReq{body: body, done: make(chan pubResult, 1)}
	select {
	case <-p.closing:
		return "", core.ErrClosed
	default:
	}
	select {
	case p.queue <- req:
	case <-p.closing:
		return "", core.ErrClosed
	case <-ctx.Done():
		return "", ctx.Err()
	}
	select {
	case r := <-req.done:
		return r.id, r.err
	case <-ctx.Done():
		// The worker still runs it: the event may yet be published.
		return "", fmt.Errorf("%w (the event may still be published)", ctx.Err())
	}
}

func (p *publisher) work() {
	defer p.wg.Done()
	batch := make([]*pubReq, 0, p.cfg.batch)
	for {
		select {
		case req := <-p.queue:
			batch = append(batch[:0], req)
		case <-p.closing:
			p.failQueued()
			return
		}
	collect:
		for len(batch) < p.cfg.batch {
			select {
			case req := <-p.queue:
				batch = append(batch, req)
			default:
				break collect
			}
		}
		p.send(batch)
		clear(batch)
	}
}

// failQueued answers what is still queued at Close.
func (p *publisher) failQueued() {
	for {
		select {
		case req := <-p.queue:
			req.done <- pubResult{err: core.ErrClosed}
		default:
			return
		}
	}
}

// send runs one pipeline of publishes. A script missing from Redis (it
// restarted) is loaded and the publishes that hit NOSCRIPT, which did not
// run, are sent again.
func (p *publisher) send(batch []*pubReq) {
	ctx, cancel := context.WithTimeout(context.Background(), p.cfg.publishTimeout)
	defer cancel()
	todo := batch
	for attempt := 0; ; attempt++ {
		cmds, err := p.pipeline(ctx, todo)
		var retry []*pubReq
		for i, req := range todo {
			var id string
			cerr := err
			if cmds != nil {
				id, cerr = cmds[i].Text()
			}
			if cerr != nil && attempt == 0 && isNoScript(cerr) {
				retry = append(retry, req)
				continue
			}
			if cerr != nil {
				p.failed.Add(1)
				req.done <- pubResult{err: fmt.Errorf("redisbackend: publish: %w", unavailable(cerr))}
				continue
			}
			p.published.Add(1)
			req.done <- pubResult{id: id}
		}
		if len(retry) == 0 {
			return
		}
		if err := publishScript.Load(ctx, p.client).Err(); err != nil {
			for _, req := range retry {
				p.failed.Add(1)
				req.done <- pubResult{err: fmt.Errorf("redisbackend: publish: load script: %w", unavailable(err))}
			}
			return
		}
		todo = retry
	}
}

func (p *publisher) pipeline(ctx context.Context, batch []*pubReq) ([]*redis.Cmd, error) {
	maxLen := strconv.FormatInt(p.cfg.maxLen, 10)
	age := "0"
	if p.cfg.maxAge > 0 {
		age = strconv.FormatInt(p.cfg.maxAge.Milliseconds(), 10)
	}
	ks := []string{p.keys.stream, p.keys.channel}
	if len(batch) == 1 {
		c := publishScript.EvalSha(ctx, p.client, ks, batch[0].body, maxLen, age, p.cmd)
		return []*redis.Cmd{c}, nil
	}
	pipe := p.client.Pipeline()
	cmds := make([]*redis.Cmd, len(batch))
	for i, req := range batch {
		cmds[i] = publishScript.EvalSha(ctx, pipe, ks, req.body, maxLen, age, p.cmd)
	}
	_, err := pipe.Exec(ctx)
	if err != nil && !isRedisError(err) {
		// A network failure fails the whole pipeline; a script error is
		// per command and read from each.
		return nil, err
	}
	return cmds, nil
}

func (p *publisher) close() {
	p.once.Do(func() { close(p.closing) })
	p.wg.Wait()
	p.failQueued()
}

func isNoScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")
}

func isRedisError(err error) bool {
	var re redis.Error
	return errors.As(err, &re) && !errors.Is(err, context.DeadlineExceeded)
}

// backoff returns the wait before reconnect attempt n (from 0): exponential
// from min, capped at max, with equal jitter (half fixed, half random) so a
// fleet of instances does not reconnect in step.
func backoff(n int, minD, maxD time.Duration, rnd func(int64) int64) time.Duration {
	d := minD
	for i := 0; i < n && d < maxD; i++ {
		d *= 2
	}
	d = min(d, maxD)
	half := int64(d / 2)
	return time.Duration(half + rnd(half+1))
}
