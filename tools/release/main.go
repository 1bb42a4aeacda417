// Command release prepares and checks ssekit's releases. It is not
// published. The modules of go.work (less the Unpublished list) are
// released in lockstep at one version, each tagged "<dir>/vX.Y.Z"
// (docs/RELEASING.md).
//
//	release check [-rev REV] [-version vX.Y.Z] [-keep]
//	    the release check (make test-release): builds a file-based module
//	    proxy holding every published module at the version the modules
//	    require each other at, from the working tree (or git revision
//	    REV), then makes a fresh module outside the workspace go get them
//	    through it and build, vet and tidy the README's snippets with no
//	    replace directive.
//	release bump [-dry-run] vX.Y.Z
//	    rewrites every go.mod's requirements on sibling modules to vX.Y.Z.
//	release tags vX.Y.Z
//	    prints the tags of a release, one a line.
//
// Every command takes -C DIR (default "."): a directory inside the
// repository.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: release check|bump|tags [flags] (go doc ./tools/release)")
	}
	fs := flag.NewFlagSet("release "+args[0], flag.ContinueOnError)
	dir := fs.String("C", ".", "a directory inside the repository")
	switch args[0] {
	case "check":
		rev := fs.String("rev", "", "build the modules from this git revision instead of the working tree")
		version := fs.String("version", "", "the version to check (default: the one the modules require each other at)")
		keep := fs.Bool("keep", false, "keep the temporary proxy and consumer and print where")
		fallback := fs.String("fallback", "https://proxy.golang.org", "the proxy tried after the local ones for third-party modules (off: none)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		w, err := load(*dir)
		if err != nil {
			return err
		}
		return check(w, *rev, *version, *fallback, *keep)
	case "bump":
		dry := fs.Bool("dry-run", false, "print the changes only")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("usage: release bump [-dry-run] vX.Y.Z")
		}
		w, err := load(*dir)
		if err != nil {
			return err
		}
		changes, report, err := w.Bump(fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Println(strings.Join(report, "\n"))
		if len(changes) == 0 {
			fmt.Printf("(every go.mod already requires its siblings at %s: nothing to rewrite)\n", fs.Arg(0))
		}
		if *dry {
			return nil
		}
		return w.Write(changes)
	case "tags":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("usage: release tags vX.Y.Z")
		}
		w, err := load(*dir)
		if err != nil {
			return err
		}
		if _, _, err := w.Bump(fs.Arg(0)); err != nil { // validates the version
			return err
		}
		for _, m := range w.Published() {
			fmt.Println(m.Tag(fs.Arg(0)))
		}
		return nil
	}
	return fmt.Errorf("release: unknown command %q (check, bump, tags)", args[0])
}

func load(dir string) (*Workspace, error) {
	root, err := FindRoot(dir)
	if err != nil {
		return nil, err
	}
	return LoadWorkspace(root)
}

// keepFailed keeps the temporary directory of a failed check.
var keepFailed = true

// check is the release check: proxy, consumer, README.
func check(w *Workspace, rev, v, fallback string, keep bool) (err error) {
	start := time.Now()
	if v == "" {
		if v, err = w.Version(); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "ssekit-release-")
	if err != nil {
		return err
	}
	log, err := os.Create(filepath.Join(tmp, "log.txt"))
	if err != nil {
		return err
	}
	defer func() {
		log.Close()
		if err != nil && keepFailed || keep {
			fmt.Fprintf(os.Stderr, "release check: proxy, consumer and log.txt kept in %s\n", tmp)
			return
		}
		os.RemoveAll(tmp)
	}()
	if err := w.CheckAlone(); err != nil {
		return err
	}
	readme, err := os.ReadFile(filepath.Join(w.Root, "README.md"))
	if err != nil {
		return err
	}
	if _, err := w.Quotes(Snippets(string(readme))); err != nil {
		return err
	}
	proxyDir := filepath.Join(tmp, "proxy")
	if err := w.BuildProxy(proxyDir, v, rev); err != nil {
		return err
	}
	c, err := w.NewConsumer(tmp, proxyDir, fallback, log)
	if err != nil {
		return err
	}
	if err := w.Check(c, v, string(readme)); err != nil {
		return err
	}
	var names []string
	for _, m := range w.Published() {
		names = append(names, m.Dir)
	}
	src := "the working tree"
	if rev != "" {
		src = rev
	}
	fmt.Printf("release check: %s at %s from %s (%s): a consumer outside the workspace got them through a module proxy, with no replace; %d README snippets built and vetted (%.1fs)\n",
		strings.Join(names, ", "), v, src, "GOPROXY=file://"+proxyDir, len(Snippets(string(readme))), time.Since(start).Seconds())
	return nil
}
