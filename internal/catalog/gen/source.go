package gen

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// GitSource reads a Synapse git checkout or bare git directory with the git command line.
type GitSource struct {
	Dir string

	mu  sync.Mutex
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// Tags lists the repository's tags.
func (g *GitSource) Tags() ([]string, error) {
	b, err := exec.Command("git", "-C", g.Dir, "tag", "--list", "v1.*").Output()
	if err != nil {
		return nil, fmt.Errorf("git tag in %s: %w", g.Dir, err)
	}
	return strings.Fields(string(b)), nil
}

// Read returns a file at a tag through one long-running `git cat-file --batch`.
func (g *GitSource) Read(tag, path string) (string, bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cmd == nil {
		g.cmd = exec.Command("git", "-C", g.Dir, "cat-file", "--batch")
		var err error
		if g.in, err = g.cmd.StdinPipe(); err != nil {
			return "", false, err
		}
		stdout, err := g.cmd.StdoutPipe()
		if err != nil {
			return "", false, err
		}
		g.out = bufio.NewReaderSize(stdout, 1<<20)
		if err := g.cmd.Start(); err != nil {
			return "", false, err
		}
	}
	if _, err := fmt.Fprintf(g.in, "%s:%s\n", tag, path); err != nil {
		return "", false, err
	}
	head, err := g.out.ReadString('\n')
	if err != nil {
		return "", false, err
	}
	f := strings.Fields(head)
	if len(f) == 2 && f[1] == "missing" {
		return "", false, nil
	}
	if len(f) != 3 {
		return "", false, fmt.Errorf("git cat-file: unexpected answer %q", head)
	}
	n, err := strconv.Atoi(f[2])
	if err != nil {
		return "", false, err
	}
	buf := make([]byte, n+1) // content and a newline
	if _, err := io.ReadFull(g.out, buf); err != nil {
		return "", false, err
	}
	if f[1] != "blob" {
		return "", false, nil
	}
	return string(buf[:n]), true, nil
}

// List returns the names directly under dir at tag.
func (g *GitSource) List(tag, dir string) ([]string, error) {
	b, err := exec.Command("git", "-C", g.Dir, "ls-tree", "--name-only", tag+":"+dir).Output()
	if err != nil {
		return nil, nil //nolint:nilerr // a directory missing at that tag lists nothing
	}
	return strings.Fields(string(b)), nil
}

// Close stops the cat-file process.
func (g *GitSource) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cmd == nil {
		return nil
	}
	_ = g.in.Close()
	return g.cmd.Wait()
}

// DirSource reads a fixture laid out as <root>/<tag>/<path>; tests use it.
type DirSource struct{ Root string }

// Tags lists the directories under Root.
func (d DirSource) Tags() ([]string, error) {
	es, err := os.ReadDir(d.Root)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range es {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// Read reads <root>/<tag>/<path>.
func (d DirSource) Read(tag, path string) (string, bool, error) {
	b, err := os.ReadFile(filepath.Join(d.Root, tag, filepath.FromSlash(path)))
	if os.IsNotExist(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return string(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))), true, nil
}

// List lists <root>/<tag>/<dir>.
func (d DirSource) List(tag, dir string) ([]string, error) {
	es, err := os.ReadDir(filepath.Join(d.Root, tag, filepath.FromSlash(dir)))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out, nil
}
