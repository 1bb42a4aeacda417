package main

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// Unpublished lists the workspace modules (directories relative to the
// repository root) that are never tagged nor offered to users: they exist
// to test, measure or demonstrate the published ones. Every other module
// of go.work is published, tagged and checked by the release check. (This
// program's own module, tools/release, stays out of go.work so that its
// dependencies never change the versions the workspace builds with.)
var Unpublished = []string{
	"bench",       // load benchmarks against peer libraries
	"conformance", // the black-box suite run against every mount
	"examples",    // runnable example apps
}

// Module is one module of the workspace.
type Module struct {
	// Dir is the module's directory relative to the repository root,
	// slash-separated ("core", "cmd/ssekit").
	Dir string
	// Path is the module path.
	Path string
	// Published is false for the modules of Unpublished.
	Published bool
	// File is the parsed go.mod; Data its bytes.
	File *modfile.File
	Data []byte
}

// Installable reports whether the module holds commands (it lives under
// cmd/): users install them with `go install path@version`, which refuses
// a module whose go.mod has replace directives, so such a module requires
// its siblings without any. It builds in the workspace, and alone only
// once its siblings are published.
func (m *Module) Installable() bool { return m.Dir == "cmd" || strings.HasPrefix(m.Dir, "cmd/") }

// Tag is the module's release tag for version v. Nested modules are tagged
// with their directory as prefix ("core/v0.1.0"), as the go command expects.
func (m *Module) Tag(v string) string { return m.Dir + "/" + v }

// Workspace is the repository's go.work and its modules.
type Workspace struct {
	// Root is the repository root, the directory of go.work.
	Root    string
	Modules []*Module
}

// FindRoot returns the nearest directory at or above dir that holds go.work.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("release: no go.work at or above %s", dir)
		}
	}
}

// LoadWorkspace reads root/go.work and the go.mod of every module it uses;
// the modules of Unpublished are not published.
func LoadWorkspace(root string) (*Workspace, error) { return loadWorkspace(root, Unpublished) }

func loadWorkspace(root string, unpublished []string) (*Workspace, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.work"))
	if err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	wf, err := modfile.ParseWork("go.work", data, nil)
	if err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	w := &Workspace{Root: root}
	for _, u := range wf.Use {
		dir := path.Clean(filepath.ToSlash(u.Path))
		if path.IsAbs(dir) || dir == ".." || strings.HasPrefix(dir, "../") {
			return nil, fmt.Errorf("release: go.work uses %s, outside the repository", u.Path)
		}
		m, err := loadModule(root, dir, unpublished)
		if err != nil {
			return nil, err
		}
		w.Modules = append(w.Modules, m)
	}
	for _, dir := range unpublished {
		if w.ByDir(dir) == nil {
			return nil, fmt.Errorf("release: Unpublished names %s, which go.work does not use (update the list in tools/release/workspace.go)", dir)
		}
	}
	return w, nil
}

func loadModule(root, dir string, unpublished []string) (*Module, error) {
	name := filepath.Join(root, filepath.FromSlash(dir), "go.mod")
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	f, err := modfile.Parse(name, data, nil)
	if err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	if f.Module == nil {
		return nil, fmt.Errorf("release: %s has no module line", name)
	}
	return &Module{Dir: dir, Path: f.Module.Mod.Path, Published: !slices.Contains(unpublished, dir), File: f, Data: data}, nil
}

// ByDir returns the module in directory dir, or nil.
func (w *Workspace) ByDir(dir string) *Module {
	for _, m := range w.Modules {
		if m.Dir == dir {
			return m
		}
	}
	return nil
}

// ByPath returns the module with module path p, or nil.
func (w *Workspace) ByPath(p string) *Module {
	for _, m := range w.Modules {
		if m.Path == p {
			return m
		}
	}
	return nil
}

// Published returns the published modules in go.work order.
func (w *Workspace) Published() []*Module {
	var out []*Module
	for _, m := range w.Modules {
		if m.Published {
			out = append(out, m)
		}
	}
	return out
}

// Version returns the one version at which the published modules require
// each other (the set moves in lockstep). It is an error when they use
// several versions, an untagged v0.0.0 or a pseudo-version, or when a
// published module requires an unpublished one.
func (w *Workspace) Version() (string, error) {
	var errs []error
	seen := map[string][]string{}
	for _, m := range w.Published() {
		if m.Installable() && len(m.File.Replace) > 0 {
			errs = append(errs, fmt.Errorf("%s/go.mod has replace directives: `go install %s@version` would refuse it (release bump removes them)", m.Dir, m.Path))
		}
		for _, r := range m.File.Require {
			dep := w.ByPath(r.Mod.Path)
			if dep == nil {
				continue
			}
			where := fmt.Sprintf("%s/go.mod requires %s %s", m.Dir, r.Mod.Path, r.Mod.Version)
			switch {
			case !dep.Published:
				errs = append(errs, fmt.Errorf("%s, which is not published", where))
			case !semver.IsValid(r.Mod.Version) || semver.Canonical(r.Mod.Version) != r.Mod.Version:
				errs = append(errs, fmt.Errorf("%s: not a canonical semantic version", where))
			case r.Mod.Version == "v0.0.0" || module.IsPseudoVersion(r.Mod.Version):
				errs = append(errs, fmt.Errorf("%s: an untagged version (run scripts/release.sh)", where))
			default:
				seen[r.Mod.Version] = append(seen[r.Mod.Version], where)
			}
		}
	}
	if len(seen) > 1 {
		var lines []string
		for _, ws := range seen {
			lines = append(lines, ws...)
		}
		slices.Sort(lines)
		errs = append(errs, fmt.Errorf("the published modules must require each other at one version (lockstep, docs/RELEASING.md), found:\n\t%s", strings.Join(lines, "\n\t")))
	}
	if len(seen) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("no published module requires another: cannot tell the release version (pass -version)"))
	}
	if err := errors.Join(errs...); err != nil {
		return "", fmt.Errorf("release: %w", err)
	}
	for v := range seen {
		return v, nil
	}
	return "", nil
}
