package state

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// bpffsRoot is where Linux mounts the BPF filesystem; pin paths under it
// name the same pins whatever the current directory.
const bpffsRoot = "/sys/fs/bpf"

// PinKey turns a pin path as a user gives it into its key in the pin
// namespace. Paths under /sys/fs/bpf are relative to it ("/sys/fs/bpf/a/b"
// is "a/b"); other paths are made absolute against the current directory,
// so a script that pins into its own bpffs mount finds its pins again from
// any directory. The namespace is not the real file system: nothing is
// created outside the state directory.
func PinKey(p string) (string, error) { return pinKeyIn("", p) }

// pinKey is PinKey with relative paths taken against s.Cwd when set (the
// directory of a service's client).
func (s *State) pinKey(p string) (string, error) { return pinKeyIn(s.Cwd, p) }

func pinKeyIn(cwd, p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("empty pin path")
	}
	if strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("invalid pin path %q", p)
	}
	s := filepath.ToSlash(p)
	if s == bpffsRoot || strings.HasPrefix(s, bpffsRoot+"/") {
		rest := strings.Trim(path.Clean(strings.TrimPrefix(s, bpffsRoot)), "/")
		if rest == "" || rest == "." {
			return "", fmt.Errorf("cannot pin at the root of the BPF file system")
		}
		return rest, nil
	}
	if cwd != "" && !filepath.IsAbs(p) {
		p = filepath.Join(cwd, p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(filepath.Clean(abs)), nil
}

// parentsOf lists the directories above key in the namespace ("a/b/c" has
// "a" and "a/b"; "/x/y" has "/x").
func parentsOf(key string) []string {
	var out []string
	for i := 1; i < len(key); i++ {
		if key[i] == '/' {
			out = append(out, key[:i])
		}
	}
	return out
}
