package state

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/maps"
)

// TestRollback undoes a failed command in a long-lived State: what it
// created is gone (objects and files), what was committed is intact with
// its contents, and a clean state is left alone.
func TestRollback(t *testing.T) {
	root := t.TempDir()
	s, err := Open(root, Options{CPUs: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, _, err := s.CreateMap(&ebpf.MapSpec{Name: "keep", Type: maps.Hash, KeySize: 4, ValueSize: 4, MaxEntries: 8}, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	keep := m.ID()
	if err := s.Pin("/sys/fs/bpf/keep", KindMap, keep); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if s.Dirty() {
		t.Fatal("dirty right after a commit")
	}
	if err := s.Rollback(); err != nil {
		t.Fatal(err)
	}
	if m2, _, _ := s.Map(keep); m2 != m {
		t.Fatal("rollback of a clean state recreated the objects")
	}
	if err := m.Update(uint32(1), uint32(42), ebpf.UpdateAny); err != nil {
		t.Fatal(err)
	}

	// A "failed command": a new pinned map, a pin of the kept map.
	n, nm, err := s.CreateMap(&ebpf.MapSpec{Name: "new", Type: maps.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1}, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Pin("/sys/fs/bpf/new", KindMap, n.ID()); err != nil {
		t.Fatal(err)
	}
	if err := s.Pin("/sys/fs/bpf/keep2", KindMap, keep); err != nil {
		t.Fatal(err)
	}
	if !s.Dirty() {
		t.Fatal("not dirty after changes")
	}
	if err := s.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := s.Map(n.ID()); ok {
		t.Fatal("new map survived the rollback")
	}
	if _, err := os.Stat(filepath.Join(root, mapsDir, nm.File)); !os.IsNotExist(err) {
		t.Fatalf("new map's file survived the rollback: %v", err)
	}
	for _, p := range []string{"/sys/fs/bpf/new", "/sys/fs/bpf/keep2"} {
		if _, err := s.Lookup(p); err != ErrPinNotFound {
			t.Fatalf("pin %s after rollback: %v", p, err)
		}
	}
	k, _, ok := s.Map(keep)
	if !ok {
		t.Fatal("kept map lost")
	}
	var v uint32
	if err := k.Lookup(uint32(1), &v); err != nil || v != 42 {
		t.Fatalf("kept map's contents: %d, %v", v, err)
	}
	if s.Dirty() {
		t.Fatal("dirty after rollback")
	}
	// The state works on: a new map after the rollback commits.
	if _, _, err := s.CreateMap(&ebpf.MapSpec{Name: "after", Type: maps.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1}, 0, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
}
