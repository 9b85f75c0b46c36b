package arm64_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/jit/arm64"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/vm"
)

// sentinel is what the stub bpf_map_lookup_elem of these tests returns:
// a result equal to it means the call took the helper exit.
const sentinel = 0x5e57

// keyOff is where the key sits in the run's data (after the CPU number
// the program stores; odd, so keys are unaligned).
const keyOff = 9

// lookupProgram builds: r6 = data; data[0:8] = smp_processor_id();
// r2 = data+keyOff; r1 = handle (an ld_imm64 into r1 when constant, else
// copied from r7); r0 = bpf_map_lookup_elem(r1, r2); then, with extra,
// r1 and r2 stored to data[keyOff+128:] to check that the route keeps them.
func lookupProgram(handle uint64, constant bool) []isa.Instruction {
	lddw := func(dst uint8, v uint64) []isa.Instruction {
		return []isa.Instruction{{Opcode: isa.OpLdImm64, Dst: dst, Imm: int32(uint32(v))}, {Imm: int32(uint32(v >> 32))}}
	}
	p := []isa.Instruction{
		{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 6, Src: 1},
		{Opcode: isa.OpCall, Imm: 8}, // bpf_get_smp_processor_id
		{Opcode: isa.ClassSTX | isa.ModeMEM | isa.SizeDW, Dst: 6, Src: 0},
		{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 2, Src: 6},
		{Opcode: isa.ClassALU64 | isa.ALUAdd, Dst: 2, Imm: keyOff},
	}
	if constant {
		p = append(p, lddw(1, handle)...)
	} else {
		p = append(p, lddw(7, handle)...)
		p = append(p, isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 1, Src: 7})
	}
	return append(p,
		isa.Instruction{Opcode: isa.OpCall, Imm: 1},
		isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | isa.SizeDW, Dst: 6, Src: 1, Offset: keyOff + 128},
		isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | isa.SizeDW, Dst: 6, Src: 2, Offset: keyOff + 136},
		isa.Instruction{Opcode: isa.OpExit},
	)
}

// lookupRunner compiles one lookup program and runs it with keys.
type lookupRunner struct {
	t      *testing.T
	p      *vm.Program
	exe    vm.Executable
	handle uint64
}

// newLookupRunner compiles lookupProgram for f. With constant, the call
// site is described as a constant map with f's descriptor; otherwise the
// handle is a run-time value and the dynamic routine reads the table.
func newLookupRunner(t *testing.T, f *fakeMap, handle uint64, constant bool) *lookupRunner {
	return newShapedRunner(t, f, handle, constant, false)
}

// newShapedRunner is newLookupRunner; with shaped, the program also
// references shapeOuter(f), and its code must be longer than without
// (for keys the routine unrolls).
func newShapedRunner(t *testing.T, f *fakeMap, handle uint64, constant, shaped bool) *lookupRunner {
	t.Helper()
	helpers := *progtype.Raw.Helpers()
	helpers[1] = func(*vm.Context, uint64, uint64, uint64, uint64, uint64) uint64 { return sentinel }
	p := &vm.Program{Name: "lookup", Type: progtype.Raw.Name(), Insns: lookupProgram(handle, constant), Helpers: &helpers}
	if constant {
		restore := arm64.SetLookupSite(func(p *vm.Program, insns []isa.Instruction, second, target []bool, pc int, num int32) (jit.MapLookupSite, bool) {
			if num != 1 {
				return jit.MapLookupSite{}, false
			}
			return jit.MapLookupSite{Const: true, Handle: handle, Desc: f.addr, Route: f.desc.Route, KeySize: f.desc.KeySize}, true
		})
		defer restore()
	}
	sites, words, err := arm64.LookupSites(p)
	if err != nil {
		t.Fatal(err)
	}
	if sites != 1 {
		t.Fatalf("%d lookup sites compiled natively, want 1", sites)
	}
	if outer := shapeOuter(t, f); shaped && outer != nil {
		p.Maps = []maps.Map{outer}
		_, more, err := arm64.LookupSites(p)
		if err != nil || more <= words && f.desc.KeySize <= 64 { // longer keys are not unrolled
			t.Fatalf("with an inner-map template the code has %d words (%v), without %d", more, err, words)
		}
	}
	exe, err := jit.New().Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	return &lookupRunner{t: t, p: p, exe: exe, handle: handle}
}

// run looks key up and returns r0 and the CPU the run had.
func (r *lookupRunner) run(key []byte) (uint64, int) {
	r.t.Helper()
	data := make([]byte, keyOff+144)
	copy(data[keyOff:], key)
	var out progtype.RunOutput
	if err := progtype.Run(progtype.Raw, r.exe, r.p, testCPUs(r.t), &progtype.RunInput{Data: data}, &out); err != nil {
		r.t.Fatal(err)
	}
	if got := binary.LittleEndian.Uint64(out.Data[keyOff+128:]); got != r.handle {
		r.t.Errorf("r1 after the lookup = %#x, want the handle %#x", got, r.handle)
	}
	if a, b := binary.LittleEndian.Uint64(out.Data[keyOff+136:]), binary.LittleEndian.Uint64(out.Data[:8]); a == 0 || b > 64 {
		r.t.Errorf("r2 after the lookup = %#x, cpu %d", a, b)
	}
	return out.Ret, int(binary.LittleEndian.Uint64(out.Data[:8]))
}

// modes are the two ways a site reaches a map.
var modes = []struct {
	name     string
	constant bool
	shaped   bool
}{{"const", true, false}, {"dynamic", false, false}, {"shaped", false, true}}

// routeTypes are the map types whose maps get each hash route.
var routeTypes = map[uint32]maps.Type{
	maps.RouteHash: maps.Hash, maps.RoutePerCPUHash: maps.PerCPUHash,
	maps.RouteLRUHash: maps.LRUHash, maps.RouteLRUPerCPUHash: maps.LRUCPUHash,
}

// shapeOuter returns an array of maps whose inner template has f's route
// and key size: a program referencing it gets a dynamic routine that
// tries that shape first (jit.InnerLookupShapes). nil for routes without
// such a template.
func shapeOuter(t *testing.T, f *fakeMap) maps.Map {
	typ, ok := routeTypes[f.desc.Route]
	if !ok {
		return nil
	}
	d := f.desc
	m, err := maps.New(maps.Spec{Type: maps.ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 1,
		InnerMap: &maps.Spec{Type: typ, KeySize: d.KeySize, ValueSize: d.ValueSize, MaxEntries: d.MaxEntries}}, maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// nextID hands out map IDs for the global table that no real map of the
// test process has.
var nextID uint32 = 0xfe00

func fakeID() uint32 { nextID++; return nextID }

func TestMapLookupArrayRoutes(t *testing.T) {
	needNative(t)
	for _, route := range []uint32{maps.RouteArray, maps.RoutePerCPUArray, maps.RouteArrayOfMaps} {
		for _, m := range modes {
			for _, vs := range []int{4, 12, 16} { // stride 8 (shift), 16, 24 (multiply)
				t.Run(fmt.Sprintf("route%d/%s/v%d", route, m.name, vs), func(t *testing.T) {
					const max, ncpu = 5, 2
					f := newFakeMap(t, route, 4, vs, max, ncpu, 0)
					if route == maps.RouteArrayOfMaps {
						f.setID(1, 77)
						f.setID(4, 0xffffffff)
					}
					r := newLookupRunner(t, f, f.register(t, fakeID()), m.constant)
					for _, i := range []uint32{0, 1, 4, 5, 6, 1 << 31, 0xffffffff} {
						got, cpu := r.run(le32(i))
						var want uint64
						switch {
						case i >= max:
						case route == maps.RouteArray:
							want = f.value(i, 0)
						case route == maps.RoutePerCPUArray:
							want = f.value(i, cpu)
						case i == 1:
							want = vm.MapHandle(77)
						case i == 4:
							want = vm.MapHandle(0xffffffff)
						}
						if got != want {
							t.Errorf("key %d (cpu %d): r0 = %#x, want %#x", i, cpu, got, want)
						}
					}
				})
			}
		}
	}
}

// TestMapLookupPerCPUFallback: a CPU at or above NCPU takes the helper exit.
func TestMapLookupPerCPUFallback(t *testing.T) {
	needNative(t)
	for _, route := range []uint32{maps.RoutePerCPUArray, maps.RoutePerCPUHash, maps.RouteLRUPerCPUHash} {
		for _, m := range modes {
			f := newFakeMap(t, route, 4, 8, 4, 1, 4) // one CPU's values only
			if route != maps.RoutePerCPUArray {
				f.insert(le32(2), nil)
			}
			r := newShapedRunner(t, f, f.register(t, fakeID()), m.constant, m.shaped)
			for k := 0; k < 8; k++ {
				got, cpu := r.run(le32(2))
				want := uint64(sentinel)
				if cpu == 0 {
					want = f.value(2, 0)
					if route != maps.RoutePerCPUArray {
						want = f.value(0, 0) // slot 0
					}
				}
				if got != want {
					t.Errorf("route %d %s cpu %d: r0 = %#x, want %#x", route, m.name, cpu, got, want)
				}
			}
		}
	}
}

// hashRoutes are the routes of the hash index.
var hashRoutes = []uint32{maps.RouteHash, maps.RoutePerCPUHash, maps.RouteLRUHash, maps.RouteLRUPerCPUHash, maps.RouteHashOfMaps}

// want returns the expected r0 of a lookup of key in f on cpu.
func (f *fakeMap) want(key []byte, cpu int) uint64 {
	s, res := f.find(key)
	switch {
	case res == refSlow:
		return sentinel
	case res == refMiss:
		return 0
	case f.desc.Route == maps.RouteHashOfMaps:
		id := *f.u32(f.value(s, 0))
		if id == 0 {
			return 0
		}
		return vm.MapHandle(id)
	case f.desc.Route == maps.RoutePerCPUHash || f.desc.Route == maps.RouteLRUPerCPUHash:
		return f.value(s, cpu)
	}
	return f.value(s, 0)
}

// testKey is key number i of size ks (distinct for distinct i).
func testKey(ks, i int) []byte {
	k := make([]byte, ks)
	for j := range k {
		k[j] = byte(i*31 + j*7 + ks)
	}
	k[0] = byte(i)
	if ks > 1 {
		k[1] = byte(i >> 8)
	}
	return k
}

// TestMapLookupHashRoutes: every hash route, key sizes 1..40 plus long
// keys (the loops), constant and dynamic sites, hits, misses, collisions
// (4 buckets, 12 keys), a deleted slot, an entry with the probe's hash
// but another key, an inner-map slot with ID 0.
func TestMapLookupHashRoutes(t *testing.T) {
	needNative(t)
	sizes := []int{}
	for ks := 1; ks <= 40; ks++ {
		sizes = append(sizes, ks)
	}
	sizes = append(sizes, 64, 67, 72, 100)
	for _, route := range hashRoutes {
		for _, m := range modes {
			for _, ks := range sizes {
				if testing.Short() && ks > 9 && ks%8 != 3 {
					continue
				}
				t.Run(fmt.Sprintf("route%d/%s/k%d", route, m.name, ks), func(t *testing.T) {
					testHashMap(t, route, ks, m.constant, m.shaped)
				})
			}
		}
	}
}

func testHashMap(t *testing.T, route uint32, ks int, constant, shaped bool) {
	const max, buckets, ncpu = 16, 4, 2
	f := newFakeMap(t, route, ks, 12, max, ncpu, buckets)
	nkeys := 12
	if ks == 1 {
		nkeys = 8
	}
	for i := 0; i < nkeys; i++ {
		s := f.insert(testKey(ks, i), nil)
		if route == maps.RouteHashOfMaps && i != 3 {
			f.setID(s, uint32(100+i)) // key 3's slot holds ID 0
		}
	}
	// Key 5 is deleted (unlinked, free); key 6's slot stays linked but
	// not in use (a delete caught half way).
	k5 := testKey(ks, 5)
	s5, _ := f.find(k5)
	f.remove(s5, maps.NativeHash(k5, f.desc.Seed)&f.desc.BucketMask)
	s6, _ := f.find(testKey(ks, 6))
	*f.state(s6) = 0
	// A slot with the hash of a probe key but a different key.
	probe := testKey(ks, 200)
	h := maps.NativeHash(probe, f.desc.Seed)
	other := append([]byte(nil), probe...)
	other[len(other)-1] ^= 0x80
	f.insert(other, &h)
	r := newShapedRunner(t, f, f.register(t, fakeID()), constant, shaped)
	keys := [][]byte{probe, other}
	for i := 0; i < nkeys+4; i++ {
		keys = append(keys, testKey(ks, i))
	}
	for _, k := range keys {
		got, cpu := r.run(k)
		if want := f.want(k, cpu); got != want {
			_, res := f.find(k)
			t.Errorf("key %x (cpu %d, reference outcome %d): r0 = %#x, want %#x", k, cpu, res, got, want)
		}
	}
	if route == maps.RouteLRUHash || route == maps.RouteLRUPerCPUHash {
		s, _ := f.find(testKey(ks, 1))
		if *f.ref(s) != 1 {
			t.Errorf("referenced word of a hit slot is %d, want 1", *f.ref(s))
		}
		s, _ = f.find(testKey(ks, 7))
		*f.ref(s) = 7 // set: the route must not write it
		r.run(testKey(ks, 7))
		if *f.ref(s) != 7 {
			t.Errorf("referenced word rewritten to %d", *f.ref(s))
		}
	}
}

// TestMapLookupRestarts: a chain that ends in another bucket's marker, a
// cycle and a link beyond MaxEntries all restart and then take the helper
// exit; a key before the damage is still found.
func TestMapLookupRestarts(t *testing.T) {
	needNative(t)
	for _, m := range modes {
		for _, damage := range []string{"foreign-end", "cycle", "out-of-range"} {
			t.Run(m.name+"/"+damage, func(t *testing.T) {
				f := newFakeMap(t, maps.RouteHash, 8, 8, 8, 1, 1) // one bucket
				s0 := f.insert(testKey(8, 0), nil)
				s1 := f.insert(testKey(8, 1), nil) // head: s1 -> s0 -> end
				switch damage {
				case "foreign-end":
					*f.next(s0) = maps.NativeChainEnd | 1
				case "cycle":
					*f.next(s0) = s1
				default:
					*f.next(s0) = 8
				}
				r := newShapedRunner(t, f, f.register(t, fakeID()), m.constant, m.shaped)
				if got, _ := r.run(testKey(8, 1)); got != f.value(s1, 0) {
					t.Errorf("head key: r0 = %#x, want %#x", got, f.value(s1, 0))
				}
				if got, _ := r.run(testKey(8, 0)); got != f.value(s0, 0) {
					t.Errorf("second key: r0 = %#x, want %#x", got, f.value(s0, 0))
				}
				if got, _ := r.run(testKey(8, 9)); got != sentinel {
					t.Errorf("absent key: r0 = %#x, want the helper exit (%#x)", got, sentinel)
				}
			})
		}
	}
}

// TestMapLookupDynamicRefusals: everything the dynamic routine does not
// recognise takes the helper exit with r1 and r2 intact.
func TestMapLookupDynamicRefusals(t *testing.T) {
	needNative(t)
	f := newFakeMap(t, maps.RouteArray, 4, 8, 4, 1, 0)
	id := fakeID()
	h := f.register(t, id)
	none := newFakeMap(t, maps.RouteNone, 4, 8, 4, 1, 0)
	none.register(t, id+1)
	prog := newFakeMap(t, maps.RouteProgArray, 4, 8, 4, 1, 0)
	prog.register(t, id+2)
	bad := newFakeMap(t, 10, 4, 8, 4, 1, 0)
	bad.register(t, id+3)
	tbl := nativeTable(t)
	cases := map[string]uint64{
		"tag":         h ^ 1<<60,
		"high-bits":   h | 1<<32,
		"func-handle": vm.FuncHandle(3),
		"id-0":        vm.MapHandle(0),
		"id-mismatch": h + maps.NativeTableSize, // same table entry, other ID
		"route-none":  vm.MapHandle(id + 1),
		"prog-array":  vm.MapHandle(id + 2),
		"route-10":    vm.MapHandle(id + 3),
		"zero":        0,
	}
	if tbl[(id+4)&maps.NativeTableMask] == 0 {
		cases["empty-entry"] = vm.MapHandle(id + 4)
	}
	for name, handle := range cases {
		r := newLookupRunner(t, f, handle, false)
		if got, _ := r.run(le32(1)); got != sentinel {
			t.Errorf("%s (%#x): r0 = %#x, want the helper exit", name, handle, got)
		}
	}
	r := newLookupRunner(t, f, h, false)
	if got, _ := r.run(le32(1)); got != f.value(1, 0) {
		t.Errorf("registered: r0 = %#x, want %#x", got, f.value(1, 0))
	}
}
