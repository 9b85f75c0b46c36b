package arm64_test

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/jit/arm64"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/vm"
)

var (
	oneCPUOnce sync.Once
	oneCPU     *vm.CPUs
	oneCPUErr  error
)

// oneCPUSet is a one-CPU set, so per-CPU addresses agree between runs.
func oneCPUSet(t testing.TB) *vm.CPUs {
	oneCPUOnce.Do(func() { oneCPU, oneCPUErr = vm.NewCPUs(1) })
	if oneCPUErr != nil {
		t.Fatal(oneCPUErr)
	}
	return oneCPU
}

// realMap creates and registers a map of typ (unregistered at the end).
func realMap(t testing.TB, typ maps.Type, ks, vs, max int) (maps.Map, uint64) {
	t.Helper()
	m, err := maps.New(maps.Spec{Type: typ, KeySize: uint32(ks), ValueSize: uint32(vs), MaxEntries: uint32(max)}, maps.Options{NumCPU: 2})
	if err != nil {
		t.Fatal(err)
	}
	id := maps.Register(m)
	t.Cleanup(func() { maps.Unregister(id); m.Close() })
	if _, ok := maps.NativeDescOf(m); !ok {
		t.Skipf("%v maps have no native descriptor yet", typ)
	}
	return m, vm.MapHandle(id)
}

// realRun compiles lookupProgram(handle) with opts and returns a function
// that runs it on key (on the one-CPU set) and returns r0.
func realRun(t *testing.T, handle uint64, constant bool, opts jit.Options) func(key []byte) uint64 {
	t.Helper()
	p := &vm.Program{Name: "lookup", Type: progtype.Raw.Name(), Insns: lookupProgram(handle, constant), Helpers: progtype.Raw.Helpers()}
	if !opts.NoInline {
		if sites, _, err := arm64.LookupSites(p); err != nil || sites != 1 {
			t.Fatalf("%d native lookup sites (%v), want 1", sites, err)
		}
	}
	exe, err := jit.NewWithOptions(opts).Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	return func(key []byte) uint64 {
		data := make([]byte, keyOff+144)
		copy(data[keyOff:], key)
		var out progtype.RunOutput
		if err := progtype.Run(progtype.Raw, exe, p, oneCPUSet(t), &progtype.RunInput{Data: data}, &out); err != nil {
			t.Fatal(err)
		}
		return out.Ret
	}
}

// TestMapLookupRealMaps compares the native routes with the Go helper
// (the same program compiled with NoInline) on maps of the maps package,
// with and without constant blinding:
// both must return the same address (or 0) for hits, misses, deleted
// keys and out-of-range indexes.
func TestMapLookupRealMaps(t *testing.T) {
	needNative(t)
	type tc struct {
		typ maps.Type
		ks  int
	}
	var cases []tc
	for _, typ := range []maps.Type{maps.Array, maps.PerCPUArray} {
		cases = append(cases, tc{typ, 4})
	}
	for _, typ := range []maps.Type{maps.Hash, maps.PerCPUHash, maps.LRUHash, maps.LRUCPUHash} {
		for _, ks := range []int{1, 4, 6, 8, 13, 40} {
			cases = append(cases, tc{typ, ks})
		}
	}
	for _, c := range cases {
		for _, m := range modes {
			t.Run(fmt.Sprintf("%v/k%d/%s", c.typ, c.ks, m.name), func(t *testing.T) {
				const max = 32
				mp, h := realMap(t, c.typ, c.ks, 16, max)
				var keys [][]byte
				isArray := c.typ == maps.Array || c.typ == maps.PerCPUArray
				for i := 0; i < 40; i++ {
					k := testKey(c.ks, i)
					if isArray {
						k = le32(uint32(i))
					}
					keys = append(keys, k)
				}
				if !isArray {
					val := make([]byte, 16)
					if c.typ == maps.PerCPUHash || c.typ == maps.LRUCPUHash {
						val = make([]byte, 32)
					}
					for i := 0; i < 20; i++ {
						if err := mp.Update(keys[i], val, 0); err != nil {
							t.Fatal(err)
						}
					}
					for i := 0; i < 20; i += 3 {
						if err := mp.Delete(keys[i]); err != nil {
							t.Fatal(err)
						}
					}
				}
				native := realRun(t, h, m.constant, jit.Options{})
				blinded := realRun(t, h, m.constant, jit.Options{Blind: true})
				goHelper := realRun(t, h, m.constant, jit.Options{NoInline: true})
				hits := 0
				for _, k := range append(keys, le32(1<<31), le32(0xffffffff)) {
					if len(k) != c.ks {
						continue
					}
					got, want := native(k), goHelper(k)
					if got != want {
						t.Errorf("key %x: native r0 = %#x, Go helper %#x", k, got, want)
					}
					if b := blinded(k); b != want {
						t.Errorf("key %x: blinded native r0 = %#x, Go helper %#x", k, b, want)
					}
					if got != 0 {
						hits++
					}
				}
				if hits == 0 {
					t.Error("no key was found: the test checks nothing")
				}
			})
		}
	}
}

// TestMapLookupConcurrentWriters runs native lookups of a real hash map
// while Go goroutines insert, overwrite and delete its keys: every result
// must be 0 or the address of a value slot of the map (a concurrently
// reused slot may be returned, as in the kernel, but never memory outside
// the map), and keys nobody deletes must always be found.
func TestMapLookupConcurrentWriters(t *testing.T) {
	needNative(t)
	const max, ks = 64, 12
	mp, h := realMap(t, maps.Hash, ks, 8, max)
	addr, _ := maps.NativeDescOf(mp)
	d := (*maps.NativeDesc)(unsafe.Add(unsafe.Pointer(nil), addr))
	stable := testKey(ks, 1000)
	val := make([]byte, 8)
	if err := mp.Update(stable, val, 0); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var ops atomic.Int64 // writer operations done
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			v := make([]byte, 8)
			for n := 0; !stop.Load(); n++ {
				k := testKey(ks, w*100+n%40)
				binary.LittleEndian.PutUint64(v, uint64(n))
				if n%3 == 2 {
					mp.Delete(k)
				} else {
					mp.Update(k, v, 0) // may fail when full: fine
				}
				ops.Add(1)
			}
		}(w)
	}
	for _, m := range modes {
		run := realRun(t, h, m.constant, jit.Options{})
		n := 3000
		if testing.Short() {
			n = 500
		}
		// Run until the writers made progress too (under qemu they may
		// start late), within a bound.
		start := ops.Load()
		for i := 0; i < n || ops.Load()-start < 2000 && i < 100*n; i++ {
			k := testKey(ks, (i%2)*100+i%40)
			if i%5 == 0 {
				k = stable
			}
			r0 := run(k)
			if k[0] == stable[0] && string(k) == string(stable) && r0 == 0 {
				t.Fatalf("%s: the key nobody deletes was not found", m.name)
			}
			if r0 != 0 && (r0 < d.Values || r0 >= d.Values+max*d.Stride || (r0-d.Values)%d.Stride != 0) {
				t.Fatalf("%s: r0 = %#x is not a value slot (values at %#x, stride %d)", m.name, r0, d.Values, d.Stride)
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	if ops.Load() < 2000 {
		t.Errorf("the writers did only %d operations: the test raced nothing", ops.Load())
	}
}
