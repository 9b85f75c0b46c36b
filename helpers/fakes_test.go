package helpers

import (
	"encoding/binary"
	"testing"

	"github.com/bpfhost/bpfhost/internal/offheap"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Test doubles for maps.Map and its program-side extensions, so the helpers
// can be tested in isolation from the maps package's implementations.

type fakeBase struct {
	spec maps.Spec
	id   uint32
}

func (f *fakeBase) Spec() maps.Spec                        { return f.spec }
func (f *fakeBase) ID() uint32                             { return f.id }
func (f *fakeBase) SetID(id uint32)                        { f.id = id }
func (f *fakeBase) Lookup(key, value []byte) error         { return maps.ENOTSUP }
func (f *fakeBase) Update(k, v []byte, fl uint64) error    { return maps.ENOTSUP }
func (f *fakeBase) Delete(key []byte) error                { return maps.ENOTSUP }
func (f *fakeBase) NextKey(key, next []byte) error         { return maps.ENOTSUP }
func (f *fakeBase) LookupAndDelete(k, v []byte) error      { return maps.ENOTSUP }
func (f *fakeBase) LookupElem(key []byte, cpu int) uintptr { return 0 }
func (f *fakeBase) UpdateElem(k, v []byte, fl uint64, cpu int) error {
	return maps.EINVAL
}
func (f *fakeBase) DeleteElem(key []byte) error { return maps.EINVAL }
func (f *fakeBase) Regions() []maps.Region      { return nil }
func (f *fakeBase) Close() error                { return nil }

// fakeArray is an array map (per-CPU when the spec says so) in off-heap memory.
type fakeArray struct {
	fakeBase
	blk *offheap.Block
}

func newFakeArray(t testing.TB, typ maps.Type, valueSize, n uint32) *fakeArray {
	t.Helper()
	a := &fakeArray{fakeBase: fakeBase{spec: maps.Spec{Type: typ, KeySize: 4, ValueSize: valueSize, MaxEntries: n}}}
	size := int(valueSize * n)
	if typ.PerCPU() {
		size *= 4
	}
	blk, err := offheap.Alloc(size)
	if err != nil {
		t.Fatal(err)
	}
	a.blk = blk
	register(t, a)
	t.Cleanup(func() { blk.Free() })
	return a
}

func (a *fakeArray) addr(i uint32, cpu int) uintptr {
	idx := uintptr(i)
	if a.spec.Type.PerCPU() {
		idx = uintptr(cpu)*uintptr(a.spec.MaxEntries) + idx
	}
	return a.blk.Addr() + idx*uintptr(a.spec.ValueSize)
}

func (a *fakeArray) LookupElem(key []byte, cpu int) uintptr {
	i := binary.NativeEndian.Uint32(key)
	if i >= a.spec.MaxEntries {
		return 0
	}
	return a.addr(i, cpu)
}

func (a *fakeArray) UpdateElem(key, value []byte, flags uint64, cpu int) error {
	i := binary.NativeEndian.Uint32(key)
	if i >= a.spec.MaxEntries {
		return maps.E2BIG
	}
	if flags == maps.UpdateNoExist {
		return maps.EEXIST
	}
	copy(vm.Bytes(uint64(a.addr(i, cpu)), int(a.spec.ValueSize)), value)
	return nil
}

func (a *fakeArray) NextKey(key, next []byte) error {
	i := uint32(0)
	if key != nil {
		i = binary.NativeEndian.Uint32(key) + 1
	}
	if i >= a.spec.MaxEntries {
		return maps.ENOENT
	}
	binary.NativeEndian.PutUint32(next, i)
	return nil
}

func (a *fakeArray) Regions() []maps.Region {
	return []maps.Region{{Start: a.blk.Addr(), End: a.blk.Addr() + uintptr(a.blk.Len())}}
}

func register(t testing.TB, m maps.Map) {
	id := maps.Register(m)
	t.Cleanup(func() { maps.Unregister(id) })
}

// fakeQueue is a FIFO of fixed-size values.
type fakeQueue struct {
	fakeBase
	items [][]byte
}

func newFakeQueue(t testing.TB, valueSize, n uint32) *fakeQueue {
	q := &fakeQueue{fakeBase: fakeBase{spec: maps.Spec{Type: maps.Queue, ValueSize: valueSize, MaxEntries: n}}}
	register(t, q)
	return q
}

func (q *fakeQueue) Push(v []byte, flags uint64) error {
	if len(q.items) == int(q.spec.MaxEntries) {
		if flags != maps.UpdateExist {
			return maps.E2BIG
		}
		q.items = q.items[1:]
	}
	q.items = append(q.items, append([]byte(nil), v...))
	return nil
}

func (q *fakeQueue) Pop(v []byte) error {
	if err := q.Peek(v); err != nil {
		return err
	}
	q.items = q.items[1:]
	return nil
}

func (q *fakeQueue) Peek(v []byte) error {
	if len(q.items) == 0 {
		return maps.ENOENT
	}
	copy(v, q.items[0])
	return nil
}

// fakeRing hands out records from an off-heap block, one at a time.
type fakeRing struct {
	fakeBase
	blk                  *offheap.Block
	used                 uint64
	submitted, discarded []uintptr
	outputs              [][]byte
}

func newFakeRing(t testing.TB, size uint32) *fakeRing {
	r := &fakeRing{fakeBase: fakeBase{spec: maps.Spec{Type: maps.RingBuf, MaxEntries: size}}}
	blk, err := offheap.Alloc(int(size))
	if err != nil {
		t.Fatal(err)
	}
	r.blk = blk
	t.Cleanup(func() { blk.Free() })
	register(t, r)
	return r
}

func (r *fakeRing) Reserve(size, flags uint64) uintptr {
	if r.used+size > uint64(r.spec.MaxEntries) {
		return 0
	}
	a := r.blk.Addr() + uintptr(r.used)
	r.used += size
	return a
}
func (r *fakeRing) Submit(addr uintptr, flags uint64)  { r.submitted = append(r.submitted, addr) }
func (r *fakeRing) Discard(addr uintptr, flags uint64) { r.discarded = append(r.discarded, addr) }
func (r *fakeRing) Output(data []byte, flags uint64) error {
	if uint64(len(data)) > uint64(r.spec.MaxEntries) {
		return maps.EAGAIN
	}
	r.outputs = append(r.outputs, append([]byte(nil), data...))
	return nil
}
func (r *fakeRing) Query(flags uint64) uint64 { return 1000 + flags }
func (r *fakeRing) Read() ([]byte, bool)      { return nil, false }

// fakePerf records samples per CPU index.
type fakePerf struct {
	fakeBase
	samples map[int][][]byte
}

func newFakePerf(t testing.TB, n uint32) *fakePerf {
	p := &fakePerf{fakeBase: fakeBase{spec: maps.Spec{Type: maps.PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: n}}, samples: map[int][][]byte{}}
	register(t, p)
	return p
}

func (p *fakePerf) Output(cpu int, data []byte) error {
	p.samples[cpu] = append(p.samples[cpu], append([]byte(nil), data...))
	return nil
}
func (p *fakePerf) Read() (int, []byte, bool) { return 0, nil, false }

// fakeProgArray maps indexes to program IDs.
type fakeProgArray struct {
	fakeBase
	progs map[uint32]uint32
}

func newFakeProgArray(t testing.TB, n uint32) *fakeProgArray {
	p := &fakeProgArray{fakeBase: fakeBase{spec: maps.Spec{Type: maps.ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: n}}, progs: map[uint32]uint32{}}
	register(t, p)
	return p
}

func (p *fakeProgArray) Program(i uint32) uint32 { return p.progs[i] }

// fakeMapOfMaps maps 4-byte keys to inner map IDs.
type fakeMapOfMaps struct {
	fakeBase
	inner map[uint32]uint32
}

func (m *fakeMapOfMaps) Inner(key []byte) uint32 { return m.inner[binary.NativeEndian.Uint32(key)] }

var (
	_ maps.QueueMap          = (*fakeQueue)(nil)
	_ maps.RingBufMap        = (*fakeRing)(nil)
	_ maps.PerfEventArrayMap = (*fakePerf)(nil)
	_ maps.ProgArrayMap      = (*fakeProgArray)(nil)
	_ maps.MapOfMaps         = (*fakeMapOfMaps)(nil)
)

// newCtx returns a reset run context on a fresh virtual CPU, running a
// checked program of type "xdp".
func newCtx(t testing.TB) *vm.Context {
	t.Helper()
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cpus.Close)
	cpu := cpus.Acquire()
	ctx := &cpu.Run
	ctx.Reset(&vm.Program{Name: "test", Type: "xdp", Checked: true})
	return ctx
}

// stackBuf returns n bytes at the top of the CPU's stack (program memory)
// holding b.
func stackBuf(ctx *vm.Context, b []byte) uint64 {
	addr := ctx.CPU.StackTop() - 512
	copy(vm.Bytes(addr, len(b)), b)
	return addr
}

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }
func u64(v uint64) []byte { return binary.NativeEndian.AppendUint64(nil, v) }

// call invokes helper fn from table tab.
func call(t testing.TB, tab *vm.HelperTable, fn int32, ctx *vm.Context, r ...uint64) uint64 {
	t.Helper()
	h := tab.Lookup(fn)
	if h == nil {
		t.Fatalf("helper %d missing from table", fn)
	}
	var a [5]uint64
	copy(a[:], r)
	return h(ctx, a[0], a[1], a[2], a[3], a[4])
}

func errno(e maps.Errno) uint64 { return neg(e) }
