package cli

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoPanics throws random bpftool-like command lines at Main against a
// state directory holding a loaded object: every one must end with status 0
// or 1 and never with an internal error (a recovered panic).
func TestNoPanics(t *testing.T) {
	root := t.TempDir()
	t.Setenv("BPFHOST_ROOT", root)
	t.Setenv(EnvEngine, "")
	obj, err := filepath.Abs("../../cmd/bpfhost/testdata/prog.o")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pkt := filepath.Join(dir, "pkt")
	os.WriteFile(pkt, bytes.Repeat([]byte{7}, 64), 0o644)
	main := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		st := Main(args, strings.NewReader("stdin data"), &out, &errb)
		return st, out.String(), errb.String()
	}
	if st, _, e := main("--cpus", "2", "prog", "loadall", obj, "/sys/fs/bpf/p", "pinmaps", "/sys/fs/bpf/m"); st != 0 {
		t.Fatalf("loadall: %s", e)
	}
	words := []string{
		"prog", "map", "show", "list", "dump", "xlated", "jited", "run", "load", "loadall", "pin", "lookup",
		"update", "delete", "getnext", "create", "peek", "push", "pop", "freeze", "batch", "file", "help",
		"tracelog", "unpin", "id", "1", "2", "99", "pinned", "/sys/fs/bpf/m/counters", "/sys/fs/bpf/m/flows",
		"/sys/fs/bpf/m/pcpu", "/sys/fs/bpf/m/jmp_table", "/sys/fs/bpf/p/xdp_count", "/sys/fs/bpf/p/xdp_tail",
		"/sys/fs/bpf/new", "name", "counters", "tag", "key", "value", "hex", "0", "0x1", "ff", "-1", "any",
		"exist", "noexist", "data_in", "data_out", "ctx_in", "ctx_out", "repeat", pkt, "-", "type", "hash",
		"array", "entries", "4", "8", "flags", "inner_map", obj, "opcodes", "-j", "-p", "", "data", "x",
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 400; i++ {
		// Mostly well-formed heads (object, command, handle) with random
		// tails, so that the argument parsers are exercised, not just usage.
		obj := []string{"prog", "map"}[rng.Intn(2)]
		subs := map[string][]string{
			"prog": {"show", "dump", "pin", "run", "load", "loadall", "list"},
			"map":  {"show", "dump", "lookup", "update", "delete", "getnext", "create", "pin", "peek", "push", "pop", "freeze"},
		}[obj]
		args := []string{obj, subs[rng.Intn(len(subs))]}
		if rng.Intn(4) != 0 {
			args = append(args, []string{"pinned", "id", "name"}[rng.Intn(3)], words[rng.Intn(len(words))])
		}
		for n := rng.Intn(10); n > 0; n-- {
			args = append(args, words[rng.Intn(len(words))])
		}
		if rng.Intn(3) == 0 {
			args = append([]string{"-j"}, args...)
		}
		if args[0] == "batch" || (len(args) > 1 && args[1] == "tracelog") {
			continue // would read stdin / are covered elsewhere
		}
		st, o, e := main(args...)
		if testing.Verbose() && i < 20 {
			t.Logf("%q -> %d %.80q %.80q", args, st, o, e)
		}
		if st != 0 && st != 1 {
			t.Fatalf("%q: status %d", args, st)
		}
		if strings.Contains(e, "internal error") {
			t.Fatalf("%q: %s", args, e)
		}
	}
}
