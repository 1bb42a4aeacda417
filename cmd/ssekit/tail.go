package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/ssekit/ssekit/client"
)

// tail prints the events of a stream until ctx ends or the stream fails
// for good.
func tail(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tail", flag.ContinueOnError)
	var topics list
	fs.Var(&topics, "topic", "topic to subscribe to (repeatable)")
	lastID := fs.String("last-event-id", "", "resume after this event id")
	asJSON := fs.Bool("json", false, "print JSON lines even on a terminal")
	raw := fs.Bool("raw", false, "do not decode ssekit envelopes (any SSE server)")
	token := fs.String("token", "", "bearer token for the stream")
	target, err := parse(fs, args)
	if err != nil {
		return err
	}
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if len(topics) > 0 {
		q := u.Query()
		for _, t := range topics {
			q.Add("topic", t)
		}
		u.RawQuery = q.Encode()
	}
	opts := []client.Option{client.WithLastEventID(*lastID)}
	if *raw {
		opts = append(opts, client.WithRaw())
	}
	if *token != "" {
		opts = append(opts, client.WithHeaders(func(_ context.Context, h http.Header) error {
			h.Set("Authorization", "Bearer "+*token)
			return nil
		}))
	}
	c, err := client.New(u.String(), opts...)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	out := newPrinter(stdout, *asJSON || !isTerminal(stdout))
	for ev, err := range c.Events(ctx) {
		var reset *client.ResetError
		switch {
		case errors.As(err, &reset):
			fmt.Fprintf(stderr, "ssekit tail: reset (%s): events after %q may be lost; resuming from %q\n", reset.Reason, reset.LastEventID, reset.ID)
		case client.Temporary(err):
			fmt.Fprintf(stderr, "ssekit tail: %v\n", err)
		case err != nil:
			return err
		default:
			if err := out.print(ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// printer writes events as JSON lines or readable lines.
type printer struct {
	w    io.Writer
	json bool
	buf  []byte
}

func newPrinter(w io.Writer, asJSON bool) *printer { return &printer{w: w, json: asJSON} }

func (p *printer) print(ev *client.Event) error {
	p.buf = p.buf[:0]
	if p.json {
		var v any = ev.Envelope
		if ev.Envelope == nil {
			v = struct {
				ID    string `json:"id"`
				Event string `json:"event"`
				Data  string `json:"data"`
			}{ev.ID, ev.Name, string(ev.Data)}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		p.buf = append(append(p.buf, b...), '\n')
	} else {
		at := time.Now()
		data := ev.Data
		topic := ""
		if env := ev.Envelope; env != nil {
			at, data, topic = env.OccurredAt.Local(), env.Data, env.Meta["topic"]
		}
		p.buf = at.AppendFormat(p.buf, "15:04:05.000")
		p.buf = fmt.Appendf(p.buf, " %s", ev.Name)
		if topic != "" {
			p.buf = fmt.Appendf(p.buf, " [%s]", topic)
		}
		p.buf = fmt.Appendf(p.buf, " %s", data)
		if ev.ID != "" {
			p.buf = fmt.Appendf(p.buf, "  (id %s)", ev.ID)
		}
		p.buf = append(p.buf, '\n')
	}
	_, err := p.w.Write(p.buf)
	return err
}
