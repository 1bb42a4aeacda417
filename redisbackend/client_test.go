package redisbackend_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
	"github.com/ssekit/ssekit/redisbackend"
)

func TestClientOptionsParsesURLs(t *testing.T) {
	for _, tc := range []struct {
		url                    string
		addr, user, pass       string
		db                     int
		tls                    bool
		retries                int
		wantErr, mustNotLeak   bool
		serverName, leakSecret string
	}{
		{url: "redis://localhost:6379/0", addr: "localhost:6379", retries: -1},
		{url: "redis://alice:s3cret@cache.internal:6380/3", addr: "cache.internal:6380", user: "alice", pass: "s3cret", db: 3, retries: -1},
		{url: "redis://:onlypass@10.0.0.5/2", addr: "10.0.0.5:6379", pass: "onlypass", db: 2, retries: -1},
		{url: "rediss://bob:pw@redis.example.com:6380/1", addr: "redis.example.com:6380", user: "bob", pass: "pw", db: 1, tls: true, serverName: "redis.example.com", retries: -1},
		{url: "redis://localhost/0?max_retries=2", addr: "localhost:6379", retries: 2},
		{url: "http://localhost:6379", wantErr: true},
		{url: "redis://u:hunter2@localhost:6379/notadb", wantErr: true, leakSecret: "hunter2"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			o, err := redisbackend.ClientOptions(tc.url)
			if tc.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				if tc.leakSecret != "" && strings.Contains(err.Error(), tc.leakSecret) {
					t.Fatalf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Addr != tc.addr || o.Username != tc.user || o.Password != tc.pass || o.DB != tc.db {
				t.Fatalf("got addr %q user %q pass %q db %d", o.Addr, o.Username, o.Password, o.DB)
			}
			if (o.TLSConfig != nil) != tc.tls || (tc.tls && o.TLSConfig.ServerName != tc.serverName) {
				t.Fatalf("TLS config %+v, want TLS %v for %q", o.TLSConfig, tc.tls, tc.serverName)
			}
			if o.MaxRetries != tc.retries || !o.ContextTimeoutEnabled {
				t.Fatalf("max retries %d (want %d), context timeouts %v", o.MaxRetries, tc.retries, o.ContextTimeoutEnabled)
			}
		})
	}
}

// roundTrip publishes through b and waits for b's own subscriber to get it.
func roundTrip(t *testing.T, b *redisbackend.Broker) {
	t.Helper()
	got := make(chan string, 1)
	unsub, err := b.Subscribe(ext.HandlerFunc(func(m *core.Message) {
		select {
		case got <- m.ID():
		default:
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer unsub()
	id, err := b.Publish(context.Background(), &core.Message{Topic: "t", Event: "e", Data: []byte(`1`), OccurredAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case g := <-got:
		if g != id {
			t.Fatalf("received %s, published %s", g, id)
		}
	case <-time.After(wait):
		t.Fatal("published event not received")
	}
}

func TestPasswordAndACLUserURLsAgainstARealServer(t *testing.T) {
	srv := startRedis(t, "--requirepass", "s3cret", "--user", "alice", "on", ">wonderland", "~*", "&*", "+@all")
	ctx := context.Background()
	addr := srv.addr()
	for _, url := range []string{"redis://:s3cret@" + addr + "/0", "redis://alice:wonderland@" + addr + "/1"} {
		b, err := redisbackend.New(ctx, url, redisbackend.WithPrefix(newPrefix()))
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		roundTrip(t, b)
		b.Close()
	}
	for _, url := range []string{"redis://" + addr + "/0", "redis://alice:wrong@" + addr + "/0"} {
		if b, err := redisbackend.New(ctx, url); err == nil {
			b.Close()
			t.Fatalf("%s: connected without the right password", url)
		}
	}
}

func TestTLSURLAgainstARealServer(t *testing.T) {
	dir := t.TempDir()
	pool := writeCert(t, dir)
	s := &redisServer{port: freePort(t), dir: dir, tls: &tls.Config{RootCAs: pool},
		args: []string{"--tls-cert-file", filepath.Join(dir, "cert.pem"), "--tls-key-file", filepath.Join(dir, "key.pem"),
			"--tls-ca-cert-file", filepath.Join(dir, "cert.pem"), "--tls-auth-clients", "no"}}
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	ctx := context.Background()
	port := strconv.Itoa(s.port)

	// rediss:// verifies the server's certificate: ours is self-signed,
	// so the URL form needs skip_verify, and an existing client can bring
	// its own roots.
	b, err := redisbackend.New(ctx, "rediss://127.0.0.1:"+port+"/0?skip_verify=true", redisbackend.WithPrefix(newPrefix()))
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, b)
	b.Close()

	o, err := redisbackend.ClientOptions("rediss://127.0.0.1:" + port + "/0")
	if err != nil {
		t.Fatal(err)
	}
	o.TLSConfig.RootCAs = pool
	c := redis.NewClient(o)
	defer c.Close()
	b, err = redisbackend.NewFromClient(ctx, c, redisbackend.WithPrefix(newPrefix()))
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, b)
	b.Close()

	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if b, err := redisbackend.New(short, "rediss://127.0.0.1:"+port+"/0"); err == nil {
		b.Close()
		t.Fatal("an unverified certificate was accepted")
	}
	if b, err := redisbackend.New(short, "redis://127.0.0.1:"+port+"/0"); err == nil {
		b.Close()
		t.Fatal("plain TCP to a TLS port connected")
	}
}

// writeCert writes a self-signed certificate for 127.0.0.1 to dir and
// returns a pool that trusts it.
func writeCert(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ssekit test redis"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return pool
}
