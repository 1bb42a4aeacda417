// Package conformance holds no code: its tests are the black-box suite that
// every way of serving ssekit (core.Mount on net/http, echosse, ginsse,
// fibersse) must pass, against a real server on loopback. Adding a
// framework is one more entry in the mounts table of mounts_test.go.
package conformance
