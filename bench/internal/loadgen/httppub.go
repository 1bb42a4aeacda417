package loadgen

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ssekit/ssekit/bench/internal/ctl"
)

// HTTPResult is the outcome of an HTTP publish phase (bench B8).
type HTTPResult struct {
	ClosedResult
	PublishesPerSec float64 // answered publish requests per second in the window
	Failed          int64   // publish requests that failed over the whole phase
	Dropped         int     // streams of conns that ended during the phase
}

// HTTPLoop publishes over HTTP, the way a service publishing from elsewhere
// does: inflight workers POST to the server's broadcast route (ctl.BroadcastPath)
// back to back, each waiting for its answer before sending the next, so at
// most inflight publishes are in flight. Every event goes to topic t0. It
// warms up, then measures deliveries per second and server CPU over measure.
// There is no credit: a server that accepts publishes faster than it
// delivers them fills its queues, and streams it drops are reported.
func (g *Gen) HTTPLoop(pid int, conns []*Conn, inflight int, warm, measure time.Duration) (HTTPResult, error) {
	e := g.newEpoch(g.Conns(), math.MaxInt64)
	endedBefore := 0
	for _, c := range conns {
		if c.Ended() {
			endedBefore++
		}
	}
	tr := &http.Transport{MaxIdleConnsPerHost: inflight, MaxConnsPerHost: inflight, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	url := "http://" + g.hello.HTTP + ctl.BroadcastPath
	var seq, answered, failed atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range inflight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := make([]byte, 0, ctl.PayloadSize+64)
			for {
				select {
				case <-stop:
					return
				default:
				}
				body = append(body[:0], `{"event":"`+ctl.EventName+`","topic":"t0","data":`...)
				body = ctl.AppendPayload(body, e, seq.Add(1)-1, time.Now().UnixNano())
				body = append(body, '}')
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+ctl.BroadcastToken)
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode/100 != 2 {
						err = fmt.Errorf("loadgen: publish: status %s", resp.Status)
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				answered.Add(1)
			}
		}()
	}
	time.Sleep(warm)
	d0, p0, c0 := g.delivered.Load(), answered.Load(), sampleCPU(pid)
	time.Sleep(measure)
	d1, p1, c1 := g.delivered.Load(), answered.Load(), sampleCPU(pid)
	close(stop)
	wg.Wait()
	el := c1.at.Sub(c0.at)
	r := HTTPResult{
		ClosedResult:    ClosedResult{DeliveriesPerSec: float64(d1-d0) / el.Seconds(), Published: seq.Load(), Window: el},
		PublishesPerSec: float64(p1-p0) / el.Seconds(),
		Failed:          failed.Load(),
	}
	r.ServerCPU, r.LoadgenCPU, r.OtherCPU = cores(c0, c1)
	if d1 > d0 {
		r.CPUPerDelivery = (c1.server - c0.server) / time.Duration(d1-d0)
	}
	for _, c := range conns {
		if c.Ended() {
			r.Dropped++
		}
	}
	r.Dropped -= endedBefore
	if r.Failed > 0 && p1 == p0 {
		err, _ := firstErr.Load().(error)
		return r, fmt.Errorf("loadgen: no publish succeeded: %v", err)
	}
	return r, nil
}
