package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Snippet is one fenced ```go block of the README.
type Snippet struct {
	// Line is the 1-based line of the opening fence.
	Line int
	// Code is the block's text, ending with a newline.
	Code string
}

// Program reports whether the snippet is a whole program (it starts with a
// package clause); other snippets are fragments.
func (s Snippet) Program() bool { return strings.HasPrefix(s.Code, "package ") }

// Snippets returns the README's ```go blocks, in order.
func Snippets(readme string) []Snippet {
	var out []Snippet
	lines := strings.SplitAfter(readme, "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimRight(lines[i], "\r\n") != "```go" {
			continue
		}
		start := i + 1
		var b strings.Builder
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			b.WriteString(lines[i])
		}
		out = append(out, Snippet{Line: start, Code: b.String()})
	}
	return out
}

// GoGets returns the module paths of the README's `go get` commands.
func GoGets(readme string) []string {
	var out []string
	for _, m := range goGetRE.FindAllStringSubmatch(readme, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// GoInstalls returns the package@version arguments of the README's
// `go install` commands for our modules.
func GoInstalls(readme string) []string {
	var out []string
	for _, m := range goInstallRE.FindAllStringSubmatch(readme, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

var goInstallRE = regexp.MustCompile("go install (github\\.com/ssekit/ssekit/[A-Za-z0-9_./-]*[A-Za-z0-9_]@[A-Za-z0-9.+-]+)")

var goGetRE = regexp.MustCompile("go get (github\\.com/ssekit/ssekit/[A-Za-z0-9_./-]*[A-Za-z0-9_])")

// Quote is where a README fragment is quoted from: a Go file of a
// published module that contains it verbatim.
type Quote struct {
	Snippet Snippet
	// Module is the module holding File; File is relative to its directory.
	Module *Module
	File   string
}

// Quotes finds, for every README fragment, the Example file it is quoted
// from: a test file with an Example function, in a published module, whose lines,
// at one indentation, are the fragment's lines in a row (the fragment is
// compared with its common indentation removed, blank lines match blank
// lines). A fragment alone cannot be compiled honestly: it uses names
// (ctx, order, hub) that its page defines in prose. Its Example file
// declares them and is compiled by the module's own tests, and the release
// check compiles that file again, alone, in a consumer module outside the
// workspace, so an Example file the README quotes must be self-contained
// (no helper from another test file). It is an error when a fragment is
// quoted from nowhere.
func (w *Workspace) Quotes(snippets []Snippet) ([]Quote, error) {
	type candidate struct {
		m     *Module
		file  string
		lines []string
	}
	var cands []candidate
	for _, m := range w.Published() {
		names, err := filepath.Glob(filepath.Join(w.Root, filepath.FromSlash(m.Dir), "*_test.go"))
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				return nil, err
			}
			if !bytes.Contains(data, []byte("\nfunc Example")) {
				continue
			}
			cands = append(cands, candidate{m, filepath.Base(name), strings.Split(string(data), "\n")})
		}
	}
	var out []Quote
	var missing []string
	for _, s := range snippets {
		if s.Program() {
			continue
		}
		frag := dedent(strings.Split(strings.TrimRight(s.Code, "\n"), "\n"))
		found := false
		for _, c := range cands {
			if contains(c.lines, frag) {
				out = append(out, Quote{Snippet: s, Module: c.m, File: c.file})
				found = true
				break
			}
		}
		if !found {
			first := strings.SplitN(strings.TrimSpace(s.Code), "\n", 2)[0]
			missing = append(missing, fmt.Sprintf("README.md:%d (%s)", s.Line, first))
		}
	}
	if len(missing) > 0 {
		return out, fmt.Errorf("release: README fragments quoted from no Example file of a published module (put each in an Example function of a self-contained _test.go file, verbatim, gofmt-formatted):\n\t%s", strings.Join(missing, "\n\t"))
	}
	return out, nil
}

// dedent removes the indentation common to the non-blank lines.
func dedent(lines []string) []string {
	common := ""
	first := true
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		ind := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			common, first = ind, false
			continue
		}
		for !strings.HasPrefix(ind, common) {
			common = common[:len(common)-1]
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimPrefix(l, common)
	}
	return out
}

// contains reports whether frag appears in lines, in a row, every line
// prefixed by one common indentation.
func contains(lines, frag []string) bool {
	if strings.TrimSpace(strings.Join(frag, "")) == "" {
		return false
	}
	for i := 0; i+len(frag) <= len(lines); i++ {
		l := lines[i]
		ind := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		ok := true
		for j, f := range frag {
			got := lines[i+j]
			if strings.TrimSpace(f) == "" {
				ok = strings.TrimSpace(got) == ""
			} else {
				ok = got == ind+f
			}
			if !ok {
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
