package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `usage:
  ssekit tail URL [--topic t]... [--last-event-id id] [--json] [--raw] [--token tok]
  ssekit publish URL --event e [--data json] [--topic t] [--filter k=v]... [--meta k=v]... [--token tok]

URL is the mount, such as http://127.0.0.1:8080/events.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks a usage error (exit status 2).
var errUsage = errors.New("usage")

// run runs one command and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "tail":
		err = tail(ctx, args[1:], stdout, stderr)
	case "publish":
		err = publish(ctx, args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "ssekit: %v\n%s", err, usage)
		return 2
	}
	fmt.Fprintf(stderr, "ssekit %s: %v\n", args[0], err)
	return 1
}

// parse parses flags and the one URL argument, in any order.
func parse(fs *flag.FlagSet, args []string) (string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", fmt.Errorf("%w: %v", errUsage, err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 1 {
		return "", fmt.Errorf("%w: %s takes one URL, got %d arguments", errUsage, fs.Name(), len(pos))
	}
	return pos[0], nil
}

// list is a repeatable flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// pairs turns k=v flags into a map.
func pairs(name string, l list) (map[string]string, error) {
	if len(l) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(l))
	for _, kv := range l {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%w: --%s %q is not key=value", errUsage, name, kv)
		}
		m[k] = v
	}
	return m, nil
}
