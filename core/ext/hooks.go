package ext

import (
	"context"
	"net/http"
	"strings"

	"github.com/ssekit/ssekit/core"
)

// ctxKey carries a framework context of type C in a request's context.
type ctxKey[C any] struct{}

// WithContext returns r carrying the framework context c, for the hooks of
// Hooks[C] (and for an adapter's own accessor) to find.
func WithContext[C any](r *http.Request, c C) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), ctxKey[C]{}, c))
}

// ContextOf returns the framework context WithContext put in r; ok is false
// for a request that did not come through the adapter's routes.
func ContextOf[C any](r *http.Request) (c C, ok bool) {
	c, ok = r.Context().Value(ctxKey[C]{}).(C)
	return c, ok
}

// Hooks builds core's hook options from functions that take a framework's
// own context C (echo.Context, *gin.Context, *fiber.Ctx, ...), so that a
// hook can read what the app's middleware stored. Context finds C in a
// request (usually ContextOf[C]); Package names the adapter in the 500
// error a hook gets when it runs outside the adapter's routes (its options
// given to core.Mount, say).
//
//	var hooks = ext.Hooks[echo.Context]{Package: "echosse", Context: ext.ContextOf[echo.Context]}
//	func Authorize(fn func(echo.Context) (core.Access, error)) core.RouteOption { return hooks.Authorize(fn) }
type Hooks[C any] struct {
	Package string
	Context func(*http.Request) (C, bool)
	// CopyStrings copies every string of the Access an Authorize hook
	// returns before the stream keeps it, for frameworks whose strings
	// alias buffers they reuse once the handler returns (fasthttp).
	CopyStrings bool
}

func (h Hooks[C]) outside() error {
	return &core.HTTPError{Status: http.StatusInternalServerError, Message: h.Package + ": hook used outside a " + h.Package + " route"}
}

// Authorize is core.Authorize with the framework context.
func (h Hooks[C]) Authorize(fn func(c C) (core.Access, error)) core.RouteOption {
	if fn == nil {
		return core.Authorize(nil)
	}
	return core.Authorize(func(r *http.Request) (core.Access, error) {
		c, ok := h.Context(r)
		if !ok {
			return core.Access{}, h.outside()
		}
		a, err := fn(c)
		if h.CopyStrings {
			a = cloneAccess(a)
		}
		return a, err
	})
}

// OnConnect is core.OnConnect with the framework context.
func (h Hooks[C]) OnConnect(fn func(conn *core.Conn, c C) error) core.RouteOption {
	if fn == nil {
		return core.OnConnect(nil)
	}
	return core.OnConnect(func(conn *core.Conn, r *http.Request) error {
		c, ok := h.Context(r)
		if !ok {
			return h.outside()
		}
		return fn(conn, c)
	})
}

// BroadcastAuth is core.BroadcastAuth with the framework context.
func (h Hooks[C]) BroadcastAuth(fn func(c C) error) core.RouteOption {
	if fn == nil {
		return core.BroadcastAuth(nil)
	}
	return core.BroadcastAuth(h.check(fn))
}

// StatsAuth is core.StatsAuth with the framework context.
func (h Hooks[C]) StatsAuth(fn func(c C) error) core.RouteOption {
	if fn == nil {
		return core.StatsAuth(nil)
	}
	return core.StatsAuth(h.check(fn))
}

func (h Hooks[C]) check(fn func(c C) error) func(*http.Request) error {
	return func(r *http.Request) error {
		c, ok := h.Context(r)
		if !ok {
			return h.outside()
		}
		return fn(c)
	}
}

// cloneAccess copies every string of a.
func cloneAccess(a core.Access) core.Access {
	a.Identity = strings.Clone(a.Identity)
	if a.Meta != nil {
		m := make(map[string]string, len(a.Meta))
		for k, v := range a.Meta {
			m[strings.Clone(k)] = strings.Clone(v)
		}
		a.Meta = m
	}
	if a.Topics != nil {
		t := make([]string, len(a.Topics))
		for i, s := range a.Topics {
			t[i] = strings.Clone(s)
		}
		a.Topics = t
	}
	return a
}
