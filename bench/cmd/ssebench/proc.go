package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/ssekit/ssekit/bench/internal/ctl"
)

// proc is one server under test, running in its own process pinned to the
// server core.
type proc struct {
	cmd   *exec.Cmd
	pid   int
	hello ctl.Hello
	log   *os.File
	once  sync.Once
}

var (
	liveMu sync.Mutex
	live   = map[*proc]struct{}{}
)

// killAll stops every server process still running (on exit or signal).
func killAll() {
	liveMu.Lock()
	ps := make([]*proc, 0, len(live))
	for p := range live {
		ps = append(ps, p)
	}
	liveMu.Unlock()
	for _, p := range ps {
		p.kill()
	}
}

func startServer(bin, name, logDir, serverCPU string, extra ...string) (*proc, error) {
	args := append([]string{"-server", name}, extra...)
	var cmd *exec.Cmd
	if tp, err := exec.LookPath("taskset"); err == nil && serverCPU != "" {
		cmd = exec.Command(tp, append([]string{"-c", serverCPU, bin}, args...)...)
	} else {
		cmd = exec.Command(bin, args...)
	}
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	os.MkdirAll(logDir, 0o755)
	lf, err := os.Create(filepath.Join(logDir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd.Stderr = lf
	out, err := cmd.StdoutPipe()
	if err != nil {
		lf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	p := &proc{cmd: cmd, pid: cmd.Process.Pid, log: lf}
	liveMu.Lock()
	live[p] = struct{}{}
	liveMu.Unlock()
	hello := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if !sc.Scan() {
			hello <- fmt.Errorf("server %s exited before saying hello (see %s)", name, lf.Name())
			return
		}
		hello <- json.Unmarshal(sc.Bytes(), &p.hello)
		for sc.Scan() { // keep the pipe drained
		}
	}()
	select {
	case err = <-hello:
	case <-time.After(15 * time.Second):
		err = fmt.Errorf("server %s: no hello within 15s", name)
	}
	if err != nil {
		p.kill()
		return nil, err
	}
	return p, nil
}

// startRedis starts a private redis-server (no persistence) on a free
// loopback port, pinned like the servers, and waits until it answers.
func startRedis(logDir, serverCPU string) (*proc, string, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, "", fmt.Errorf("redis-server not installed (scripts/ensure-redis.sh installs it)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	args := []string{"--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no", "--daemonize", "no"}
	var cmd *exec.Cmd
	if tp, err := exec.LookPath("taskset"); err == nil && serverCPU != "" {
		cmd = exec.Command(tp, append([]string{"-c", serverCPU, bin}, args...)...)
	} else {
		cmd = exec.Command(bin, args...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	os.MkdirAll(logDir, 0o755)
	lf, err := os.Create(filepath.Join(logDir, "redis.log"))
	if err != nil {
		return nil, "", err
	}
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, "", err
	}
	p := &proc{cmd: cmd, pid: cmd.Process.Pid, log: lf}
	liveMu.Lock()
	live[p] = struct{}{}
	liveMu.Unlock()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			continue
		}
		c.SetDeadline(time.Now().Add(time.Second))
		c.Write([]byte("PING\r\n"))
		buf := make([]byte, 7)
		n, _ := c.Read(buf)
		c.Close()
		if string(buf[:n]) == "+PONG\r\n" {
			return p, "redis://" + addr + "/0", nil
		}
	}
	p.kill()
	return nil, "", fmt.Errorf("redis-server on %s did not answer within 10s", addr)
}

// kill ends the server's whole process group and reaps it.
func (p *proc) kill() {
	p.once.Do(func() {
		syscall.Kill(-p.pid, syscall.SIGKILL)
		p.cmd.Wait()
		p.log.Close()
		liveMu.Lock()
		delete(live, p)
		liveMu.Unlock()
	})
}
