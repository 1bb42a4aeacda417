package core

import (
	"net/http"

	"github.com/ssekit/ssekit/core/internal/bridge"
)

// init hands package ext what it wraps for adapter and broker authors.
func init() {
	bridge.Accept = func(stream any, r *http.Request) (bridge.Session, error) {
		s, err := stream.(*Stream).accept(r)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	bridge.ErrorResponse = errorResponse
	bridge.WriteError = writeError
	bridge.Routes = routes
	bridge.StreamHeaders = streamHeaders
	bridge.NewMessage = func(producer, topic, event string, raw []byte, opts any) (any, error) {
		o, _ := opts.([]PublishOption)
		return newMessage(producer, topic, event, rawData(raw), o)
	}
}
