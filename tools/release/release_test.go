package main

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ssekit/ssekit/ssetest"
)

func TestMain(m *testing.M) {
	keepFailed = false // the failures here are expected
	ssetest.LeakCheck(m)
}

// repo is a small repository shaped like ssekit's: module a (with a
// nested module a/sub), module b requiring a, an unpublished module demo,
// and a README with a program and a fragment quoted from a's Example.
var repo = map[string]string{
	"go.work":           "go 1.25\n\nuse (\n\t./a\n\t./a/sub\n\t./b\n\t./cmd/x\n\t./demo\n)\n",
	"a/go.mod":          "module github.com/ssekit/ssekit/a\n\ngo 1.25\n",
	"a/a.go":            "// Package a greets.\npackage a\n\n// Hello greets.\nfunc Hello() string { return \"hello\" }\n",
	"a/example_test.go": "package a_test\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/ssekit/ssekit/a\"\n)\n\nfunc Example() {\n\tgreeting := a.Hello()\n\tfmt.Println(greeting)\n\t// Output: hello\n}\n",
	"a/sub/go.mod":      "module github.com/ssekit/ssekit/a/sub\n\ngo 1.25\n",
	"a/sub/sub.go":      "// Package sub is nested.\npackage sub\n",
	"b/go.mod":          "module github.com/ssekit/ssekit/b\n\ngo 1.25\n\nrequire github.com/ssekit/ssekit/a v0.0.0\n",
	"b/b.go":            "// Package b greets twice.\npackage b\n\nimport \"github.com/ssekit/ssekit/a\"\n\n// Twice greets twice.\nfunc Twice() string { return a.Hello() + a.Hello() }\n",
	"cmd/x/go.mod":      "module github.com/ssekit/ssekit/cmd/x\n\ngo 1.25\n\nrequire github.com/ssekit/ssekit/b v0.0.0\n\nreplace github.com/ssekit/ssekit/b => ../../b\n",
	"cmd/x/main.go":     "// Command x greets.\npackage main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/ssekit/ssekit/b\"\n)\n\nfunc main() { fmt.Println(b.Twice()) }\n",
	"demo/go.mod":       "module github.com/ssekit/ssekit/demo\n\ngo 1.25\n",
	"README.md": "# demo\n\n`go get github.com/ssekit/ssekit/b`, `go install github.com/ssekit/ssekit/cmd/x@latest`\n\n```go\npackage main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/ssekit/ssekit/b\"\n)\n\nfunc main() { fmt.Println(b.Twice()) }\n```\n\n" +
		"```go\ngreeting := a.Hello()\nfmt.Println(greeting)\n```\n",
	".gitignore":            "node_modules/\n",
	"LICENSE":               "the repository's license\n",
	"a/node_modules/big.js": "ignored: never published\n",
}

// newRepo writes repo, changed by edits (an empty value deletes a file),
// into a fresh git repository, bumps it to v0.1.0 and commits.
func newRepo(t *testing.T, edits map[string]string, after ...map[string]string) *Workspace {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{}
	for k, v := range repo {
		files[k] = v
	}
	for k, v := range edits {
		files[k] = v
	}
	for name, data := range files {
		if data == "" {
			continue
		}
		if err := writeFile(filepath.Join(root, filepath.FromSlash(name)), []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	w, err := loadWorkspace(root, []string{"demo"})
	if err != nil {
		t.Fatal(err)
	}
	changes, _, err := w.Bump("v0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(changes); err != nil {
		t.Fatal(err)
	}
	for _, a := range after {
		for name, data := range a {
			if err := writeFile(filepath.Join(root, filepath.FromSlash(name)), []byte(data)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "init"}} {
		if out, err := exec.Command("git", append([]string{"-C", root}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if w, err = loadWorkspace(root, []string{"demo"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestBumpRequiresSiblingsAtTheVersionWithAReplace(t *testing.T) {
	w := newRepo(t, nil)
	got := string(w.ByDir("b").Data)
	for _, want := range []string{"require github.com/ssekit/ssekit/a v0.1.0", "replace github.com/ssekit/ssekit/a => ../a"} {
		if !strings.Contains(got, want) {
			t.Errorf("b/go.mod lacks %q:\n%s", want, got)
		}
	}
	if got := string(w.ByDir("cmd/x").Data); !strings.Contains(got, "require github.com/ssekit/ssekit/b v0.1.0") || strings.Contains(got, "replace") {
		t.Errorf("cmd/x/go.mod must require b at v0.1.0 with no replace (go install refuses one):\n%s", got)
	}
	if v, err := w.Version(); err != nil || v != "v0.1.0" {
		t.Errorf("Version() = %q, %v", v, err)
	}
	if _, _, err := w.Bump("0.2"); err == nil {
		t.Error("Bump accepted a version that is not semantic")
	}
}

func TestCheckPassesFromTreeAndRevisionAndZipsOnlyTheModule(t *testing.T) {
	w := newRepo(t, nil)
	for _, rev := range []string{"", "HEAD"} {
		if err := check(w, rev, "", "off", false); err != nil {
			t.Fatalf("rev %q: %v", rev, err)
		}
	}
	for _, rev := range []string{"", "HEAD"} {
		dir := t.TempDir()
		if err := w.BuildProxy(dir, "v0.1.0", rev); err != nil {
			t.Fatal(err)
		}
		z, err := zip.OpenReader(filepath.Join(dir, "github.com/ssekit/ssekit/a/@v/v0.1.0.zip"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range z.File {
			names = append(names, strings.TrimPrefix(f.Name, "github.com/ssekit/ssekit/a@v0.1.0/"))
		}
		z.Close()
		slices.Sort(names)
		if got, want := strings.Join(names, " "), "LICENSE a.go example_test.go go.mod"; got != want {
			t.Errorf("rev %q: a's zip holds %s, want %s (the repository's license; no nested module, no ignored file)", rev, got, want)
		}
	}
}

func TestCheckFails(t *testing.T) {
	for name, c := range map[string]struct {
		edits   map[string]string
		after   map[string]string
		version string
		want    string
	}{
		"a README program stops compiling": {
			edits: map[string]string{"README.md": repo["README.md"] + "\n```go\npackage main\n\nfunc main() { undefined() }\n```\n"},
			want:  "undefined",
		},
		"a README fragment is quoted from nowhere": {
			edits: map[string]string{"README.md": repo["README.md"] + "\n```go\nfmt.Println(a.Goodbye())\n```\n"},
			want:  "quoted from no Example file",
		},
		"a quoted Example stops compiling": {
			edits: map[string]string{"a/example_test.go": strings.Replace(repo["a/example_test.go"], "// Output: hello", "a.Goodbye()", 1)},
			want:  "Goodbye",
		},
		"a module requires an unpublished version of a sibling": {
			after:   map[string]string{"b/go.mod": "module github.com/ssekit/ssekit/b\n\ngo 1.25\n\nrequire github.com/ssekit/ssekit/a v0.2.0\n\nreplace github.com/ssekit/ssekit/a => ../a\n"},
			version: "v0.1.0",
			want:    "github.com/ssekit/ssekit/a@v0.2.0",
		},
		"the consumer would need a replace": {
			edits: map[string]string{
				"b/go.mod": "module github.com/ssekit/ssekit/b\n\ngo 1.25\n\nrequire (\n\tgithub.com/ssekit/ssekit/a v0.0.0\n\tgithub.com/ssekit/ssekit/x v0.1.0\n)\n\nreplace github.com/ssekit/ssekit/x => ../x\n",
				"b/b.go":   "// Package b.\npackage b\n\nimport (\n\t\"github.com/ssekit/ssekit/a\"\n\t\"github.com/ssekit/ssekit/x\"\n)\n\n// Twice greets twice.\nfunc Twice() string { return a.Hello() + x.X }\n",
				"x/go.mod": "module github.com/ssekit/ssekit/x\n\ngo 1.25\n",
				"x/x.go":   "// Package x is outside the workspace.\npackage x\n\n// X is x.\nconst X = \"x\"\n",
			},
			want: "github.com/ssekit/ssekit/x@v0.1.0",
		},
		"a module's test imports a sibling its go.mod does not require": {
			after: map[string]string{"b/b_test.go": "package b_test\n\nimport (\n\t\"testing\"\n\n\t\"github.com/ssekit/ssekit/a/sub\"\n)\n\nvar _ = sub.X\n\nfunc TestB(t *testing.T) {}\n"},
			want:  "b does not build alone",
		},
		"a command module has a replace directive": {
			after: map[string]string{"cmd/x/go.mod": repo["cmd/x/go.mod"]},
			want:  "go install github.com/ssekit/ssekit/cmd/x@version` would refuse it",
		},
		"the README says go get of a module that is not published": {
			edits: map[string]string{"README.md": repo["README.md"] + "\n`go get github.com/ssekit/ssekit/demo`\n"},
			want:  "not a published module",
		},
	} {
		t.Run(name, func(t *testing.T) {
			w := newRepo(t, c.edits, c.after)
			err := check(w, "", c.version, "off", false)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("check: %v, want an error mentioning %q", err, c.want)
			}
		})
	}
}

func TestVersionRefusesMixedAndUnpublished(t *testing.T) {
	w := newRepo(t, map[string]string{
		"go.work":  "go 1.25\n\nuse (\n\t./a\n\t./a/sub\n\t./b\n\t./c\n\t./cmd/x\n\t./demo\n)\n",
		"c/go.mod": "module github.com/ssekit/ssekit/c\n\ngo 1.25\n",
	}, map[string]string{
		"c/go.mod": "module github.com/ssekit/ssekit/c\n\ngo 1.25\n\nrequire (\n\tgithub.com/ssekit/ssekit/a v0.2.0\n\tgithub.com/ssekit/ssekit/demo v0.1.0\n)\n",
	})
	w, err := loadWorkspace(w.Root, []string{"demo"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Version()
	for _, want := range []string{"which is not published", "at one version"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Version: %v, want an error mentioning %q", err, want)
		}
	}
}

func TestQuotesMatchAtAnyIndentation(t *testing.T) {
	file := strings.Split("func Example() {\n\tif ok {\n\t\tx := 1\n\n\t\tuse(x)\n\t}\n}", "\n")
	for frag, want := range map[string]bool{
		"x := 1\n\nuse(x)":     true,
		"if ok {\n\tx := 1\n":  true,
		"x := 1\nuse(x)":       false, // the blank line is part of the quote
		"\tx := 1\n\n\tuse(x)": true,  // the fragment's own indentation is removed
		"if ok {\nx := 1":      false, // relative indentation must match
		"":                     false,
	} {
		if got := contains(file, dedent(strings.Split(strings.TrimRight(frag, "\n"), "\n"))); got != want {
			t.Errorf("contains(%q) = %v, want %v", frag, got, want)
		}
	}
}

func TestSnippetsAndGoGets(t *testing.T) {
	s := Snippets(repo["README.md"])
	if len(s) != 2 || !s[0].Program() || s[1].Program() || s[1].Code != "greeting := a.Hello()\nfmt.Println(greeting)\n" || s[1].Line != 17 {
		t.Errorf("Snippets = %+v", s)
	}
	if got := GoGets(repo["README.md"]); len(got) != 1 || got[0] != "github.com/ssekit/ssekit/b" {
		t.Errorf("GoGets = %q", got)
	}
	if got := GoInstalls("```sh\ngo install github.com/ssekit/ssekit/cmd/x@latest\n```"); len(got) != 1 || got[0] != "github.com/ssekit/ssekit/cmd/x@latest" {
		t.Errorf("GoInstalls = %q", got)
	}
}

// The repository's own README: every fragment is quoted from an Example.
func TestREADMEFragmentsAreQuotedFromExamples(t *testing.T) {
	w, err := load(".")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(w.Root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Quotes(Snippets(string(readme))); err != nil {
		t.Fatal(err)
	}
}
