package amd64

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// fallbackMark is what the test's bpf_map_lookup_elem returns when the
// native route falls back to Go with r1 and r2 intact.
const fallbackMark = 0x5e5e_0000_0000

// keyOff is where the lookup programs put the key, below r10.
const keyOff = 136

// lookupTable returns helpers whose bpf_map_lookup_elem marks a fallback:
// fallbackMark ^ r1 if r2 is where the program put the key, else 1.
func lookupTable() *vm.HelperTable {
	tab := *helpers.Generic()
	tab[helpers.FnMapLookupElem] = func(ctx *vm.Context, r1, r2, _, _, _ uint64) uint64 {
		if r2 != ctx.CPU.StackTop()-keyOff {
			return 1
		}
		return fallbackMark ^ r1
	}
	return &tab
}

// fakeSites makes constant handles of fake maps look like maps with the
// fake's descriptor, until the test ends.
func fakeSites(t testing.TB, fakes ...*fakeMap) {
	old := mapLookupAt
	mapLookupAt = func(p *vm.Program, insns []isa.Instruction, second, target []bool, pc int, num int32) (jit.MapLookupSite, bool) {
		site, ok := old(p, insns, second, target, pc, num)
		for _, f := range fakes {
			if ok && site.Const && site.Handle == vm.MapHandle(f.desc.ID) {
				site.Desc, site.Route, site.KeySize = f.addr, f.desc.Route, f.desc.KeySize
			}
		}
		return site, ok
	}
	t.Cleanup(func() { mapLookupAt = old })
}

// lookupInsns builds a program that writes key at r10-keyOff (the rest of
// the stack below r10 filled with 0xee, so reading past the key changes
// the result), looks it up and returns r0. The map handle is the
// constant h, or (dynamic) the run's r1.
func lookupInsns(key []byte, h uint64, dynamic bool, prefix ...isa.Instruction) []isa.Instruction {
	var insns []isa.Instruction
	ld := func(dst uint8, v uint64) {
		insns = append(insns, isa.Instruction{Opcode: isa.OpLdImm64, Dst: dst, Imm: int32(uint32(v))}, isa.Instruction{Imm: int32(uint32(v >> 32))})
	}
	buf := make([]byte, keyOff)
	for i := range buf {
		buf[i] = 0xee
	}
	copy(buf, key)
	insns = append(insns, isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 6, Src: 1})
	insns = append(insns, prefix...)
	for o := 0; o < keyOff; o += 8 {
		ld(3, binary.LittleEndian.Uint64(buf[o:]))
		insns = append(insns, isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | isa.SizeDW, Dst: 10, Src: 3, Offset: int16(o - keyOff)})
	}
	insns = append(insns,
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 2, Src: 10},
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUAdd | isa.SrcK, Dst: 2, Imm: -keyOff})
	if dynamic {
		insns = append(insns, isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 1, Src: 6})
	} else {
		ld(1, h)
	}
	return append(insns, isa.Instruction{Opcode: isa.OpCall, Imm: helpers.FnMapLookupElem}, isa.Instruction{Opcode: isa.OpExit})
}

// lookupRunner compiles lookup programs and runs them on a CPU.
type lookupRunner struct {
	t    testing.TB
	cpus *vm.CPUs
	tab  *vm.HelperTable
	// prefix goes at the start of every program (it must keep r6).
	prefix []isa.Instruction
}

func newLookupRunner(t testing.TB, ncpu int) *lookupRunner {
	if runtime.GOARCH != "amd64" || !jit.Supported() {
		t.Skip("native code runs on amd64 only")
	}
	cpus, err := vm.NewCPUs(ncpu)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cpus.Close)
	return &lookupRunner{t: t, cpus: cpus, tab: lookupTable()}
}

// prepare compiles a lookup of key in the map h (see lookupInsns) and
// checks that a constant lookup was compiled inline when inline is set.
func (r *lookupRunner) prepare(key []byte, h uint64, dynamic, inline bool, opts jit.Options) prepared {
	r.t.Helper()
	p := &vm.Program{Name: "lookup", Type: "raw", Insns: lookupInsns(key, h, dynamic, r.prefix...), Helpers: r.tab}
	x, err := jit.NewWithOptions(opts).Prepare(p)
	if err != nil {
		r.t.Fatal(err)
	}
	if inline {
		if n := x.(*jit.Executable).Code().Inlined; n != 1 {
			r.t.Fatalf("constant lookup: %d inlined, want 1", n)
		}
	}
	return prepared{x, p}
}

// prepared is a compiled lookup program.
type prepared struct {
	x vm.Executable
	p *vm.Program
}

// run runs x on CPU cpu (its ID) with r1 = h.
func (r *lookupRunner) run(x prepared, cpu int, h uint64) uint64 {
	r.t.Helper()
	var got []*vm.CPU
	defer func() {
		for _, c := range got {
			r.cpus.Release(c)
		}
	}()
	for {
		c := r.cpus.Acquire()
		got = append(got, c)
		if c.ID != cpu {
			continue
		}
		c.Run.Reset(x.p)
		v, err := x.x.Run(&c.Run, h, 0)
		if err != nil {
			r.t.Fatal(err)
		}
		return v
	}
}

// lookup compiles and runs a lookup of key in h both ways (constant map
// inline, and through the lookup routine) on cpu, for plain and blinded
// code, and requires the same result from all, which it returns.
func (r *lookupRunner) lookup(key []byte, h uint64, cpu int, constOK bool) uint64 {
	r.t.Helper()
	var res []uint64
	for _, opts := range []jit.Options{{}, {Blind: true}} {
		for _, dynamic := range []bool{false, true} {
			if !dynamic && !constOK {
				continue
			}
			res = append(res, r.run(r.prepare(key, h, dynamic, !dynamic, opts), cpu, h))
		}
	}
	for _, v := range res[1:] {
		if v != res[0] {
			r.t.Fatalf("key % x in %#x on CPU %d: results differ %#x", key, h, cpu, res)
		}
	}
	return res[0]
}

const fakeID = 0xfe00 // fake map IDs: far above what the tests register

// TestLookupHashKeySizes: hash lookups of keys of 1..40 bytes (every tail
// length) and some longer ones, with collisions in small buckets, deleted slots and keys that
// differ from stored ones only in their first or last byte.
func TestLookupHashKeySizes(t *testing.T) {
	r := newLookupRunner(t, 1)
	sizes := []int{64, 65, 100, 129} // past maxUnrolledKey: loops at constant sites too
	for n := 1; n <= 40; n++ {
		sizes = append(sizes, n)
	}
	for _, n := range sizes {
		id := uint32(fakeID + n)
		f := newFakeMap(t, id, maps.RouteHash, n, 16, 8, 2, 1)
		fakeSites(t, f)
		f.install(t)
		h := vm.MapHandle(id)
		slots := []uint32{5, 0, 7, 2, 3, 6}
		for i, s := range slots {
			f.insert(s, keyOf(n, byte(i)))
		}
		f.unlink(slots[2])
		for i, s := range slots {
			want := f.valueAddr(s, 0)
			if i == 2 {
				want = 0
			}
			if got := r.lookup(keyOf(n, byte(i)), h, 0, true); got != want {
				t.Errorf("key size %d, key %d (slot %d): got %#x, want %#x", n, i, s, got, want)
			}
		}
		for _, probe := range []struct {
			name string
			edit func(k []byte)
		}{
			{"first byte", func(k []byte) { k[0] ^= 0x80 }},
			{"last byte", func(k []byte) { k[n-1] ^= 1 }},
			{"middle byte", func(k []byte) { k[n/2] ^= 0x10 }},
		} {
			k := keyOf(n, 1)
			probe.edit(k)
			if got := r.lookup(k, h, 0, true); got != 0 {
				t.Errorf("key size %d, key 1 with its %s changed: got %#x, want 0", n, probe.name, got)
			}
		}
		if got := r.lookup(keyOf(n, 9), h, 0, true); got != 0 {
			t.Errorf("key size %d, absent key: got %#x, want 0", n, got)
		}
	}
}

// TestLookupHashChains: the reader's rules on hand-made chains of one
// bucket: equal hash but different key, slot not in use; and chains a
// reader cannot finish, which after the bounded restarts go to the Go
// helper (r1, r2 intact): ending in another bucket's marker, a cycle (the
// step bound), a link out of range.
func TestLookupHashChains(t *testing.T) {
	r := newLookupRunner(t, 1)
	for _, n := range []int{12, 8} { // the lookup routine's general and unrolled paths
		hashChains(t, r, n)
	}
}

func hashChains(t *testing.T, r *lookupRunner, n int) {
	f := newFakeMap(t, uint32(fakeID+100+n), maps.RouteHash, n, 8, 8, 1, 1)
	fakeSites(t, f)
	f.install(t)
	h := vm.MapHandle(f.desc.ID)
	want := keyOf(n, 3)
	// slot 4 holds the key, reached after slot 1 (same hash, other key)
	// and slot 2 (the key itself, but not in use).
	f.insert(4, want)
	f.insert(2, want)
	f.insert(1, keyOf(n, 4))
	*f.hash(1) = *f.hash(4)
	*f.state(2) = 0
	if got := r.lookup(want, h, 0, true); got != f.valueAddr(4, 0) {
		t.Fatalf("key size %d, chain 1 -> 2 -> 4: got %#x, want slot 4 %#x", n, got, f.valueAddr(4, 0))
	}
	for _, c := range []struct {
		name string
		set  func()
	}{
		{"other bucket's end", func() { f.setHead(0, 1); *f.next(1) = maps.NativeChainEnd | 1 }},
		{"cycle", func() { f.setHead(0, 1); *f.next(1) = 2; *f.next(2) = 1 }},
		{"link out of range", func() { f.setHead(0, 1); *f.next(1) = 8 }},
		{"head out of range", func() { f.setHead(0, 0x7fffffff) }},
	} {
		c.set()
		if got := r.lookup(want, h, 0, true); got != fallbackMark^h {
			t.Errorf("key size %d, %s: got %#x, want the Go helper's %#x", n, c.name, got, fallbackMark^h)
		}
	}
}

// TestLookupHashVariants: per-CPU values, the LRU referenced word, hash of
// maps, each hit and missed, constant and dynamic.
func TestLookupHashVariants(t *testing.T) {
	r := newLookupRunner(t, 3)
	for _, route := range []uint32{maps.RoutePerCPUHash, maps.RouteLRUHash, maps.RouteLRUPerCPUHash, maps.RouteHashOfMaps} {
		for _, n := range []int{4, 13} {
			id := uint32(fakeID + 200 + int(route)*64 + n)
			f := newFakeMap(t, id, route, n, 12, 4, 2, 3)
			fakeSites(t, f)
			f.install(t)
			h := vm.MapHandle(id)
			f.insert(1, keyOf(n, 1))
			f.insert(3, keyOf(n, 2))
			if route == maps.RouteHashOfMaps {
				f.setID(1, 77)
			}
			for cpu := 0; cpu < 3; cpu++ {
				want := f.valueAddr(1, cpu)
				switch route {
				case maps.RouteHashOfMaps:
					want = vm.MapHandle(77)
				}
				if got := r.lookup(keyOf(n, 1), h, cpu, true); got != want {
					t.Errorf("route %d, key size %d, CPU %d: got %#x, want %#x", route, n, cpu, got, want)
				}
			}
			if route == maps.RouteHashOfMaps {
				// An empty inner slot (ID 0) reads as a miss.
				if got := r.lookup(keyOf(n, 2), h, 0, true); got != 0 {
					t.Errorf("hash of maps, empty slot: got %#x, want 0", got)
				}
			}
			if got := r.lookup(keyOf(n, 5), h, 2, true); got != 0 {
				t.Errorf("route %d, key size %d: absent key: got %#x, want 0", route, n, got)
			}
			lru := route == maps.RouteLRUHash || route == maps.RouteLRUPerCPUHash
			if got := *f.ref(1); got != map[bool]uint32{true: 1, false: 0}[lru] {
				t.Errorf("route %d: referenced word of a hit slot is %d", route, got)
			}
			if got := *f.ref(3); got != 0 && route != maps.RouteHashOfMaps {
				t.Errorf("route %d: referenced word of a slot not hit is %d", route, got)
			}
		}
	}
}

// TestLookupArrays: arrays, per-CPU arrays and arrays of maps through
// their descriptors: in range, at and past max_entries, empty inner slots.
func TestLookupArrays(t *testing.T) {
	r := newLookupRunner(t, 2)
	key := func(i uint32) []byte { return binary.LittleEndian.AppendUint32(nil, i) }
	for _, route := range []uint32{maps.RouteArray, maps.RoutePerCPUArray, maps.RouteArrayOfMaps} {
		id := uint32(fakeID + 300 + int(route))
		f := newFakeMap(t, id, route, 4, 20, 5, 0, 2)
		fakeSites(t, f)
		f.install(t)
		h := vm.MapHandle(id)
		if route == maps.RouteArrayOfMaps {
			f.setID(2, 0xabcdef)
		}
		for _, i := range []uint32{0, 2, 4, 5, 6, 1 << 31, 0xffffffff} {
			for cpu := 0; cpu < 2; cpu++ {
				var want uint64
				switch {
				case i >= 5:
				case route == maps.RouteArrayOfMaps && i == 2:
					want = vm.MapHandle(0xabcdef)
				case route == maps.RouteArrayOfMaps:
				default:
					want = f.valueAddr(i, cpu)
				}
				if got := r.lookup(key(i), h, cpu, true); got != want {
					t.Errorf("route %d, index %d, CPU %d: got %#x, want %#x", route, i, cpu, got, want)
				}
			}
		}
	}
}

// TestLookupFallback: whatever the native routes cannot decide goes to
// the Go helper with r1 and r2 intact: a handle with a bad tag, an ID with
// no table entry or another map's entry, a descriptor without a lookup
// route, a CPU beyond the map's NCPU.
func TestLookupFallback(t *testing.T) {
	r := newLookupRunner(t, 2)
	f := newFakeMap(t, fakeID+400, maps.RouteHash, 4, 8, 4, 1, 1)
	f.install(t)
	f.insert(0, keyOf(4, 0))
	k := keyOf(4, 0)
	h := vm.MapHandle(f.desc.ID)
	x := r.prepare(k, 0, true, false, jit.Options{})
	if got := r.run(x, 0, h); got != f.valueAddr(0, 0) {
		t.Fatalf("installed map: got %#x, want %#x", got, f.valueAddr(0, 0))
	}
	for _, bad := range []uint64{0, 1, h | 1<<32, h | 1<<47, h ^ 1<<63, uint64(f.desc.ID), vm.FuncHandle(0), vm.MapHandle(f.desc.ID + maps.NativeTableSize), vm.MapHandle(fakeID + 401)} {
		if got := r.run(x, 0, bad); got != fallbackMark^bad {
			t.Errorf("handle %#x: got %#x, want the Go helper's %#x", bad, got, fallbackMark^bad)
		}
	}
	for _, route := range []uint32{maps.RouteNone, maps.RouteProgArray, 99} {
		f.desc.Route = route
		if got := r.run(x, 0, h); got != fallbackMark^h {
			t.Errorf("route %d: got %#x, want the Go helper's", route, got)
		}
	}
	f.desc.Route = maps.RouteHash
	// Per-CPU values of a CPU the map does not have: Go decides.
	pc := newFakeMap(t, fakeID+402, maps.RoutePerCPUArray, 4, 8, 4, 0, 1)
	pc.install(t)
	fakeSites(t, pc)
	hp := vm.MapHandle(pc.desc.ID)
	k0 := binary.LittleEndian.AppendUint32(nil, 1)
	for _, dynamic := range []bool{false, true} {
		x := r.prepare(k0, hp, dynamic, !dynamic, jit.Options{})
		if got := r.run(x, 0, hp); got != pc.valueAddr(1, 0) {
			t.Errorf("dynamic %v, CPU 0: got %#x, want %#x", dynamic, got, pc.valueAddr(1, 0))
		}
		if got := r.run(x, 1, hp); got != fallbackMark^hp {
			t.Errorf("dynamic %v, CPU 1 of a 1-CPU map: got %#x, want the Go helper's", dynamic, got)
		}
	}
}

// TestLookupConcurrentWriters: lookups on every CPU while another
// goroutine inserts and deletes keys in the same buckets (slots move
// between chains). Stable keys must read as their slot (a miss is allowed
// only after the bounded restarts); churned keys as a slot or a miss.
func TestLookupConcurrentWriters(t *testing.T) {
	const ncpu = 2
	r := newLookupRunner(t, ncpu)
	const n = 16
	f := newFakeMap(t, fakeID+500, maps.RouteHash, n, 8, 64, 4, 1)
	fakeSites(t, f)
	f.install(t)
	h := vm.MapHandle(f.desc.ID)
	stable := map[uint32][]byte{}
	for i := 0; i < 8; i++ {
		s := f.free[len(f.free)-1]
		f.free = f.free[:len(f.free)-1]
		stable[s] = keyOf(n, byte(i))
		f.insert(s, stable[s])
	}
	churn := func(i int) []byte {
		k := make([]byte, n)
		binary.LittleEndian.PutUint64(k, 0xc0c0_0000_0000_0000|uint64(i%40))
		binary.LittleEndian.PutUint64(k[8:], 0xd0d0_0000_0000_0000|uint64(i%40))
		return k
	}
	var stop atomic.Bool
	var ops atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var live []uint32
		for i := 0; !stop.Load(); i++ {
			ops.Add(1)
			if len(live) > 20 || (len(live) > 0 && i%3 == 0) {
				s := live[0]
				live = live[1:]
				f.unlink(s)
				f.free = append([]uint32{s}, f.free...)
				continue
			}
			s := f.free[len(f.free)-1]
			f.free = f.free[:len(f.free)-1]
			f.insert(s, churn(i))
			live = append(live, s)
		}
	}()
	type prog struct {
		x      prepared
		want   uint64
		stable bool
	}
	var progs []prog
	for s, k := range stable {
		for _, dynamic := range []bool{false, true} {
			progs = append(progs, prog{r.prepare(k, h, dynamic, !dynamic, jit.Options{}), f.valueAddr(s, 0), true})
		}
	}
	for i := 0; i < 4; i++ {
		progs = append(progs, prog{r.prepare(churn(i), h, true, false, jit.Options{}), 0, false})
	}
	lo, hi := f.desc.Values, f.desc.Values+uint64(f.desc.MaxEntries)*f.desc.Stride
	var misses, fallbacks, total atomic.Int64
	var rw sync.WaitGroup
	for c := 0; c < ncpu; c++ {
		rw.Add(1)
		go func() {
			defer rw.Done()
			for round := 0; round < 2000 || busy(&ops, start); round++ {
				cpu := r.cpus.Acquire()
				for _, p := range progs {
					cpu.Run.Reset(p.x.p)
					got, err := p.x.x.Run(&cpu.Run, h, 0)
					total.Add(1)
					switch {
					case err != nil:
						t.Error(err)
					case got == fallbackMark^h:
						fallbacks.Add(1) // restarts used up: Go decides
					case got == 0:
						if p.stable {
							misses.Add(1)
						}
					case p.stable && got != p.want:
						t.Errorf("stable key: got %#x, want %#x", got, p.want)
					case !p.stable && (got < lo || got >= hi || (got-lo)%f.desc.Stride != 0):
						t.Errorf("churned key: %#x is no value address", got)
					}
				}
				r.cpus.Release(cpu)
			}
		}()
	}
	rw.Wait()
	stop.Store(true)
	wg.Wait()
	if m := misses.Load(); m != 0 {
		t.Errorf("%d of %d lookups of stable keys missed", m, total.Load())
	}
	if f := fallbacks.Load(); f*100 > total.Load() {
		t.Errorf("%d of %d lookups fell back to Go", f, total.Load())
	}
	t.Logf("%d lookups during %d writes, %d fell back to Go", total.Load(), ops.Load(), fallbacks.Load())
}

// TestLookupRealMaps: lookups in the maps package's own maps take their
// native routes (the test's Go helper would mark a fallback) and return
// exactly what the map's Go lookup returns, for every type with a route,
// hits and misses, keys of several sizes, on two CPUs.
func TestLookupRealMaps(t *testing.T) {
	r := newLookupRunner(t, 2)
	for _, spec := range []maps.Spec{
		{Type: maps.Array, KeySize: 4, ValueSize: 12, MaxEntries: 4},
		{Type: maps.PerCPUArray, KeySize: 4, ValueSize: 12, MaxEntries: 4},
		{Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 8},
		{Type: maps.Hash, KeySize: 11, ValueSize: 8, MaxEntries: 8},
		{Type: maps.Hash, KeySize: 40, ValueSize: 8, MaxEntries: 8},
		{Type: maps.PerCPUHash, KeySize: 7, ValueSize: 24, MaxEntries: 8},
		{Type: maps.LRUHash, KeySize: 16, ValueSize: 8, MaxEntries: 8},
		{Type: maps.LRUCPUHash, KeySize: 3, ValueSize: 8, MaxEntries: 8},
	} {
		m, err := maps.New(spec, maps.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id := maps.Register(m)
		defer maps.Unregister(id)
		if _, ok := maps.NativeDescOf(m); !ok {
			t.Logf("%v: no native route yet", spec.Type)
			continue
		}
		vs := int(spec.ValueSize)
		if spec.Type.PerCPU() {
			vs = ((vs + 7) &^ 7) * maps.PossibleCPUs()
		}
		n := int(spec.KeySize)
		for i := 0; i < 3; i++ {
			k := keyOf(n, byte(i))
			if n == 4 {
				k = binary.LittleEndian.AppendUint32(nil, uint32(i))
			}
			if err := m.Update(k, make([]byte, vs), 0); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 5; i++ {
			k := keyOf(n, byte(i))
			if n == 4 {
				k = binary.LittleEndian.AppendUint32(nil, uint32(i*3))
			}
			for cpu := 0; cpu < 2; cpu++ {
				want := uint64(m.LookupElem(k, cpu))
				if got := r.lookup(k, vm.MapHandle(id), cpu, true); got != want {
					t.Errorf("%v, key size %d, key %d, CPU %d: got %#x, want %#x", spec.Type, n, i, cpu, got, want)
				}
			}
		}
	}
}

// TestLookupInnerShapes: a program that names a map of maps gets a lookup
// routine specialised for its inner maps' route and key size; maps of
// another route or key size reached through a register still take the
// general path, and all give their Go lookups' results.
func TestLookupInnerShapes(t *testing.T) {
	r := newLookupRunner(t, 1)
	tmpl := maps.Spec{Type: maps.Hash, KeySize: 8, ValueSize: 8, MaxEntries: 8}
	outer, err := maps.New(maps.Spec{Type: maps.ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: &tmpl}, maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	oid := maps.Register(outer)
	defer maps.Unregister(oid)
	r.prefix = []isa.Instruction{{Opcode: isa.OpLdImm64, Dst: 4, Imm: int32(oid)}, {Imm: int32(uint32(vm.MapHandle(oid) >> 32))}}
	for _, spec := range []maps.Spec{
		tmpl,
		{Type: maps.PerCPUHash, KeySize: 8, ValueSize: 8, MaxEntries: 8},
		{Type: maps.Hash, KeySize: 12, ValueSize: 8, MaxEntries: 8},
		{Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 8},
	} {
		m, err := maps.New(spec, maps.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id := maps.Register(m)
		defer maps.Unregister(id)
		vs := 8
		if spec.Type.PerCPU() {
			vs *= maps.PossibleCPUs()
		}
		n := int(spec.KeySize)
		key := func(i int) []byte {
			if spec.Type == maps.Array {
				return binary.LittleEndian.AppendUint32(nil, uint32(i*5))
			}
			return keyOf(n, byte(i))
		}
		if err := m.Update(key(1), make([]byte, vs), 0); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			want := uint64(m.LookupElem(key(i), 0))
			if i == 1 && want == 0 {
				t.Fatalf("%v: key 1 missing", spec.Type)
			}
			if got := r.lookup(key(i), vm.MapHandle(id), 0, false); got != want {
				t.Errorf("%v, key size %d, key %d: got %#x, want %#x", spec.Type, n, i, got, want)
			}
		}
	}
}

// TestLookupRealConcurrent: native lookups in real maps while other
// goroutines update and delete other keys (hash) and swap inner maps
// (array of maps). Stable keys always read as their values (after the
// bounded restarts the Go helper walks under the lock); the outer slot as
// one of the two inner maps.
func TestLookupRealConcurrent(t *testing.T) {
	r := newLookupRunner(t, 2)
	r.tab = helpers.Generic()
	h, err := maps.New(maps.Spec{Type: maps.Hash, KeySize: 8, ValueSize: 8, MaxEntries: 64}, maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hid := maps.Register(h)
	defer maps.Unregister(hid)
	tmpl := maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 2}
	var inner [2]uint32
	for i := range inner {
		m, err := maps.New(tmpl, maps.Options{})
		if err != nil {
			t.Fatal(err)
		}
		inner[i] = maps.Register(m)
		defer maps.Unregister(inner[i])
	}
	aom, err := maps.New(maps.Spec{Type: maps.ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 1, InnerMap: &tmpl}, maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	aid := maps.Register(aom)
	defer maps.Unregister(aid)
	zero := binary.LittleEndian.AppendUint32(nil, 0)
	if err := aom.Update(zero, binary.LittleEndian.AppendUint32(nil, inner[0]), 0); err != nil {
		t.Fatal(err)
	}
	key := func(i int) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(i)) }
	type prog struct {
		x    prepared
		h    uint64
		want []uint64
	}
	var progs []prog
	for i := 0; i < 8; i++ {
		if err := h.Update(key(i), make([]byte, 8), 0); err != nil {
			t.Fatal(err)
		}
		want := uint64(h.LookupElem(key(i), 0))
		for _, dynamic := range []bool{false, true} {
			progs = append(progs, prog{r.prepare(key(i), vm.MapHandle(hid), dynamic, !dynamic, jit.Options{}), vm.MapHandle(hid), []uint64{want}})
		}
	}
	progs = append(progs, prog{r.prepare(zero, vm.MapHandle(aid), false, true, jit.Options{}), vm.MapHandle(aid), []uint64{vm.MapHandle(inner[0]), vm.MapHandle(inner[1])}})
	var stop atomic.Bool
	var ops atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			ops.Add(1)
			k := key(100 + i%40)
			if i%2 == 0 {
				h.Update(k, make([]byte, 8), 0)
			} else {
				h.Delete(key(100 + (i/2)%40))
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			aom.Update(zero, binary.LittleEndian.AppendUint32(nil, inner[i%2]), 0)
		}
	}()
	var misses, total atomic.Int64
	var rw sync.WaitGroup
	for c := 0; c < 2; c++ {
		rw.Add(1)
		go func() {
			defer rw.Done()
			for round := 0; round < 1000 || busy(&ops, start); round++ {
				cpu := r.cpus.Acquire()
				for _, p := range progs {
					cpu.Run.Reset(p.x.p)
					got, err := p.x.x.Run(&cpu.Run, p.h, 0)
					if err != nil {
						t.Error(err)
						continue
					}
					total.Add(1)
					ok := got == 0 && len(p.want) > 1 // the outer slot may be empty mid-update
					for _, w := range p.want {
						ok = ok || got == w
					}
					if !ok {
						t.Errorf("got %#x, want one of %#x", got, p.want)
					}
					if got == 0 {
						misses.Add(1)
					}
				}
				r.cpus.Release(cpu)
			}
		}()
	}
	rw.Wait()
	stop.Store(true)
	wg.Wait()
	t.Logf("%d lookups during %d writes, %d missed", total.Load(), ops.Load(), misses.Load())
}

// busy reports whether the readers of a concurrency test should go on:
// until the writers did 20000 operations (a loaded machine may not have
// scheduled them yet), for at most two seconds.
func busy(ops *atomic.Int64, start time.Time) bool {
	return ops.Load() < 20000 && time.Since(start) < 2*time.Second
}

// TestLookupLRUEvictionOrder: the referenced word native lookups set
// drives the LRU map's eviction exactly as the Go helper's lookups do. Two
// identical LRU maps get the same updates from Go, and the same lookups,
// one map through the interpreter, the other natively; afterwards they
// hold the same keys.
func TestLookupLRUEvictionOrder(t *testing.T) {
	r := newLookupRunner(t, 1)
	r.tab = helpers.Generic()
	spec := maps.Spec{Type: maps.LRUHash, KeySize: 4, ValueSize: 8, MaxEntries: 16}
	var ms [2]maps.Map
	var hs [2]uint64
	for i := range ms {
		m, err := maps.New(spec, maps.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id := maps.Register(m)
		defer maps.Unregister(id)
		ms[i], hs[i] = m, vm.MapHandle(id)
	}
	key := func(i int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(i)) }
	progs := map[int][2]prepared{}
	lookup := func(k int) {
		p, ok := progs[k]
		if !ok {
			for i := range p {
				p[i] = r.prepare(key(k), hs[i], false, i == 1, jit.Options{})
			}
			// The first map's program runs in the interpreter.
			x, err := interp.New().Prepare(p[0].p)
			if err != nil {
				t.Fatal(err)
			}
			p[0].x = x
			progs[k] = p
		}
		var got [2]uint64
		for i := range p {
			got[i] = r.run(p[i], 0, hs[i])
		}
		if (got[0] == 0) != (got[1] == 0) {
			t.Fatalf("key %d: interpreter %#x, native %#x", k, got[0], got[1])
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for step := 0; step < 3000; step++ {
		k := rng.IntN(40)
		if rng.IntN(3) == 0 {
			for _, m := range ms {
				if err := m.Update(key(k), make([]byte, 8), 0); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		lookup(k)
	}
	var sets [2]map[uint32]bool
	for i, m := range ms {
		sets[i] = map[uint32]bool{}
		var cur []byte
		next := make([]byte, 4)
		for m.NextKey(cur, next) == nil {
			sets[i][binary.LittleEndian.Uint32(next)] = true
			cur = append(cur[:0], next...)
		}
	}
	if fmt.Sprint(sets[0]) != fmt.Sprint(sets[1]) {
		t.Fatalf("keys after the same operations: interpreter %v, native %v", sets[0], sets[1])
	}
	if len(sets[0]) != 16 {
		t.Fatalf("%d keys, want a full map (16)", len(sets[0]))
	}
}
