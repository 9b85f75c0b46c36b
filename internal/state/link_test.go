package state

import (
	"testing"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/ebpf/link"
	"github.com/bpfhost/bpfhost/isa"
)

// addRetProgram loads and records a program of type typ returning ret.
func addRetProgram(t *testing.T, s *State, typ string, ret int32) uint32 {
	t.Helper()
	insns := []isa.Instruction{{Opcode: 0xb7, Imm: ret}, {Opcode: isa.OpExit}}
	p, err := ebpf.NewProgramFromXlated("ret", typ, insns, ebpf.ProgramOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s.AddProgram(p, true, 0).ID
}

// TestLinksPersist: pinned and held links come back with their IDs and
// programs; an unpinned link dies at the commit; a detached pinned link
// keeps its program; a hook link is found by the application's hook.
func TestLinksPersist(t *testing.T) {
	root := t.TempDir()
	s, err := Open(root, Options{CPUs: 1})
	if err != nil {
		t.Fatal(err)
	}
	xdp := addRetProgram(t, s, "xdp", 2)
	raw := addRetProgram(t, s, "xdp", 3)
	lone := addRetProgram(t, s, "xdp", 1)
	_, pinned, err := s.AttachLink(xdp, link.Info{Type: link.XDP, Ifindex: 9001}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Pin("/sys/fs/bpf/xl", KindLink, pinned.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := link.DefineHook("state_test_hook", "xdp"); err != nil {
		t.Fatal(err)
	}
	_, held, err := s.AttachLink(raw, link.Info{Type: link.RawTracepoint, Hook: "state_test_hook"}, true)
	if err != nil {
		t.Fatal(err)
	}
	_, gone, err := s.AttachLink(lone, link.Info{Type: link.XDP, Ifindex: 9002}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := s.Link(gone.ID); ok {
		t.Fatal("unpinned link survived the commit")
	}
	if _, _, ok := s.Program(lone); ok {
		t.Fatal("the unpinned link's program survived")
	}
	s.Close()
	if h, _ := link.LookupHook("state_test_hook"); len(h.Links()) != 0 {
		t.Fatal("closing the state left the hook's link attached")
	}

	s, err = Open(root, Options{CPUs: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ids := s.SortedLinkIDs(); len(ids) != 2 || ids[0] != pinned.ID || ids[1] != held.ID {
		t.Fatalf("links after reopening: %v, want [%d %d]", ids, pinned.ID, held.ID)
	}
	l, lm, _ := s.Link(pinned.ID)
	if info, _ := l.Info(); lm.ProgID != xdp || info.Program != xdp || info.Ifindex != 9001 || info.Detached {
		t.Fatalf("restored XDP link: %+v, %+v", lm, info)
	}
	h, _ := link.DefineHook("state_test_hook", "xdp")
	if ret, n, err := h.Run(&ebpf.RunOptions{Data: make([]byte, 64)}, nil); err != nil || n != 1 || ret != 3 {
		t.Fatalf("restored hook link run: %d, %d, %v", ret, n, err)
	}
	// New links get new IDs.
	_, nl, err := s.AttachLink(xdp, link.Info{Type: link.XDP, Ifindex: 9003}, false)
	if err != nil || nl.ID <= held.ID {
		t.Fatalf("new link %+v after %d: %v", nl, held.ID, err)
	}
	// Detaching keeps the pinned link and its program; the held one dies.
	if err := s.DetachLink(pinned.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DetachLink(held.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if ids := s.SortedLinkIDs(); len(ids) != 1 || ids[0] != pinned.ID {
		t.Fatalf("links after detaching: %v", ids)
	}
	if _, _, ok := s.Program(xdp); !ok {
		t.Fatal("detached pinned link's program is gone")
	}
	if _, _, ok := s.Program(raw); ok {
		t.Fatal("detached unpinned link's program survived")
	}
	if _, n, _ := h.Run(&ebpf.RunOptions{Data: make([]byte, 64)}, nil); n != 0 {
		t.Fatalf("%d programs ran on the hook after detach", n)
	}
	// The detached link is restored detached; unpinning frees it.
	s.Close()
	s, err = Open(root, Options{CPUs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, lm, ok := s.Link(pinned.ID); !ok || !lm.Detached {
		t.Fatalf("detached link after reopening: %+v", lm)
	}
	if err := s.Unpin("/sys/fs/bpf/xl"); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if len(s.SortedLinkIDs()) != 0 || len(s.SortedProgIDs()) != 0 {
		t.Fatalf("after unpinning: links %v, programs %v", s.SortedLinkIDs(), s.SortedProgIDs())
	}
	s.Close()
}
