package main

import (
	stdzip "archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// BuildProxy writes, under dir, a module proxy that GOPROXY=file://dir
// serves: for every published module at version v, the list, .info, .mod
// and .zip files of the GOPROXY protocol. With rev empty the modules come
// from the working tree (the files git tracks or would track: ignored
// files such as node_modules stay out, as they would from a tag); else
// from that git revision, exactly as a tag on it would publish them. The
// zips leave out nested modules' directories (x/mod/zip omits every
// directory holding a go.mod), include the repository's LICENSE when the
// module has none, and are built by x/mod/zip, as the go command builds
// them.
func (w *Workspace) BuildProxy(dir, v, rev string) error {
	when := time.Now().UTC()
	if rev != "" {
		out, err := git(w.Root, "show", "-s", "--format=%cI", rev)
		if err != nil {
			return err
		}
		if when, err = time.Parse(time.RFC3339, strings.TrimSpace(out)); err != nil {
			return fmt.Errorf("release: commit time of %s: %w", rev, err)
		}
	}
	for _, m := range w.Published() {
		mv := module.Version{Path: m.Path, Version: v}
		esc, err := module.EscapePath(m.Path)
		if err != nil {
			return fmt.Errorf("release: %w", err)
		}
		at := filepath.Join(dir, filepath.FromSlash(esc), "@v")
		if err := os.MkdirAll(at, 0o755); err != nil {
			return err
		}
		var zbuf bytes.Buffer
		var gomod []byte
		if rev == "" {
			files, err := w.treeFiles(m)
			if err != nil {
				return err
			}
			if err := zip.Create(&zbuf, mv, files); err != nil {
				return fmt.Errorf("release: %s: %w", m.Dir, err)
			}
			gomod = m.Data
		} else {
			files, err := w.revFiles(m, rev)
			if err != nil {
				return err
			}
			if err := zip.Create(&zbuf, mv, files); err != nil {
				return fmt.Errorf("release: %s: %w", m.Dir, err)
			}
			out, err := git(w.Root, "show", rev+":"+m.Dir+"/go.mod")
			if err != nil {
				return err
			}
			gomod = []byte(out)
		}
		info, _ := json.Marshal(struct {
			Version string
			Time    time.Time
		}{v, when})
		for name, data := range map[string][]byte{
			v + ".zip":  zbuf.Bytes(),
			v + ".mod":  gomod,
			v + ".info": info,
			"list":      []byte(v + "\n"),
		} {
			if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// revFiles lists the files of module m at git revision rev, as
// zip.CreateFromVCS does (git archive, and the repository's LICENSE when
// the module has none), which it cannot do itself in a git worktree (it
// wants a .git directory).
func (w *Workspace) revFiles(m *Module, rev string) ([]zip.File, error) {
	out, err := git(w.Root, "-c", "core.autocrlf=input", "-c", "core.eol=lf", "archive", "--format=zip", rev, m.Dir)
	if err != nil {
		return nil, err
	}
	zr, err := stdzip.NewReader(strings.NewReader(out), int64(len(out)))
	if err != nil {
		return nil, fmt.Errorf("release: git archive %s %s: %w", rev, m.Dir, err)
	}
	var files []zip.File
	haveLicense := false
	for _, zf := range zr.File {
		rel, ok := strings.CutPrefix(zf.Name, m.Dir+"/")
		if !ok || rel == "" || strings.HasSuffix(rel, "/") {
			continue
		}
		haveLicense = haveLicense || rel == "LICENSE"
		files = append(files, archived{rel, zf})
	}
	if !haveLicense {
		if data, err := git(w.Root, "cat-file", "blob", rev+":LICENSE"); err == nil {
			files = append(files, memFile{"LICENSE", []byte(data)})
		}
	}
	return files, nil
}

type archived struct {
	rel string
	f   *stdzip.File
}

func (f archived) Path() string                 { return f.rel }
func (f archived) Lstat() (os.FileInfo, error)  { return f.f.FileInfo(), nil }
func (f archived) Open() (io.ReadCloser, error) { return f.f.Open() }

type memFile struct {
	rel  string
	data []byte
}

func (f memFile) Path() string                 { return f.rel }
func (f memFile) Lstat() (os.FileInfo, error)  { return memInfo{f}, nil }
func (f memFile) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(f.data)), nil }

type memInfo struct{ f memFile }

func (i memInfo) Name() string       { return path.Base(i.f.rel) }
func (i memInfo) Size() int64        { return int64(len(i.f.data)) }
func (i memInfo) Mode() os.FileMode  { return 0o644 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

// treeFiles lists the working-tree files of module m that a commit would
// hold: tracked and untracked files, without the ignored ones.
func (w *Workspace) treeFiles(m *Module) ([]zip.File, error) {
	out, err := git(w.Root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", m.Dir)
	if err != nil {
		return nil, err
	}
	var files []zip.File
	seen := map[string]bool{}
	for _, name := range strings.Split(out, "\x00") {
		rel, ok := strings.CutPrefix(name, m.Dir+"/")
		if !ok || seen[rel] {
			continue
		}
		seen[rel] = true
		full := filepath.Join(w.Root, filepath.FromSlash(name))
		fi, err := os.Lstat(full)
		if err != nil {
			continue // deleted in the working tree
		}
		files = append(files, diskFile{rel: path.Clean(rel), full: full, info: fi})
	}
	if !seen["LICENSE"] { // the repository's, as a tag would publish it
		if data, err := os.ReadFile(filepath.Join(w.Root, "LICENSE")); err == nil {
			files = append(files, memFile{"LICENSE", data})
		}
	}
	return files, nil
}

type diskFile struct {
	rel, full string
	info      fs.FileInfo
}

func (f diskFile) Path() string                 { return f.rel }
func (f diskFile) Lstat() (os.FileInfo, error)  { return f.info, nil }
func (f diskFile) Open() (io.ReadCloser, error) { return os.Open(f.full) }

// git runs git in dir and returns its standard output.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("release: git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}
