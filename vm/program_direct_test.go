package vm

import "testing"

// TestProgramByIDDirect registers more programs than the direct table has
// slots, so that IDs collide, and checks ProgramByID for each, nil after
// UnregisterProgram, and that a colliding ID still resolves.
func TestProgramByIDDirect(t *testing.T) {
	var ps []*Program
	for i := 0; i < progDirectSlots+5; i++ {
		p := &Program{Name: "p"}
		RegisterProgram(p)
		ps = append(ps, p)
	}
	defer func() {
		for _, p := range ps {
			UnregisterProgram(p)
		}
	}()
	for _, p := range ps {
		if got := ProgramByID(p.ID()); got != p {
			t.Fatalf("ProgramByID(%d) = %p, want %p", p.ID(), got, p)
		}
	}
	first := ps[0]
	UnregisterProgram(first)
	if got := ProgramByID(first.ID()); got != nil {
		t.Fatalf("ProgramByID(%d) after UnregisterProgram = %p", first.ID(), got)
	}
	for _, p := range ps[1:] {
		if got := ProgramByID(p.ID()); got != p {
			t.Fatalf("after UnregisterProgram: ProgramByID(%d) = %p, want %p", p.ID(), got, p)
		}
	}
	if ProgramByID(0) != nil {
		t.Fatal("ProgramByID(0) is not nil")
	}
}
