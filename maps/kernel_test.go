//go:build linux

package maps

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// kernelMap creates spec in the running kernel, or skips the test when the
// bpf() syscall is not available.
func kernelMap(t *testing.T, spec Spec) *ebpf.Map {
	t.Helper()
	km, err := ebpf.NewMap(&ebpf.MapSpec{
		Type: ebpf.MapType(spec.Type), KeySize: spec.KeySize, ValueSize: spec.ValueSize,
		MaxEntries: spec.MaxEntries, Flags: spec.Flags,
	})
	if err != nil {
		t.Skipf("kernel maps unavailable (bpf(): %v); skipping the differential test", err)
	}
	t.Cleanup(func() { km.Close() })
	return km
}

// kerrno extracts the errno of a cilium/ebpf error (0 for nil).
func kerrno(err error) Errno {
	if err == nil {
		return 0
	}
	var e unix.Errno
	if errors.As(err, &e) {
		return Errno(e)
	}
	return Errno(-1)
}

// diffOps applies the same random operations to a bpfhost map and a kernel
// map and compares every result, then the final contents.
type diffOps struct {
	t       *testing.T
	m       Map
	km      *ebpf.Map
	rng     *rand.Rand
	keyGen  func() []byte
	ordered bool // compare NextKey order exactly, not just the key set
}

// kval converts a user-space value buffer to what cilium/ebpf marshals:
// per-CPU maps in these tests have 8-byte values, passed as []uint64.
func (d *diffOps) kval(v []byte) any {
	if !d.m.Spec().Type.PerCPU() {
		return v
	}
	out := make([]uint64, len(v)/8)
	for i := range out {
		out[i] = le64(v[8*i:])
	}
	return out
}

// klookup runs a kernel lookup-like call into a buffer laid out like ours.
func (d *diffOps) klookup(f func(key, out any) error, key, buf []byte) error {
	if !d.m.Spec().Type.PerCPU() {
		return f(key, buf)
	}
	var out []uint64
	err := f(key, &out)
	for i, x := range out {
		copy(buf[8*i:], u64(x))
	}
	return err
}

func (d *diffOps) check(op string, err error, kerr error) {
	d.t.Helper()
	if ErrnoOf(err) != kerrno(kerr) {
		d.t.Fatalf("%s: bpfhost %v (errno %d), kernel %v (errno %d)", op, err, ErrnoOf(err), kerr, kerrno(kerr))
	}
}

func (d *diffOps) value() []byte {
	v := make([]byte, d.m.(interface{ userValueSize() int }).userValueSize())
	d.rng.Read(v)
	if d.m.Spec().Type.PerCPU() {
		// Only value_size bytes of each rounded per-CPU value are stored.
		vs, elem := int(d.m.Spec().ValueSize), int(round8(uint64(d.m.Spec().ValueSize)))
		for off := 0; off < len(v); off += elem {
			clear(v[off+vs : off+elem])
		}
	}
	return v
}

func (d *diffOps) run(n int) {
	flagsOf := []uint64{UpdateAny, UpdateNoExist, UpdateExist, UpdateAny, 3}
	kflags := []ebpf.MapUpdateFlags{ebpf.UpdateAny, ebpf.UpdateNoExist, ebpf.UpdateExist, ebpf.UpdateAny, 3}
	vs := d.m.(interface{ userValueSize() int }).userValueSize()
	for i := 0; i < n; i++ {
		key := d.keyGen()
		switch op := d.rng.Intn(6); op {
		case 0, 1:
			v, f := d.value(), d.rng.Intn(len(flagsOf))
			d.check(fmt.Sprintf("op %d update %x flags %d", i, key, flagsOf[f]), d.m.Update(key, v, flagsOf[f]), d.km.Update(key, d.kval(v), kflags[f]))
		case 2:
			d.check(fmt.Sprintf("op %d delete %x", i, key), d.m.Delete(key), d.km.Delete(key))
		case 3:
			a, b := make([]byte, vs), make([]byte, vs)
			err, kerr := d.m.Lookup(key, a), d.klookup(d.km.Lookup, key, b)
			d.check(fmt.Sprintf("op %d lookup %x", i, key), err, kerr)
			if err == nil && !bytes.Equal(a, b) {
				d.t.Fatalf("op %d lookup %x: bpfhost %x, kernel %x", i, key, a, b)
			}
		case 4:
			if !d.ordered && d.m.Lookup(key, make([]byte, vs)) == nil {
				// Whether a present key is the last one depends on the
				// iteration order, which differs for hash maps.
				continue
			}
			a, b := make([]byte, len(key)), make([]byte, len(key))
			err, kerr := d.m.NextKey(key, a), d.km.NextKey(key, b)
			d.check(fmt.Sprintf("op %d next key %x", i, key), err, kerr)
			if err == nil && d.ordered && !bytes.Equal(a, b) {
				d.t.Fatalf("op %d next key of %x: bpfhost %x, kernel %x", i, key, a, b)
			}
		case 5:
			if t := d.m.Spec().Type; t == Hash || t == PerCPUHash || t == LRUHash || t == LRUCPUHash {
				a, b := make([]byte, vs), make([]byte, vs)
				err, kerr := d.m.LookupAndDelete(key, a), d.klookup(d.km.LookupAndDelete, key, b)
				d.check(fmt.Sprintf("op %d lookup-and-delete %x", i, key), err, kerr)
				if err == nil && !bytes.Equal(a, b) {
					d.t.Fatalf("op %d lookup-and-delete %x: bpfhost %x, kernel %x", i, key, a, b)
				}
			}
		}
	}
	d.compareContents()
}

func (d *diffOps) compareContents() {
	d.t.Helper()
	var kkeys [][]byte
	var key []byte
	for {
		next := make([]byte, d.m.Spec().KeySize)
		var err error
		if key == nil {
			err = d.km.NextKey(nil, next)
		} else {
			err = d.km.NextKey(key, next)
		}
		if err != nil {
			break
		}
		kkeys = append(kkeys, next)
		key = next
	}
	ours := keysOf(d.t, d.m)
	if !d.ordered {
		for _, ks := range [][][]byte{kkeys, ours} {
			sort.Slice(ks, func(i, j int) bool { return bytes.Compare(ks[i], ks[j]) < 0 })
		}
	}
	if fmt.Sprint(ours) != fmt.Sprint(kkeys) {
		d.t.Fatalf("final keys differ:\nbpfhost %x\nkernel  %x", ours, kkeys)
	}
	vs := d.m.(interface{ userValueSize() int }).userValueSize()
	for _, k := range ours {
		a, b := make([]byte, vs), make([]byte, vs)
		if err := d.m.Lookup(k, a); err != nil {
			d.t.Fatal(err)
		}
		if err := d.klookup(d.km.Lookup, k, b); err != nil {
			d.t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			d.t.Fatalf("final value of %x: bpfhost %x, kernel %x", k, a, b)
		}
	}
}

func TestKernelDifferential(t *testing.T) {
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		t.Skipf("possible CPUs unknown: %v", err)
	}
	key32 := func(rng *rand.Rand, n uint32) func() []byte {
		return func() []byte { return u32(uint32(rng.Intn(int(n)))) }
	}
	cases := []struct {
		spec    Spec
		ordered bool
		keys    func(*rand.Rand) func() []byte
	}{
		{Spec{Type: Array, KeySize: 4, ValueSize: 12, MaxEntries: 8}, true, func(r *rand.Rand) func() []byte { return key32(r, 10) }},
		{Spec{Type: PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 4}, true, func(r *rand.Rand) func() []byte { return key32(r, 6) }},
		{Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 16}, false, func(r *rand.Rand) func() []byte { return key32(r, 24) }},
		{Spec{Type: Hash, KeySize: 6, ValueSize: 3, MaxEntries: 5, Flags: FlagNoPrealloc}, false, func(r *rand.Rand) func() []byte {
			return func() []byte { k := make([]byte, 6); k[r.Intn(6)] = byte(r.Intn(3)); return k }
		}},
		{Spec{Type: PerCPUHash, KeySize: 4, ValueSize: 8, MaxEntries: 8}, false, func(r *rand.Rand) func() []byte { return key32(r, 12) }},
		// Far from full, so the kernel's approximate LRU never evicts.
		{Spec{Type: LRUHash, KeySize: 4, ValueSize: 8, MaxEntries: 1024}, false, func(r *rand.Rand) func() []byte { return key32(r, 64) }},
		{Spec{Type: LPMTrie, KeySize: 6, ValueSize: 4, MaxEntries: 12, Flags: FlagNoPrealloc}, true, func(r *rand.Rand) func() []byte {
			return func() []byte { return lpmKey(uint32(r.Intn(18)), byte(r.Intn(4))<<6|byte(r.Intn(2)), byte(r.Intn(4))) }
		}},
		{Spec{Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 64, Flags: FlagNoPrealloc}, true, func(r *rand.Rand) func() []byte {
			return func() []byte {
				return lpmKey(uint32(r.Intn(34)), 10, byte(r.Intn(2))<<7|byte(r.Intn(2)), byte(r.Intn(3)), byte(r.Intn(256)))
			}
		}},
	}
	for _, c := range cases {
		for seed := int64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", c.spec.Type, seed), func(t *testing.T) {
				km := kernelMap(t, c.spec)
				m := mustNew(t, c.spec, Options{NumCPU: ncpu})
				rng := rand.New(rand.NewSource(seed))
				d := &diffOps{t: t, m: m, km: km, rng: rng, keyGen: c.keys(rng), ordered: c.ordered}
				d.run(3000)
			})
		}
	}
	for _, typ := range []Type{Queue, Stack} {
		t.Run(typ.String(), func(t *testing.T) {
			spec := Spec{Type: typ, ValueSize: 4, MaxEntries: 5}
			km := kernelMap(t, spec)
			m := mustNew(t, spec, Options{})
			rng := rand.New(rand.NewSource(int64(typ)))
			for i := 0; i < 2000; i++ {
				a, b := make([]byte, 4), make([]byte, 4)
				var err, kerr error
				switch op := rng.Intn(4); op {
				case 0, 1:
					f := []uint64{0, UpdateExist, UpdateNoExist, 0}[rng.Intn(4)]
					v := u32(uint32(i))
					err, kerr = m.Update(nil, v, f), km.Update(nil, v, ebpf.MapUpdateFlags(f))
				case 2:
					err, kerr = m.Lookup(nil, a), km.Lookup(nil, b)
				case 3:
					err, kerr = m.LookupAndDelete(nil, a), km.LookupAndDelete(nil, b)
				}
				if ErrnoOf(err) != kerrno(kerr) || !bytes.Equal(a, b) {
					t.Fatalf("op %d: bpfhost %v %x, kernel %v %x", i, err, a, kerr, b)
				}
			}
		})
	}
}

// TestKernelValidation compares map creation refusals with the kernel's.
func TestKernelValidation(t *testing.T) {
	kernelMap(t, Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	for _, s := range []Spec{
		{Type: Array, KeySize: 8, ValueSize: 4, MaxEntries: 1},
		{Type: Array, KeySize: 4, ValueSize: 0, MaxEntries: 1},
		{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 0},
		{Type: Hash, KeySize: 0, ValueSize: 4, MaxEntries: 1},
		{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoCommonLRU},
		{Type: LRUHash, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc},
		{Type: LPMTrie, KeySize: 8, ValueSize: 4, MaxEntries: 1},
		{Type: LPMTrie, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc},
		{Type: LPMTrie, KeySize: 261, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc},
		{Type: Queue, KeySize: 4, ValueSize: 4, MaxEntries: 1},
		{Type: Stack, KeySize: 0, ValueSize: 0, MaxEntries: 1},
		{Type: RingBuf, KeySize: 0, ValueSize: 0, MaxEntries: 4096 * 3},
		{Type: RingBuf, KeySize: 0, ValueSize: 0, MaxEntries: 1024},
		{Type: RingBuf, KeySize: 4, ValueSize: 0, MaxEntries: 4096},
		{Type: ProgArray, KeySize: 4, ValueSize: 8, MaxEntries: 1},
		{Type: PerCPUArray, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagMmapable},
		{Type: PerCPUArray, KeySize: 4, ValueSize: 40000, MaxEntries: 1},
		{Type: Queue, KeySize: 0, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc},
	} {
		_, err := New(s, Options{})
		km, kerr := ebpf.NewMapWithOptions(&ebpf.MapSpec{Type: ebpf.MapType(s.Type), KeySize: s.KeySize, ValueSize: s.ValueSize, MaxEntries: s.MaxEntries, Flags: s.Flags}, ebpf.MapOptions{})
		if km != nil {
			km.Close()
		}
		if ErrnoOf(err) != kerrno(kerr) {
			t.Errorf("%+v: bpfhost %v, kernel %v", s, err, kerr)
		}
	}
}
