package ctl_test

import (
	"testing"

	"github.com/ssekit/ssekit/bench/internal/ctl"
	"github.com/ssekit/ssekit/ssetest"
)

func TestMain(m *testing.M) { ssetest.LeakCheck(m) }

func TestPayloadRoundTripsInsideAnEnvelope(t *testing.T) {
	p := ctl.AppendPayload(nil, 7, 123456, 1795000000123456789)
	if len(p) != ctl.PayloadSize {
		t.Fatalf("payload is %d bytes: %s", len(p), p)
	}
	env := append([]byte(`{"id":"9","data":`), p...)
	env = append(env, `,"meta":{}}`...)
	e, s, ts, ok := ctl.ParsePayload(env)
	if !ok || e != 7 || s != 123456 || ts != 1795000000123456789 {
		t.Fatalf("got %d %d %d %v", e, s, ts, ok)
	}
	if _, _, _, ok := ctl.ParsePayload([]byte(`{"_e":x}`)); ok {
		t.Fatal("garbage parsed")
	}
	if _, _, _, ok := ctl.ParsePayload([]byte(`{"_e":1,"_s`)); ok {
		t.Fatal("truncated payload parsed")
	}
}
