package maps

import "testing"

// TestByIDDirect registers more maps than the direct table has slots, so
// that IDs collide, and checks ByID for each, and nil after Unregister.
func TestByIDDirect(t *testing.T) {
	var ids []uint32
	var ms []Map
	for i := 0; i < directSlots+5; i++ {
		m, err := New(Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, Register(m))
		ms = append(ms, m)
	}
	defer func() {
		for i, id := range ids {
			Unregister(id)
			ms[i].Close()
		}
	}()
	for i, id := range ids {
		if got := ByID(id); got != ms[i] {
			t.Fatalf("ByID(%d) = %p, want %p", id, got, ms[i])
		}
	}
	// Free a slot's first holder: its ID must miss, a colliding ID still hit.
	Unregister(ids[0])
	if got := ByID(ids[0]); got != nil {
		t.Fatalf("ByID(%d) after Unregister = %v", ids[0], got)
	}
	for i, id := range ids[1:] {
		if got := ByID(id); got != ms[i+1] {
			t.Fatalf("after Unregister: ByID(%d) = %p, want %p", id, got, ms[i+1])
		}
	}
	if ByID(0) != nil {
		t.Fatal("ByID(0) is not nil")
	}
}
