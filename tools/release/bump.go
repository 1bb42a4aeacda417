package main

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// Change is one go.mod rewritten by Bump.
type Change struct {
	Module *Module
	// New is the rewritten go.mod.
	New []byte
	// Lines say what changed, one requirement or replacement each.
	Lines []string
}

// Bump rewrites, in memory, every workspace module's requirements on
// sibling modules to version v, and adds the replace directive to the
// sibling's directory where one is missing, so that each module still
// builds alone (GOWORK=off); consumers ignore replace directives. Modules
// of commands (Installable) get none, and lose those they have: go install
// refuses them. It
// returns the go.mod files that change (Write saves them) and a report of
// every requirement on a sibling after the bump, one a line.
func (w *Workspace) Bump(v string) ([]Change, []string, error) {
	if !semver.IsValid(v) || semver.Canonical(v) != v {
		return nil, nil, fmt.Errorf("release: %q is not a canonical semantic version such as v0.1.0", v)
	}
	var changes []Change
	var report []string
	for _, m := range w.Modules {
		f, err := modfile.Parse(m.Dir+"/go.mod", m.Data, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("release: %w", err)
		}
		var lines []string
		for _, r := range f.Require {
			dep := w.ByPath(r.Mod.Path)
			if dep == nil {
				continue
			}
			if r.Mod.Version == v {
				report = append(report, fmt.Sprintf("%s/go.mod: require %s %s (unchanged)", m.Dir, r.Mod.Path, v))
				continue
			}
			lines = append(lines, fmt.Sprintf("%s/go.mod: require %s %s (was %s)", m.Dir, r.Mod.Path, v, r.Mod.Version))
			if err := f.AddRequire(r.Mod.Path, v); err != nil {
				return nil, nil, fmt.Errorf("release: %s: %w", m.Dir, err)
			}
		}
		for _, r := range f.Require {
			dep := w.ByPath(r.Mod.Path)
			if dep == nil {
				continue
			}
			if m.Installable() {
				if hasReplace(f, r.Mod.Path) {
					lines = append(lines, fmt.Sprintf("%s/go.mod: replace %s dropped (go install refuses a module with replace directives)", m.Dir, r.Mod.Path))
					if err := f.DropReplace(r.Mod.Path, ""); err != nil {
						return nil, nil, fmt.Errorf("release: %s: %w", m.Dir, err)
					}
				}
				continue
			}
			if hasReplace(f, r.Mod.Path) {
				continue
			}
			rel, err := filepath.Rel(filepath.FromSlash(m.Dir), filepath.FromSlash(dep.Dir))
			if err != nil {
				return nil, nil, err
			}
			rel = filepath.ToSlash(rel)
			if !path.IsAbs(rel) && rel[0] != '.' {
				rel = "./" + rel
			}
			lines = append(lines, fmt.Sprintf("%s/go.mod: replace %s => %s (added: builds alone with GOWORK=off)", m.Dir, r.Mod.Path, rel))
			if err := f.AddReplace(r.Mod.Path, "", rel, ""); err != nil {
				return nil, nil, fmt.Errorf("release: %s: %w", m.Dir, err)
			}
		}
		report = append(report, lines...)
		if len(lines) == 0 {
			continue
		}
		f.Cleanup()
		out, err := f.Format()
		if err != nil {
			return nil, nil, fmt.Errorf("release: %s: %w", m.Dir, err)
		}
		if !bytes.Equal(out, m.Data) {
			changes = append(changes, Change{Module: m, New: out, Lines: lines})
		}
	}
	return changes, report, nil
}

func hasReplace(f *modfile.File, p string) bool {
	for _, r := range f.Replace {
		if r.Old.Path == p {
			return true
		}
	}
	return false
}

// Write saves the changed go.mod files.
func (w *Workspace) Write(changes []Change) error {
	for _, c := range changes {
		name := filepath.Join(w.Root, filepath.FromSlash(c.Module.Dir), "go.mod")
		if err := os.WriteFile(name, c.New, 0o644); err != nil {
			return fmt.Errorf("release: %w", err)
		}
		c.Module.Data = c.New
	}
	return nil
}
