package core

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
)

// Default limits of the HTTP routes.
const (
	// DefaultMaxBodyBytes caps a broadcast request body.
	DefaultMaxBodyBytes = 64 << 10
	// MaxQueryMeta caps the metadata pairs taken from a stream's query.
	MaxQueryMeta = 32
	// MaxMetaValueLen caps one metadata key or value taken from a query, in
	// bytes.
	MaxMetaValueLen = 256
	// MaxLastEventIDLen caps the Last-Event-ID accepted; a longer one is
	// treated as unknown.
	MaxLastEventIDLen = 128
)

// Access is what an Authorize hook grants a stream request.
type Access struct {
	// Identity names who holds the stream (a user id, say), for the
	// per-identity connection cap. Empty: no identity.
	Identity string
	// Meta is trusted connection metadata; query parameters cannot
	// override these keys.
	Meta map[string]string
	// Topics, when not nil, are the only topics this stream may use: a
	// request for another gets 403, and a request for none gets these.
	Topics []string
}

type routeConfig struct {
	topics        []string
	allowedTopics map[string]bool
	queryMeta     bool
	queryMetaKeys map[string]bool
	authorize     func(*http.Request) (Access, error)
	onConnect     func(*Conn, *http.Request) error
	rules         *rules
	broadcastAuth func(*http.Request) error
	statsAuth     func(*http.Request) error
	maxBody       int64
}

// The routes a RouteOption can concern.
type routeKind uint8

const (
	streamRoute routeKind = 1 << iota
	statsRoute
	broadcastRoute
)

func (k routeKind) String() string {
	switch k {
	case streamRoute:
		return "stream"
	case statsRoute:
		return "stats"
	}
	return "broadcast"
}

// RouteOption configures the stream, stats and broadcast routes. Mount (and
// each adapter's SSE) gives one list to all three routes, and each route
// takes the options that concern it. NewStream, NewStats and NewBroadcast
// refuse an option that does not concern their route. An option given a
// value it cannot take makes Mount or the constructor return an error
// wrapping ErrInvalidOption.
type RouteOption struct {
	name   string
	routes routeKind
	apply  func(*routeConfig) error
}

func routeOption(name string, routes routeKind, apply func(*routeConfig) error) RouteOption {
	return RouteOption{name: name, routes: routes, apply: apply}
}

func invalid(name, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidOption, name, fmt.Sprintf(format, args...))
}

// newRouteConfig applies the options that concern route. single says the
// options were given to that route alone, where one that does not concern
// it is a mistake.
func newRouteConfig(hub *Hub, route routeKind, single bool, opts []RouteOption) (*routeConfig, error) {
	if hub == nil {
		return nil, fmt.Errorf("%w: nil hub", ErrInvalidOption)
	}
	c := &routeConfig{queryMeta: true, maxBody: DefaultMaxBodyBytes}
	for _, o := range opts {
		if o.apply == nil {
			return nil, fmt.Errorf("%w: zero RouteOption", ErrInvalidOption)
		}
		if o.routes&route == 0 {
			if single {
				return nil, invalid(o.name, "does not concern the %s route", route)
			}
			continue
		}
		if err := o.apply(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Topics sets the topics of a stream request that names none with ?topic=.
// Without it such a stream only receives events published to AllTopics and
// events sent to its connection.
func Topics(topics ...string) RouteOption {
	return routeOption("Topics", streamRoute, func(c *routeConfig) error {
		for _, t := range topics {
			if err := ValidateTopic(t); err != nil {
				return invalid("Topics", "%v", err)
			}
		}
		c.topics = append([]string(nil), topics...)
		return nil
	})
}

// AllowTopics restricts the topics a stream request may name with ?topic= to
// this list (403 otherwise). By default any valid topic may be named: use
// this or an Authorize hook when topics are private.
func AllowTopics(topics ...string) RouteOption {
	return routeOption("AllowTopics", streamRoute, func(c *routeConfig) error {
		c.allowedTopics = make(map[string]bool, len(topics))
		for _, t := range topics {
			if err := ValidateTopic(t); err != nil {
				return invalid("AllowTopics", "%v", err)
			}
			c.allowedTopics[t] = true
		}
		return nil
	})
}

// QueryMeta restricts the query parameters that become connection metadata
// to keys. By default every parameter but topic and lastEventId does.
func QueryMeta(keys ...string) RouteOption {
	return routeOption("QueryMeta", streamRoute, func(c *routeConfig) error {
		c.queryMeta = true
		c.queryMetaKeys = make(map[string]bool, len(keys))
		for _, k := range keys {
			if k == "" || len(k) > MaxMetaValueLen {
				return invalid("QueryMeta", "key %.40q: keys are 1-%d bytes", k, MaxMetaValueLen)
			}
			c.queryMetaKeys[k] = true
		}
		return nil
	})
}

// NoQueryMeta takes no connection metadata from query parameters.
func NoQueryMeta() RouteOption {
	return routeOption("NoQueryMeta", streamRoute, func(c *routeConfig) error {
		c.queryMeta, c.queryMetaKeys = false, nil
		return nil
	})
}

// Authorize runs fn for every stream request before anything is
// registered. An error rejects the request: an *HTTPError (Unauthorized,
// Forbidden) gives its status, any other error gives 403. The Access it
// returns sets the identity, trusted metadata and allowed topics.
func Authorize(fn func(r *http.Request) (Access, error)) RouteOption {
	return routeOption("Authorize", streamRoute, func(c *routeConfig) error {
		if fn == nil {
			return invalid("Authorize", "nil func")
		}
		c.authorize = fn
		return nil
	})
}

// OnConnect runs fn once the stream is registered and before its first
// byte: it may send a welcome event (c.Send), set metadata or subscribe
// topics. An error rejects the request as Authorize does.
func OnConnect(fn func(c *Conn, r *http.Request) error) RouteOption {
	return routeOption("OnConnect", streamRoute, func(c *routeConfig) error {
		if fn == nil {
			return invalid("OnConnect", "nil func")
		}
		c.onConnect = fn
		return nil
	})
}

// AllowEvents limits the events a stream receives to these names. The
// ResetEvent is not subject to it: a resuming client always gets it.
func AllowEvents(names ...string) RouteOption {
	return routeOption("AllowEvents", streamRoute, func(c *routeConfig) error {
		r := c.ruleSet()
		r.allow = make(map[string]struct{}, len(names))
		for _, n := range names {
			if err := ValidateEvent(n); err != nil {
				return invalid("AllowEvents", "%v", err)
			}
			r.allow[n] = struct{}{}
		}
		return nil
	})
}

// FilterEvents adds a predicate over the envelope that an event must pass
// to reach a stream. Predicates run on the publishing goroutine, must be
// fast, must not block and must not modify the envelope.
func FilterEvents(pred func(*Envelope) bool) RouteOption {
	return routeOption("FilterEvents", streamRoute, func(c *routeConfig) error {
		if pred == nil {
			return invalid("FilterEvents", "nil func")
		}
		r := c.ruleSet()
		r.preds = append(r.preds, pred)
		return nil
	})
}

func (c *routeConfig) ruleSet() *rules {
	if c.rules == nil {
		c.rules = &rules{}
	}
	return c.rules
}

// BroadcastAuth enables the broadcast route: fn authorizes each request
// (nil error) or rejects it as Authorize does. Without it the route answers
// 403, because an open broadcast endpoint lets anyone publish.
func BroadcastAuth(fn func(r *http.Request) error) RouteOption {
	return routeOption("BroadcastAuth", broadcastRoute, func(c *routeConfig) error {
		if fn == nil {
			return invalid("BroadcastAuth", "nil func")
		}
		c.broadcastAuth = fn
		return nil
	})
}

// StatsAuth protects the stats route with fn (by default it is public: it
// shows counts and topic names, never events or metadata).
func StatsAuth(fn func(r *http.Request) error) RouteOption {
	return routeOption("StatsAuth", statsRoute, func(c *routeConfig) error {
		if fn == nil {
			return invalid("StatsAuth", "nil func")
		}
		c.statsAuth = fn
		return nil
	})
}

// MaxBodyBytes caps a broadcast request body (default DefaultMaxBodyBytes);
// a bigger body gets 413. n must be positive.
func MaxBodyBytes(n int64) RouteOption {
	return routeOption("MaxBodyBytes", broadcastRoute, func(c *routeConfig) error {
		if n <= 0 {
			return invalid("MaxBodyBytes", "%d is not positive", n)
		}
		c.maxBody = n
		return nil
	})
}

// BearerToken returns an authorizer that accepts requests carrying
// "Authorization: Bearer <secret>", compared in constant time: 401 when the
// header is missing, 403 when the token is wrong. An empty secret rejects
// everything.
func BearerToken(secret string) func(*http.Request) error {
	want := []byte(secret)
	return func(r *http.Request) error {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			return Unauthorized("missing bearer token")
		}
		scheme, token, ok := strings.Cut(auth, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return Unauthorized("authorization must be a bearer token")
		}
		if len(want) == 0 || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), want) != 1 {
			return Forbidden("invalid bearer token")
		}
		return nil
	}
}
