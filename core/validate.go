package core

import (
	"fmt"
	"unicode/utf8"
)

// MaxNameLen is the longest event name or topic accepted, in bytes.
const MaxNameLen = 256

// AllTopics, used as the topic of a publish, reaches every connection of the
// hub whatever its topics. It cannot be subscribed to.
const AllTopics = "*"

// ResetEvent is the name of the event a resuming client receives, instead of
// a replay, when its Last-Event-ID is unknown to the replay log (too old, or
// from before a restart). Its data is {"reason": …, "last_event_id": …}; its
// id is the log's current position, so the client resumes from there after
// it has refetched its state.
const ResetEvent = "ssekit.reset"

// validName reports whether s is fit to be written in an SSE field: not
// empty, at most MaxNameLen bytes, valid UTF-8 and free of control
// characters (which covers CR, LF and NUL, the field-injection bytes).
func validName(s string) bool {
	if s == "" || len(s) > MaxNameLen || !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// ValidateEvent returns an error wrapping ErrInvalidEvent when name cannot
// be used as an event name.
func ValidateEvent(name string) error {
	if !validName(name) {
		return fmt.Errorf("%w: %q (need 1-%d bytes of UTF-8 without control characters)", ErrInvalidEvent, name, MaxNameLen)
	}
	return nil
}

// ValidateTopic returns an error wrapping ErrInvalidTopic when topic cannot
// be subscribed to. AllTopics is valid for publishing only and is refused
// here.
func ValidateTopic(topic string) error {
	if topic == AllTopics || !validName(topic) {
		return fmt.Errorf("%w: %q (need 1-%d bytes of UTF-8 without control characters, not %q)", ErrInvalidTopic, topic, MaxNameLen, AllTopics)
	}
	return nil
}
