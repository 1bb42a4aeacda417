package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// CheckAlone checks that every module of the workspace, published or not,
// resolves all its packages and their tests on its own, outside the
// workspace (GOWORK=off, -mod=readonly): its go.mod requires every module
// it imports, siblings included (with a replace to their directory), and
// its go.sum is complete. The workspace hides such a gap, and a published
// module with one fails its users' `go test all`.
func (w *Workspace) CheckAlone() error {
	var errs []error
	for _, m := range w.Modules {
		if m.Installable() {
			continue // no replace directives: it resolves alone once its siblings are published; the consumer installs it
		}
		cmd := exec.Command("go", "list", "-test", "-deps", "./...")
		cmd.Dir = filepath.Join(w.Root, filepath.FromSlash(m.Dir))
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly", "GOTOOLCHAIN=local")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			msg := strings.ReplaceAll(strings.TrimSpace(stderr.String()), "\n", "\n\t")
			errs = append(errs, fmt.Errorf("%s does not build alone (cd %s && GOWORK=off go mod tidy):\n\t%s", m.Dir, m.Dir, msg))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	return nil
}
