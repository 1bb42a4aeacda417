package core

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Stream is the stream route: it turns a GET request into a registered
// connection and writes the event stream. It is an http.Handler; framework
// adapters that do not run on net/http use ext.Accept instead.
type Stream struct {
	hub *Hub
	cfg *routeConfig
}

// NewStream returns the stream route of hub alone, for custom routing; the
// options must all concern the stream route.
//
//	stream, err := core.NewStream(hub, core.Topics("news"))
//	mux.Handle("/news", stream)
func NewStream(hub *Hub, opts ...RouteOption) (*Stream, error) {
	return newStream(hub, true, opts)
}

func newStream(hub *Hub, single bool, opts []RouteOption) (*Stream, error) {
	cfg, err := newRouteConfig(hub, streamRoute, single, opts)
	if err != nil {
		return nil, err
	}
	return &Stream{hub: hub, cfg: cfg}, nil
}

// streamHeaders calls set for every response header of a stream:
// Content-Type text/event-stream, Cache-Control no-cache,
// X-Accel-Buffering no (nginx must not buffer) and, on HTTP/1.x,
// Connection keep-alive.
func streamHeaders(protoMajor int, set func(key, value string)) {
	set("Content-Type", "text/event-stream")
	set("Cache-Control", "no-cache")
	set("X-Accel-Buffering", "no")
	if protoMajor < 2 {
		set("Connection", "keep-alive")
	}
}

// ServeHTTP serves one stream. Errors before the stream starts are answered
// with a status and a JSON body; after it starts, the stream simply ends.
func (s *Stream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, errStreamMethod)
		return
	}
	if !canFlush(w) {
		writeError(w, &HTTPError{Status: http.StatusInternalServerError, Message: "streaming unsupported: the ResponseWriter cannot flush"})
		return
	}
	sess, err := s.accept(r)
	if errors.Is(err, errPanicked) {
		streamHeaders(r.ProtoMajor, w.Header().Set)
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		_ = retryOnly{s.hub}.Run(r.Context(), httpWriter{w, rc})
		return
	}
	if err != nil {
		writeError(w, err)
		return
	}
	streamHeaders(r.ProtoMajor, w.Header().Set)
	if s.hub.cfg.detached && s.serveDetached(w, r, sess) {
		return
	}
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	if err := sess.Run(r.Context(), httpWriter{w, rc}); err != nil {
		s.hub.log.Debug("ssekit: stream ended", "conn_id", sess.conn.id, "err", err)
	}
	// Do not leave the stream's write deadline on a connection that may be
	// reused for another request.
	_ = rc.SetWriteDeadline(time.Time{})
}

// errStreamMethod answers a stream request that is not a GET; the caller
// sets the Allow header.
var errStreamMethod = &HTTPError{Status: http.StatusMethodNotAllowed, Message: "stream requires GET"}

// accept checks a stream request and registers its connection: method,
// Authorize hook, topics, query metadata, limits, then the OnConnect hook.
// The error, if any, is one errorResponse understands. The caller must Run
// or Close the session.
func (s *Stream) accept(r *http.Request) (*session, error) {
	if r.Method != http.MethodGet {
		return nil, errStreamMethod
	}
	if s.hub.Closing() {
		return nil, ErrClosed
	}
	var access Access
	if s.cfg.authorize != nil {
		var a Access
		err := s.hub.safeCall("Authorize hook", func() (err error) {
			a, err = s.cfg.authorize(r)
			return err
		})
		if errors.Is(err, errPanicked) {
			return nil, err
		}
		if err != nil {
			s.hub.reject(limitUnauthorized)
			return nil, rejection(err)
		}
		access = a
	}
	q := r.URL.Query()
	topics, err := s.topics(q["topic"], access)
	if err != nil {
		return nil, err
	}
	meta, err := s.meta(q, access)
	if err != nil {
		return nil, err
	}
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = q.Get("lastEventId")
	}
	c, err := s.hub.register(connSpec{topics: topics, meta: meta, identity: access.Identity, rules: s.cfg.rules})
	if err != nil {
		return nil, err
	}
	sess := &session{hub: s.hub, conn: c, lastEventID: last}
	if len(last) > MaxLastEventIDLen {
		// Unknown by definition; the session keeps (and the reset event
		// echoes) only its first MaxLastEventIDLen bytes.
		sess.lastEventID, sess.lastTooLong = last[:MaxLastEventIDLen], true
	}
	if s.cfg.onConnect != nil {
		err := s.hub.safeCall("OnConnect hook", func() error { return s.cfg.onConnect(c, r) })
		if err != nil {
			sess.Close()
			if errors.Is(err, errPanicked) {
				return nil, err
			}
			return nil, rejection(err)
		}
	}
	return sess, nil
}

// rejection turns a hook's error into a response: its own status when it
// has one, else 403 with a generic message (the hook's text may be
// internal).
func rejection(err error) error {
	var he *HTTPError
	if errors.As(err, &he) {
		return he
	}
	return Forbidden("forbidden")
}

func (s *Stream) topics(asked []string, access Access) ([]string, error) {
	if len(asked) == 0 {
		asked = s.cfg.topics
		if len(asked) == 0 && access.Topics != nil {
			asked = access.Topics
		}
	}
	topics := make([]string, 0, len(asked))
	for _, t := range asked {
		if err := ValidateTopic(t); err != nil {
			return nil, httpErrorf(http.StatusBadRequest, err)
		}
		if s.cfg.allowedTopics != nil && !s.cfg.allowedTopics[t] && !slices.Contains(s.cfg.topics, t) {
			return nil, Forbidden(fmt.Sprintf("topic %q is not allowed", t))
		}
		if access.Topics != nil && !slices.Contains(access.Topics, t) {
			return nil, Forbidden(fmt.Sprintf("topic %q is not allowed", t))
		}
		if !slices.Contains(topics, t) {
			topics = append(topics, t)
		}
	}
	if len(topics) > s.hub.cfg.maxTopics {
		s.hub.reject(limitTopics)
		return nil, httpErrorf(http.StatusBadRequest, fmt.Errorf("%w: %d (max %d)", ErrTooManyTopics, len(topics), s.hub.cfg.maxTopics))
	}
	return topics, nil
}

func (s *Stream) meta(q map[string][]string, access Access) (map[string]string, error) {
	meta := make(map[string]string, len(access.Meta)+len(q))
	if s.cfg.queryMeta {
		n := 0
		for k, vs := range q {
			if k == "topic" || k == "lastEventId" || len(vs) == 0 {
				continue
			}
			if s.cfg.queryMetaKeys != nil && !s.cfg.queryMetaKeys[k] {
				continue
			}
			if _, trusted := access.Meta[k]; trusted {
				continue
			}
			if n++; n > MaxQueryMeta {
				return nil, &HTTPError{Status: http.StatusBadRequest, Message: fmt.Sprintf("too many metadata parameters (max %d)", MaxQueryMeta)}
			}
			if k == "" || len(k) > MaxMetaValueLen || len(vs[0]) > MaxMetaValueLen {
				return nil, &HTTPError{Status: http.StatusBadRequest, Message: fmt.Sprintf("metadata parameter %.40q: keys and values are 1-%d bytes", k, MaxMetaValueLen)}
			}
			meta[k] = vs[0]
		}
	}
	for k, v := range access.Meta {
		meta[k] = v
	}
	return meta, nil
}

// httpWriter adapts a net/http response to a stream writer, with per-write
// deadlines through http.ResponseController (which unwraps middleware
// writers).
type httpWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (x httpWriter) Write(p []byte) (int, error) { return x.w.Write(p) }
func (x httpWriter) Flush() error                { return x.rc.Flush() }
func (x httpWriter) SetWriteDeadline(t time.Time) error {
	if err := x.rc.SetWriteDeadline(t); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// canFlush reports whether w, or a writer it wraps (Unwrap, as
// http.ResponseController follows), can flush.
func canFlush(w http.ResponseWriter) bool {
	for {
		switch x := w.(type) {
		case http.Flusher, interface{ FlushError() error }:
			return true
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return false
		}
	}
}
