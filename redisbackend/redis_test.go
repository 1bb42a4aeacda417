package redisbackend_test

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a redis-server process a test started and owns.
type redisServer struct {
	port int
	dir  string
	args []string
	tls  *tls.Config // set when the server speaks only TLS
	cmd  *exec.Cmd
	done chan struct{}
}

func (s *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }
func (s *redisServer) url() string  { return "redis://" + s.addr() + "/0" }

var (
	sharedOnce sync.Once
	shared     *redisServer // started only when nothing answers on 6379
	sharedURL  string
	sharedErr  error
)

// redisURL returns the URL of a Redis for tests that share one: the one
// scripts/ensure-redis.sh runs on 127.0.0.1:6379, or, when nothing answers
// there, a private server for the whole package. Tests that share it use a
// unique prefix (newPrefix) and never assume it is empty.
func redisURL(t testing.TB) string {
	t.Helper()
	sharedOnce.Do(func() {
		if ping("127.0.0.1:6379", "") == nil {
			sharedURL = "redis://127.0.0.1:6379/0"
			return
		}
		s, err := launch(freePort(t), t.TempDir(), nil)
		if err != nil {
			sharedErr = err
			return
		}
		shared, sharedURL = s, s.url()
	})
	if sharedErr != nil {
		t.Fatalf("no Redis on 127.0.0.1:6379 and cannot start one (run scripts/ensure-redis.sh): %v", sharedErr)
	}
	return sharedURL
}

// newPrefix returns a key prefix no other test or run uses.
func newPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "test-" + hex.EncodeToString(b[:])
}

// startRedis starts a private redis-server on a free loopback port with
// extra arguments; the test's cleanup kills it, also when the test fails.
func startRedis(t *testing.T, extra ...string) *redisServer {
	t.Helper()
	s, err := launch(freePort(t), t.TempDir(), extra)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	return s
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func launch(port int, dir string, extra []string) (*redisServer, error) {
	s := &redisServer{port: port, dir: dir, args: extra}
	return s, s.start()
}

func (s *redisServer) start() error {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return fmt.Errorf("redis-server not installed (run scripts/ensure-redis.sh): %w", err)
	}
	port := []string{"--port", strconv.Itoa(s.port)}
	if s.tls != nil {
		port = []string{"--port", "0", "--tls-port", strconv.Itoa(s.port)}
	}
	args := append(port, []string{"--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", s.dir, "--logfile", filepath.Join(s.dir, "redis.log")}...)
	args = append(args, s.args...)
	s.cmd = exec.Command(bin, args...)
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.done = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) { _ = c.Wait(); close(done) }(s.cmd, s.done)
	if err := waitFor(10*time.Second, func() error {
		select {
		case <-s.done:
			return errExited
		default:
		}
		err := pingTLS(s.addr(), s.password(), s.tls)
		if err != nil && strings.Contains(err.Error(), "NOAUTH") {
			return nil // up, and wants a password
		}
		return err
	}); err != nil {
		s.kill()
		log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
		return fmt.Errorf("redis-server %v did not answer: %v\n%s", args, err, log)
	}
	return nil
}

var errExited = errors.New("redis-server exited")

func (s *redisServer) password() string {
	for i, a := range s.args {
		if a == "--requirepass" && i+1 < len(s.args) {
			return s.args[i+1]
		}
	}
	return ""
}

// kill ends the server at once (SIGKILL) and waits for it to be gone.
func (s *redisServer) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

// restart kills the server and starts it again on the same port and
// directory (so with AOF on, the data survives).
func (s *redisServer) restart(t *testing.T) {
	t.Helper()
	s.kill()
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
}

func (s *redisServer) stop() { s.kill() }

func ping(addr, password string) error { return pingTLS(addr, password, nil) }

func pingTLS(addr, password string, tc *tls.Config) error {
	c := redis.NewClient(&redis.Options{Addr: addr, Password: password, MaxRetries: -1, DialTimeout: time.Second, TLSConfig: tc})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
}

// waitFor polls cond until it returns nil or the deadline passes.
func waitFor(d time.Duration, cond func() error) error {
	deadline := time.Now().Add(d)
	for {
		err := cond()
		if err == nil || errors.Is(err, errExited) {
			return err
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond) // polling Redis state with a deadline
	}
}
