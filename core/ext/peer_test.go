package ext_test

import (
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/ssekit/ssekit/core/ext"
)

// PeerGone sees a client that closed its end, and nothing else: an open
// idle client, or one that sent bytes, is still there.
func TestPeerGoneSeesAClosedClientOnly(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" && runtime.GOOS != "freebsd" {
		t.Skip("PeerGone peeks only on Unix sockets; elsewhere it always reports false (loud skip: platform " + runtime.GOOS + ")")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if ext.PeerGone(server) {
		t.Fatal("an open, idle client reported gone")
	}
	if _, err := client.Write([]byte("GET / HTTP/1.1\r\n")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for ext.PeerGone(server) {
		if time.Now().After(deadline) {
			t.Fatal("a client with pending bytes reported gone")
		}
	}
	client.Close()
	// The pending bytes are still unread: the FIN comes after them, so the
	// peek sees data, not the close, until they are consumed.
	buf := make([]byte, 64)
	if _, err := server.Read(buf); err != nil {
		t.Fatal(err)
	}
	for !ext.PeerGone(server) {
		if time.Now().After(deadline) {
			t.Fatal("a closed client was never reported gone")
		}
		<-time.After(time.Millisecond) // the FIN is on its way: poll with a deadline
	}
}
