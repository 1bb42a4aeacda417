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

// ResetEvent is the name of the event that tells a client to refetch its
// state: a resuming client gets it when its Last-Event-ID is unknown to the
// replay log (trimmed, or from before a restart), and every open stream
// gets it when the broker lost events (BrokerHandler.Reset). Its data is
// {"reason": …, "last_event_id": …}; its id is the log position that what
// follows it on the stream comes after (for an id from an older epoch, the
// current epoch's start, so every event of the epoch follows), and the
// client resumes from there.
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
