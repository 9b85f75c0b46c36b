package state

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
)

func TestPinKey(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ in, want string }{
		{"/sys/fs/bpf/a/b", "a/b"},
		{"/sys/fs/bpf//a/./c/../b/", "a/b"},
		{"/sys/fs/bpfx", "/sys/fs/bpfx"},
		{"rel/x", filepath.ToSlash(filepath.Join(wd, "rel/x"))},
	}
	if runtime.GOOS != "windows" {
		cases = append(cases, struct{ in, want string }{"/tmp/fs/m", "/tmp/fs/m"})
	}
	for _, c := range cases {
		got, err := PinKey(c.in)
		if err != nil || got != c.want {
			t.Errorf("PinKey(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "/sys/fs/bpf", "/sys/fs/bpf/", "a\x00b"} {
		if k, err := PinKey(bad); err == nil {
			t.Errorf("PinKey(%q) = %q, want an error", bad, k)
		}
	}
}

func TestMapIDsAndTag(t *testing.T) {
	insns := []isa.Instruction{
		{Opcode: isa.OpLdImm64, Dst: 1, Src: isa.PseudoMapFD, Imm: 7}, {},
		{Opcode: isa.OpLdImm64, Dst: 2, Src: isa.PseudoMapValue, Imm: 3}, {Imm: 16},
		{Opcode: isa.OpLdImm64, Dst: 1, Src: isa.PseudoMapFD, Imm: 7}, {},
		{Opcode: isa.OpLdImm64, Dst: 3, Imm: 99}, {},
		{Opcode: isa.OpExit},
	}
	ids := MapIDsOf(insns)
	if len(ids) != 2 || ids[0] != 7 || ids[1] != 3 {
		t.Fatalf("MapIDsOf = %v, want [7 3]", ids)
	}
	// The tag ignores map IDs (and value offsets) but not other immediates.
	other := append([]isa.Instruction(nil), insns...)
	other[0].Imm, other[2].Imm, other[3].Imm = 8, 4, 0
	if Tag(insns) != Tag(other) {
		t.Fatal("tag depends on map IDs")
	}
	other[6].Imm = 100
	if Tag(insns) == Tag(other) {
		t.Fatal("tag ignores a plain immediate")
	}
	if len(Tag(insns)) != 16 {
		t.Fatalf("tag %q is not 8 hex bytes", Tag(insns))
	}
}

// TestPersistence creates a map, pins it, commits, and reopens the
// directory: the map comes back with its ID and contents; after unpinning,
// the next commit destroys it and deletes its file.
func TestPersistence(t *testing.T) {
	root := t.TempDir()
	s, err := Open(root, Options{CPUs: 2})
	if err != nil {
		t.Fatal(err)
	}
	m, mm, err := s.CreateMap(&ebpf.MapSpec{Name: "h", Type: maps.Hash, KeySize: 4, ValueSize: 4, MaxEntries: 8}, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	id := m.ID()
	if err := m.Update(uint32(1), uint32(42), ebpf.UpdateAny); err != nil {
		t.Fatal(err)
	}
	if err := s.Pin("/sys/fs/bpf/h", KindMap, id); err != nil {
		t.Fatal(err)
	}
	if err := s.Pin("/sys/fs/bpf/h", KindMap, id); err != ErrPinExists {
		t.Fatalf("second pin: %v, want ErrPinExists", err)
	}
	if err := s.Pin("/sys/fs/bpf/h/x", KindMap, id); err != ErrNotDir {
		t.Fatalf("pin under a pin: %v, want ErrNotDir", err)
	}
	// An unpinned map is garbage at commit.
	g, gm, err := s.CreateMap(&ebpf.MapSpec{Name: "g", Type: maps.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1}, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	gid := g.ID()
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, mapsDir, gm.File)); !os.IsNotExist(err) {
		t.Fatalf("garbage map file still there: %v", err)
	}
	s.Close()

	// Reopening in the same process needs the old IDs free again.
	maps.Unregister(id)
	s, err = Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.CPUs() != 2 {
		t.Fatalf("CPUs %d, want the recorded 2", s.CPUs())
	}
	m2, mm2, ok := s.Map(id)
	if !ok || mm2.File != mm.File {
		t.Fatalf("map %d not restored", id)
	}
	var v uint32
	if err := m2.Lookup(uint32(1), &v); err != nil || v != 42 {
		t.Fatalf("restored value %d, %v; want 42", v, err)
	}
	if _, _, ok := s.Map(gid); ok {
		t.Fatal("garbage map restored")
	}
	if maps.LastID() < gid {
		t.Fatalf("ID counter %d went back below %d", maps.LastID(), gid)
	}
	if _, err := Open(root+"x", Options{CPUs: 5000}); err == nil {
		t.Fatal("5000 CPUs accepted")
	}
	if err := s.Unpin("/sys/fs/bpf/h"); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := s.Map(id); ok {
		t.Fatal("unpinned map still live")
	}
	if _, err := os.Stat(filepath.Join(root, mapsDir, mm.File)); !os.IsNotExist(err) {
		t.Fatalf("unpinned map's file still there: %v", err)
	}
	s.Close()
}

// TestAbort checks that a failed command leaves nothing behind.
func TestAbort(t *testing.T) {
	root := t.TempDir()
	s, err := Open(root, Options{CPUs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(root, metaFile))
	_, mm, err := s.CreateMap(&ebpf.MapSpec{Name: "a", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 2}, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	s.Pin("/sys/fs/bpf/a", KindMap, mm.ID)
	s.Abort()
	s.Close()
	after, _ := os.ReadFile(filepath.Join(root, metaFile))
	if string(before) != string(after) {
		t.Fatalf("metadata changed by an aborted command:\n%s\n%s", before, after)
	}
	if ents, _ := os.ReadDir(filepath.Join(root, mapsDir)); len(ents) != 0 {
		t.Fatalf("aborted command left %d map files", len(ents))
	}
}

// TestOrphans checks that files a killed process left are removed at the
// next Open, and that the committed state is untouched by them.
func TestOrphans(t *testing.T) {
	root := t.TempDir()
	s, err := Open(root, Options{CPUs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, f := range []string{filepath.Join(mapsDir, "123-1-1.map"), filepath.Join(btfDir, "9.o"), ".state-42.tmp"} {
		if err := os.WriteFile(filepath.Join(root, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err = Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, f := range []string{filepath.Join(mapsDir, "123-1-1.map"), filepath.Join(btfDir, "9.o"), ".state-42.tmp"} {
		if _, err := os.Stat(filepath.Join(root, f)); !os.IsNotExist(err) {
			t.Errorf("%s not removed: %v", f, err)
		}
	}
}
