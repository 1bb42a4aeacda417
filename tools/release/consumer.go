package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
)

// Consumer is a fresh module outside the workspace that uses the published
// modules only through a module proxy, as a user's app does.
type Consumer struct {
	Dir string
	// Env is the go command's environment: no workspace, the local proxy
	// first, a private module cache.
	Env []string
	// Log receives each command and its output.
	Log *os.File
}

// NewConsumer prepares a consumer module in dir/consumer that resolves
// modules through the proxy at proxyDir, then through the local module
// cache's download directory (itself a GOPROXY tree, so third-party
// modules resolve offline), then through fallback. It has its own module
// cache (the shared one must never hold our unreleased zips) and seeds
// go.sum with the published modules' own go.sum lines for third-party
// modules, so that they need no checksum database lookup; our modules are
// kept out of the checksum database by GONOSUMDB.
func (w *Workspace) NewConsumer(dir, proxyDir, fallback string, log *os.File) (*Consumer, error) {
	gomodcache, err := goEnv("GOMODCACHE")
	if err != nil {
		return nil, err
	}
	proxy := "file://" + filepath.ToSlash(proxyDir) + ",file://" + filepath.ToSlash(filepath.Join(gomodcache, "cache", "download"))
	if fallback != "" && fallback != "off" {
		proxy += "," + fallback
	}
	c := &Consumer{Dir: filepath.Join(dir, "consumer"), Log: log}
	modcache := filepath.Join(dir, "modcache")
	if err := overlayModCache(modcache, gomodcache); err != nil {
		return nil, err
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GOWORK", "GOFLAGS", "GOPROXY", "GONOSUMDB", "GOPRIVATE", "GONOPROXY", "GOMODCACHE", "GOTOOLCHAIN", "GOSUMDB", "GOINSECURE":
			continue
		}
		env = append(env, kv)
	}
	c.Env = append(env,
		"GOWORK=off",
		"GOFLAGS=-mod=mod -modcacherw -trimpath",
		"GOPROXY="+proxy,
		"GONOSUMDB=github.com/ssekit/ssekit",
		"GOMODCACHE="+modcache,
		"GOTOOLCHAIN=local",
		"GOBIN="+filepath.Join(dir, "bin"),
	)
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, err
	}
	gomod := "module example.com/consumer\n\ngo 1.25\n"
	if err := os.WriteFile(filepath.Join(c.Dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		return nil, err
	}
	var sums []string
	for _, m := range w.Published() {
		data, err := os.ReadFile(filepath.Join(w.Root, filepath.FromSlash(m.Dir), "go.sum"))
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if l := sc.Text(); l != "" && !strings.HasPrefix(l, "github.com/ssekit/ssekit") && !slices.Contains(sums, l) {
				sums = append(sums, l)
			}
		}
	}
	slices.Sort(sums)
	if err := os.WriteFile(filepath.Join(c.Dir, "go.sum"), []byte(strings.Join(sums, "\n")+"\n"), 0o644); err != nil {
		return nil, err
	}
	return c, nil
}

// ourModules is where our modules live in a module cache, relative to
// its root: the consumer's module cache holds them itself.
var ourModules = [][]string{{"github.com", "ssekit"}, {"cache", "download", "github.com", "ssekit"}}

// overlayModCache makes dir a module cache that shares every entry of the
// shared module cache (by symbolic links, so third-party modules are
// neither copied nor extracted again) except our own modules, which it
// keeps to itself: the shared cache never holds a zip of an unreleased
// version, and two checks of different trees never see each other's.
func overlayModCache(dir, shared string) error {
	var link func(dir, shared string, depth int) error
	link = func(dir, shared string, depth int) error {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		entries, err := os.ReadDir(shared)
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		for _, e := range entries {
			descend, skip := false, false
			for _, p := range ourModules {
				if depth < len(p) && e.Name() == p[depth] {
					if depth == len(p)-1 {
						skip = true
					} else {
						descend = true
					}
				}
			}
			switch {
			case skip || depth == 1 && e.Name() == "lock":
			case descend && e.IsDir():
				if err := link(filepath.Join(dir, e.Name()), filepath.Join(shared, e.Name()), depth+1); err != nil {
					return err
				}
			default:
				if err := os.Symlink(filepath.Join(shared, e.Name()), filepath.Join(dir, e.Name())); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return link(dir, shared, 0)
}

// Go runs the go command in the consumer module (or its subdirectory sub).
func (c *Consumer) Go(sub string, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Join(c.Dir, sub)
	cmd.Env = c.Env
	out, err := cmd.CombinedOutput()
	fmt.Fprintf(c.Log, "$ (cd consumer/%s && go %s)\n%s", sub, strings.Join(args, " "), out)
	if err != nil {
		return fmt.Errorf("release: consumer: go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// Check runs the consumer's side of the release check for version v:
// the README's own `go get` and `go install` lines, go install of every
// command module at v, then go get of every published module
// at v; the README's programs (verbatim, one package each) and the Example
// files its fragments are quoted from (verbatim, one package each); then
// go mod tidy, go build and go vet of everything, and go build of every
// package of every published module. Afterwards go.mod must have no
// replace directive and require our modules at v only.
func (w *Workspace) Check(c *Consumer, v, readme string) error {
	for _, p := range GoGets(readme) {
		if w.ByPath(p) == nil || !w.ByPath(p).Published {
			return fmt.Errorf("release: README says `go get %s`, which is not a published module", p)
		}
		if err := c.Go("", "get", p); err != nil {
			return err
		}
	}
	for _, p := range GoInstalls(readme) {
		if err := c.Go("", "install", p); err != nil {
			return err
		}
	}
	for _, m := range w.Published() {
		if m.Installable() {
			if err := c.Go("", "install", m.Path+"/...@"+v); err != nil {
				return err
			}
		}
	}
	args := []string{"get"}
	for _, m := range w.Published() {
		args = append(args, m.Path+"@"+v)
	}
	if err := c.Go("", args...); err != nil {
		return err
	}
	snippets := Snippets(readme)
	quotes, err := w.Quotes(snippets)
	if err != nil {
		return err
	}
	n := 0
	for _, s := range snippets {
		if !s.Program() {
			continue
		}
		n++
		if err := writeFile(filepath.Join(c.Dir, fmt.Sprintf("readme/program%d_line%d", n, s.Line), "main.go"), []byte(s.Code)); err != nil {
			return err
		}
	}
	for _, q := range quotes {
		src, err := os.ReadFile(filepath.Join(w.Root, filepath.FromSlash(q.Module.Dir), q.File))
		if err != nil {
			return err
		}
		dir := filepath.Join(c.Dir, "readme", strings.ReplaceAll(q.Module.Dir, "/", "_")+"_"+strings.TrimSuffix(q.File, ".go"))
		if err := writeFile(filepath.Join(dir, q.File), src); err != nil {
			return err
		}
	}
	if err := c.Go("", "mod", "tidy"); err != nil {
		return err
	}
	if err := c.Go("", "build", "./..."); err != nil {
		return err
	}
	if err := c.Go("", "vet", "./..."); err != nil {
		return err
	}
	build := []string{"build"}
	for _, m := range w.Published() {
		build = append(build, m.Path+"/...")
	}
	if err := c.Go("", build...); err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(c.Dir, "go.mod"))
	if err != nil {
		return err
	}
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return err
	}
	if len(f.Replace) > 0 {
		return fmt.Errorf("release: the consumer's go.mod gained a replace directive:\n%s", data)
	}
	for _, r := range f.Require {
		if strings.HasPrefix(r.Mod.Path, "github.com/ssekit/ssekit/") && r.Mod.Version != v {
			return fmt.Errorf("release: the consumer resolved %s %s, want %s", r.Mod.Path, r.Mod.Version, v)
		}
	}
	cmd := exec.Command("go", "list", "-m", "all")
	cmd.Dir, cmd.Env = c.Dir, c.Env
	all, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("release: consumer: go list -m all: %w", err)
	}
	for _, l := range strings.Split(string(all), "\n") {
		p, ver, _ := strings.Cut(l, " ")
		if strings.HasPrefix(p, "github.com/ssekit/ssekit/") && ver != v {
			return fmt.Errorf("release: the consumer's module graph holds %s %s, want %s", p, ver, v)
		}
	}
	fmt.Fprintf(c.Log, "consumer go.mod after tidy:\n%s", data)
	return nil
}

func writeFile(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, data, 0o644)
}

func goEnv(key string) (string, error) {
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		return "", fmt.Errorf("release: go env %s: %w", key, err)
	}
	return strings.TrimSpace(string(out)), nil
}
