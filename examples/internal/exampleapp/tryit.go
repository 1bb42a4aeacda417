package exampleapp

import (
	"fmt"
	"net"
	"strings"
)

// TryIt is what an example prints once it listens on addr: the dashboard's
// address and curl lines, ready to paste into another terminal, with the
// real address and broadcast token (the README shows them with the
// defaults).
func TryIt(addr net.Addr, token string) string {
	base := "http://" + dialable(addr)
	var b strings.Builder
	fmt.Fprintf(&b, "dashboard: %s/\n", base)
	fmt.Fprintf(&b, "try it from another terminal:\n")
	fmt.Fprintf(&b, "  curl -N '%s/events?topic=demo'\n", base)
	fmt.Fprintf(&b, "  curl -X POST -H %s -d '{\"event\":\"hello\",\"data\":{\"x\":1},\"topic\":\"demo\"}' %s/events/broadcast\n", shellQuote("Authorization: Bearer "+token), base)
	fmt.Fprintf(&b, "  curl %s/events/stats\n", base)
	fmt.Fprintf(&b, "Ctrl-C stops the server.\n")
	return b.String()
}

// dialable is addr with an unspecified host (":8080", "[::]:8080")
// replaced by 127.0.0.1, which a client can connect to.
func dialable(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
