package ext

import (
	"fmt"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/internal/bridge"
)

// NewMessage builds a message as core.Hub.Publish does, for publishers
// that have no hub (see redisbackend.Publisher): it validates the topic
// (core.AllTopics allowed, "" refused) and the event name, turns raw into
// envelope data (valid JSON compacted, anything else a JSON string), sets
// the producer and applies the options. It does not check a size limit:
// the caller does.
func NewMessage(producer, topic, event string, raw []byte, opts ...core.PublishOption) (*core.Message, error) {
	if producer == "" {
		return nil, fmt.Errorf("%w: NewMessage: empty producer", core.ErrInvalidOption)
	}
	m, err := bridge.NewMessage(producer, topic, event, raw, opts)
	if err != nil {
		return nil, err
	}
	return m.(*core.Message), nil
}
