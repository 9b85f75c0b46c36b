package ebpf

import (
	"testing"

	"github.com/bpfhost/bpfhost/maps"
)

// TestUserSpaceInnerMapIsHeld checks that an inner map stored by a
// user-space update outlives its own handle while the outer map lives
// (programs reach it by ID through the outer map), and is freed with it.
func TestUserSpaceInnerMapIsHeld(t *testing.T) {
	innerSpec := &MapSpec{Name: "in", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1}
	for _, typ := range []maps.Type{maps.ArrayOfMaps, maps.HashOfMaps} {
		t.Run(typ.String(), func(t *testing.T) {
			outer, err := NewMap(&MapSpec{Name: "out", Type: typ, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: innerSpec})
			if err != nil {
				t.Fatal(err)
			}
			in, err := NewMap(innerSpec)
			if err != nil {
				t.Fatal(err)
			}
			id := in.ID()
			for i := 0; i < 2; i++ { // twice: one reference is kept, not two
				if err := outer.Put(uint32(0), id); err != nil {
					t.Fatal(err)
				}
			}
			if err := outer.Put(uint32(1), uint32(999999)); err == nil {
				t.Fatal("update with an unknown inner map ID succeeded")
			}
			in.Close()
			if maps.ByID(id) == nil {
				t.Fatal("inner map freed while its outer map holds its ID")
			}
			if n := in.mapObj.refs.Load(); n != 1 {
				t.Fatalf("inner map has %d references, want 1 (the outer map's)", n)
			}
			outer.Close()
			if maps.ByID(id) != nil {
				t.Fatal("inner map still registered after its outer map was freed")
			}
		})
	}
}
