package jit_test

import (
	"testing"

	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// FuzzHashWalk: native hash walks against the interpreter's (the Go
// helper's) over every natively walked map type, for arbitrary key sets
// (up to 8 keys below 16, or 8 for arrays, inserted in the given order),
// stop keys and callback edits (deletes, inserts, calls): the same r0 and
// the same map contents.
func FuzzHashWalk(f *testing.F) {
	f.Add([]byte{5, 3, 2, 9, 4, 1}, uint8(0xff), uint8(0), uint8(0))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8}, uint8(4), uint8(hwDeleteOdd|hwInsert), uint8(1))
	f.Add([]byte{8, 7, 6, 5}, uint8(0xff), uint8(hwDeleteNext|hwInsert), uint8(2))
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { cpus.Close() })
	types := []maps.Type{maps.Hash, maps.PerCPUHash, maps.LRUHash, maps.LRUCPUHash, maps.PerCPUArray}
	f.Fuzz(func(t *testing.T, keys []byte, stop, mode uint8, typ uint8) {
		if len(keys) > 8 {
			keys = keys[:8]
		}
		c := hashWalkCase{typ: types[int(typ)%len(types)], stop: int32(int8(stop)), mode: int(mode) & 0xf}
		for _, k := range keys {
			if c.typ == maps.PerCPUArray {
				k %= 8
			}
			c.keys = append(c.keys, uint32(k%16))
		}
		want := runHashWalk(t, cpus, interp.New(), true, c)
		if got := runHashWalk(t, cpus, jit.New(), false, c); got != want {
			t.Errorf("%+v: %s\ninterpreter: %s", c, got, want)
		}
	})
}
