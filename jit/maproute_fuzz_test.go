package jit_test

import (
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// lookupMap is one map of the lookup fuzzer's fixed set.
type lookupMap struct {
	m   maps.Map
	id  uint32
	key int // key size
	// inner: 0 for maps of values; for maps of maps, which register
	// (r7 or r8) keeps the inner handles, whose maps are of kind innerKind.
	inner uint8
}

// lookupWorld is the fuzzer's maps: every type with a native lookup route,
// keys of several sizes, and maps of maps whose inner maps are of the same
// types. Made once; the programs only read it.
var lookupWorld = sync.OnceValues(func() ([]lookupMap, error) {
	var out []lookupMap
	add := func(spec maps.Spec, inner uint8) (maps.Map, error) {
		m, err := maps.New(spec, maps.Options{})
		if err != nil {
			return nil, err
		}
		id := maps.Register(m)
		out = append(out, lookupMap{m: m, id: id, key: int(spec.KeySize), inner: inner})
		return m, nil
	}
	fill := func(m maps.Map, n int) error {
		spec := m.Spec()
		vs := int(spec.ValueSize)
		if spec.Type.PerCPU() {
			vs = ((vs + 7) &^ 7) * maps.PossibleCPUs()
		}
		for i := 0; i < n; i++ {
			v := make([]byte, vs)
			for j := range v {
				v[j] = byte(i*13 + j + int(spec.KeySize))
			}
			if err := m.Update(fuzzKey(int(spec.KeySize), i), v, 0); err != nil {
				return err
			}
		}
		return nil
	}
	hashTemplate := maps.Spec{Type: maps.Hash, KeySize: 8, ValueSize: 16, MaxEntries: 16}
	arrayTemplate := maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: 16, MaxEntries: 8}
	specs := []maps.Spec{
		{Type: maps.Array, KeySize: 4, ValueSize: 16, MaxEntries: 8},
		{Type: maps.PerCPUArray, KeySize: 4, ValueSize: 12, MaxEntries: 8},
		{Type: maps.Hash, KeySize: 1, ValueSize: 16, MaxEntries: 16},
		{Type: maps.Hash, KeySize: 3, ValueSize: 16, MaxEntries: 16},
		{Type: maps.Hash, KeySize: 13, ValueSize: 16, MaxEntries: 16},
		{Type: maps.Hash, KeySize: 40, ValueSize: 16, MaxEntries: 16},
		{Type: maps.PerCPUHash, KeySize: 6, ValueSize: 16, MaxEntries: 16},
		{Type: maps.LRUHash, KeySize: 5, ValueSize: 16, MaxEntries: 16},
		{Type: maps.LRUCPUHash, KeySize: 9, ValueSize: 16, MaxEntries: 16},
	}
	for _, s := range specs {
		m, err := add(s, 0)
		if err != nil {
			return nil, err
		}
		if err := fill(m, 5); err != nil {
			return nil, err
		}
	}
	// Inner maps, registered but reached only through their outer maps.
	var innerIDs [2][]uint32
	for k, tmpl := range []maps.Spec{hashTemplate, arrayTemplate} {
		for i := 0; i < 2; i++ {
			m, err := maps.New(tmpl, maps.Options{})
			if err != nil {
				return nil, err
			}
			if err := fill(m, 3+i*2); err != nil {
				return nil, err
			}
			innerIDs[k] = append(innerIDs[k], maps.Register(m))
		}
	}
	for k, typ := range []maps.Type{maps.ArrayOfMaps, maps.HashOfMaps} {
		tmpl := []maps.Spec{hashTemplate, arrayTemplate}[k]
		m, err := add(maps.Spec{Type: typ, KeySize: 4, ValueSize: 4, MaxEntries: 4, InnerMap: &tmpl}, uint8(7+k))
		if err != nil {
			return nil, err
		}
		// Slots 0 and 2 hold inner maps, 1 and 3 stay empty.
		for i, id := range innerIDs[k] {
			if err := m.Update(fuzzKey(4, 2*i), binary.LittleEndian.AppendUint32(nil, id), 0); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
})

// fuzzKey is the i-th key of size n that the fuzzer's maps hold (i < 5);
// for 4-byte keys it is the index i.
func fuzzKey(n, i int) []byte {
	k := make([]byte, n)
	for j := range k {
		k[j] = byte(i*7 + j*3 + n)
	}
	if n == 4 {
		binary.LittleEndian.PutUint32(k, uint32(i))
	}
	return k
}

// lookupGen builds a program of map lookups from choice bytes: constant
// maps (ld_imm64 into r1), the same handles through a register (the
// lookup routine), inner maps from map-in-map lookups (kept in r7, r8);
// keys present, absent, off by one byte or out of range; every hit folded
// into r6 (values by their first word, inner maps by their handle).
type lookupGen struct {
	in    []byte
	world []lookupMap
	out   []isa.Instruction
}

func (g *lookupGen) byte() byte {
	if len(g.in) == 0 {
		return 0
	}
	b := g.in[0]
	g.in = g.in[1:]
	return b
}

func (g *lookupGen) emit(ins ...isa.Instruction) { g.out = append(g.out, ins...) }

// key writes a key of n bytes at r10-48 and points r2 at it.
func (g *lookupGen) key(n int) {
	var k []byte
	switch c := g.byte(); c % 4 {
	case 0, 1:
		k = fuzzKey(n, int(c/4)%6) // present (or the absent 6th)
	case 2:
		k = fuzzKey(n, int(c/4)%5)
		k[int(g.byte())%n] ^= 1 << (c % 8)
	default:
		k = make([]byte, n)
		for i := range k {
			k[i] = g.byte()
		}
	}
	buf := make([]byte, 48)
	copy(buf, k)
	for o := 0; o < 48; o += 8 {
		g.emit(ldImm64(3, binary.LittleEndian.Uint64(buf[o:]))...)
		g.emit(stx64(10, int16(o-48), 3))
	}
	g.emit(movx(2, 10), addk(2, -48))
}

// fold emits: if r0 != 0 { r6 = r6*33 ^ (value ? *(u64*)r0 : r0) }, and
// keeps an inner handle in reg.
func (g *lookupGen) fold(inner uint8) {
	body := []isa.Instruction{mulk(6, 33)}
	if inner == 0 {
		body = append(body, ldx64(3, 0, 0))
	} else {
		body = append(body, movx(3, 0), movx(inner, 0))
	}
	body = append(body, isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUXor | isa.SrcX, Dst: 6, Src: 3})
	g.emit(isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJEQ | isa.SrcK, Dst: 0, Offset: int16(len(body))})
	g.emit(body...)
}

func (g *lookupGen) program() []isa.Instruction {
	g.emit(mov(6, 0), mov(7, 0), mov(8, 0))
	for n := 2 + int(g.byte()%12); n > 0 && len(g.in) > 0; n-- {
		c := g.byte()
		switch c % 3 {
		case 0, 1: // a map of the set, constant (0) or through a register (1)
			m := g.world[int(g.byte())%len(g.world)]
			g.key(m.key)
			if c%3 == 0 {
				g.emit(ldImm64(1, vm.MapHandle(m.id))...)
			} else {
				g.emit(ldImm64(4, vm.MapHandle(m.id))...)
				g.emit(movx(1, 4))
			}
			g.emit(callHelper(helpers.FnMapLookupElem))
			g.fold(m.inner)
		case 2: // an inner map found earlier
			reg, n := uint8(7), 8 // inner hash maps
			if c&8 != 0 {
				reg, n = 8, 4 // inner arrays
			}
			start := len(g.out)
			g.emit(isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJEQ | isa.SrcK, Dst: reg})
			g.key(n)
			g.emit(movx(1, reg), callHelper(helpers.FnMapLookupElem))
			g.fold(0)
			g.out[start].Offset = int16(len(g.out) - start - 1)
		}
	}
	g.emit(movx(0, 6), exit())
	return g.out
}

// checkLookups runs a generated lookup program on the interpreter and
// the JIT (plain, blinded, without native routes) and requires one result.
func checkLookups(t *testing.T, world []lookupMap, in []byte) {
	insns := (&lookupGen{in: in, world: world}).program()
	both(t, insns, helpers.Generic(), 0, 0)
}

// FuzzMapLookups: generated programs of map lookups in every map type
// with a native route give the interpreter's result on the JIT.
func FuzzMapLookups(f *testing.F) {
	if !jit.Supported() {
		f.Skip("no JIT on this platform")
	}
	world, err := lookupWorld()
	if err != nil {
		f.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 8; i++ {
		b := make([]byte, 16+r.IntN(200))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkLookups(t, world, in) })
}

// TestMapLookupsRandom runs FuzzMapLookups's check on programs from a
// fixed random stream.
func TestMapLookupsRandom(t *testing.T) {
	if !jit.Supported() {
		t.Skip("no JIT on this platform")
	}
	world, err := lookupWorld()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(11, 12))
	n := 300
	if testing.Short() {
		n = 50
	}
	hits := 0
	for i := 0; i < n; i++ {
		b := make([]byte, 16+r.IntN(300))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		insns := (&lookupGen{in: b, world: world}).program()
		if both(t, insns, helpers.Generic(), 0, 0) != "r0=0x0" {
			hits++
		}
	}
	// The programs must find something: most have a hit.
	if hits < n/2 {
		t.Errorf("only %d of %d programs found any key", hits, n)
	}
}
