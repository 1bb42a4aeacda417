package core_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/ssekit/ssekit/core"
)

func TestBadHubOptionsAreErrors(t *testing.T) {
	for name, opt := range map[string]core.HubOption{
		"heartbeat": core.WithHeartbeat(-1), "queue": core.WithQueueSize(0), "max": core.WithMaxConnections(0),
		"topics": core.WithMaxTopics(0), "size": core.WithMaxEventSize(0), "write": core.WithWriteTimeout(0),
		"broker": core.WithBroker(nil), "producer": core.WithProducer(""), "logger": core.WithLogger(nil),
		"identity": core.WithMaxConnectionsPerIdentity(0, core.RefuseNewest), "retry": core.WithRetry(-1),
		"lifetime": core.WithMaxLifetime(-1), "spread": core.WithShutdownSpread(-1),
		"heartbeat event": core.WithHeartbeatEvent("a\nb"),
	} {
		if _, err := core.NewHub(opt); !errors.Is(err, core.ErrInvalidOption) {
			t.Errorf("%s: NewHub = %v, want an error wrapping ErrInvalidOption", name, err)
		}
	}
}

func TestBadRouteOptionsAreErrorsFromMount(t *testing.T) {
	hub := newHub(t)
	for name, opt := range map[string]core.RouteOption{
		"zero body limit":   core.MaxBodyBytes(0),
		"negative body":     core.MaxBodyBytes(-5),
		"invalid topic":     core.Topics("a\nb"),
		"reserved topic":    core.AllowTopics(core.AllTopics),
		"invalid event":     core.AllowEvents(""),
		"nil authorize":     core.Authorize(nil),
		"nil on connect":    core.OnConnect(nil),
		"nil filter":        core.FilterEvents(nil),
		"nil broadcastAuth": core.BroadcastAuth(nil),
		"nil statsAuth":     core.StatsAuth(nil),
		"empty meta key":    core.QueryMeta(""),
		"zero value":        {},
	} {
		mux := http.NewServeMux()
		if err := core.Mount(mux, "/events", hub, opt); !errors.Is(err, core.ErrInvalidOption) {
			t.Errorf("%s: Mount = %v, want an error wrapping ErrInvalidOption", name, err)
		}
	}
	if err := core.Mount(http.NewServeMux(), "/events", nil); !errors.Is(err, core.ErrInvalidOption) {
		t.Errorf("Mount with a nil hub = %v", err)
	}
}

func TestSingleRoutesRefuseOptionsForOtherRoutes(t *testing.T) {
	hub := newHub(t)
	auth := core.BroadcastAuth(core.BearerToken("x"))
	if _, err := core.NewStream(hub, auth); !errors.Is(err, core.ErrInvalidOption) {
		t.Errorf("NewStream with BroadcastAuth = %v", err)
	}
	if _, err := core.NewStats(hub, core.Topics("t")); !errors.Is(err, core.ErrInvalidOption) {
		t.Errorf("NewStats with Topics = %v", err)
	}
	if _, err := core.NewBroadcast(hub, core.StatsAuth(core.BearerToken("x"))); !errors.Is(err, core.ErrInvalidOption) {
		t.Errorf("NewBroadcast with StatsAuth = %v", err)
	}
	// Mount shares one list: each route takes what concerns it.
	if err := core.Mount(http.NewServeMux(), "/events", hub, auth, core.Topics("t"), core.StatsAuth(core.BearerToken("y"))); err != nil {
		t.Errorf("Mount with a mixed list: %v", err)
	}
}
