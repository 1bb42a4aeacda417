package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryable reports whether Events reconnects after err.
func retryable(err error) bool {
	var se *StatusError
	var ce *ContentTypeError
	switch {
	case errors.As(err, &se):
		return se.StatusCode != http.StatusNoContent && se.retry
	case errors.As(err, &ce), errors.Is(err, ErrEventTooLarge):
		return false
	}
	return true
}

// connect makes one attempt and reads its stream until it ends. It returns
// why it ended, and more false when the consumer stopped the loop.
func (s *stream) connect(ctx context.Context, yield func(*Event, error) bool) (err error, more bool) {
	c := s.c
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var watchdog *time.Timer
	if c.cfg.stall > 0 {
		watchdog = time.AfterFunc(c.cfg.stall, func() { cancel(ErrStalled) })
		defer watchdog.Stop()
	}
	cause := func(err error) error {
		if errors.Is(context.Cause(actx), ErrStalled) {
			return ErrStalled
		}
		return err
	}

	req, err := http.NewRequestWithContext(actx, http.MethodGet, c.url, nil)
	if err != nil {
		return err, true
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-store")
	lastID := c.LastEventID()
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	if c.cfg.headers != nil {
		if err := c.cfg.headers(actx, req.Header); err != nil {
			return errors.New("client: headers: " + err.Error()), true
		}
	}
	resp, err := c.cfg.http.Do(req)
	if err != nil {
		return cause(err), true
	}
	defer resp.Body.Close()
	if err := s.check(resp); err != nil {
		return err, true
	}
	s.failures = 0

	body := io.Reader(resp.Body)
	if watchdog != nil {
		watchdog.Stop()
		body = &watchedReader{r: resp.Body, t: watchdog, d: c.cfg.stall}
	}
	dec := NewDecoder(body, c.cfg.maxEvent)
	dec.SetLastEventID(lastID)
	var name string
	for {
		f, err := dec.Next()
		if r := dec.Retry(); r > 0 {
			s.retry = r
		}
		if err != nil {
			if err == io.EOF {
				err = ErrStreamEnded
			}
			return cause(err), true
		}
		id := dec.LastEventID()
		c.setLastID(id)
		if string(f.Event) != name {
			name = string(f.Event)
		}
		ev := &Event{ID: id, Name: name, Data: append([]byte(nil), f.Data...)}
		if !c.cfg.raw {
			if name == ResetEvent {
				if !yield(nil, resetError(ev)) {
					return nil, false
				}
				continue
			}
			ev.Envelope = parseEnvelope(name, ev.Data)
		}
		if !yield(ev, nil) {
			return nil, false
		}
	}
}

// check turns a response that is not a stream into an error.
func (s *stream) check(resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		ct := resp.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "text/event-stream" {
			return &ContentTypeError{ContentType: ct}
		}
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	msg := strings.TrimSpace(string(body))
	var doc struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &doc) == nil && doc.Error != "" {
		msg = doc.Error
	}
	if len(msg) > 256 {
		msg = msg[:256] + "…"
	}
	se := &StatusError{StatusCode: resp.StatusCode, Message: msg}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
		se.RetryAfter = time.Duration(secs) * time.Second
	}
	se.retry = resp.StatusCode != http.StatusNoContent && s.c.cfg.retryStatus(resp.StatusCode)
	return se
}

// resetError reads an ssekit.reset event.
func resetError(ev *Event) *ResetError {
	re := &ResetError{ID: ev.ID}
	if env := parseEnvelope(ResetEvent, ev.Data); env != nil {
		_ = json.Unmarshal(env.Data, re)
	}
	return re
}

// watchedReader runs the stall watchdog while a read waits for bytes.
type watchedReader struct {
	r io.Reader
	t *time.Timer
	d time.Duration
}

func (w *watchedReader) Read(p []byte) (int, error) {
	w.t.Reset(w.d)
	n, err := w.r.Read(p)
	w.t.Stop()
	return n, err
}
