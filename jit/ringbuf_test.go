package jit_test

import (
	"encoding/binary"
	"fmt"
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

// ringMap makes a registered ring buffer of size bytes.
func ringMap(t testing.TB, size uint32) (maps.RingBufMap, uint32) {
	t.Helper()
	m, err := maps.New(maps.Spec{Type: maps.RingBuf, MaxEntries: size}, maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := maps.Register(m)
	t.Cleanup(func() { maps.Unregister(id); m.Close() })
	return maps.AsRingBuf(m), id
}

// reserveProg reserves size bytes with flags (r3) in ring id; a record
// gets r1 (the run's argument) in its first 8 bytes when size >= 8 and is
// submitted; r0 is the record's address, or 0.
func reserveProg(id uint32, size, flags uint64) []isa.Instruction {
	return commitProg(id, size, flags, helpers.FnRingbufSubmit, 0)
}

// commitProg is reserveProg with the record released by helper commit
// (submit or discard) with flags commitFlags.
func commitProg(id uint32, size, flags uint64, commit int32, commitFlags int32) []isa.Instruction {
	store := isa.Instruction{Opcode: isa.ClassJMP | isa.JmpJA} // no store
	if size >= 8 {
		store = stx64(0, 0, 6)
	}
	return prog(
		movx(6, 1),
		ldImm64(1, vm.MapHandle(id)), ldImm64(2, size), ldImm64(3, flags),
		callHelper(helpers.FnRingbufReserve),
		jnek(0, 0, 1),
		exit(),
		store,
		movx(7, 0),
		movx(1, 0), mov(2, commitFlags), callHelper(commit),
		movx(0, 7),
		exit(),
	)
}

// ringKinds are the engines ring tests compare.
var ringKinds = []string{"native", "blind", "go", "interp"}

// ringExe prepares insns on engine kind: natively (expecting inlined native
// calls), natively with constant blinding, through Go (NoInline) or in the
// interpreter (checked). It
// returns the executable and the program runs must be reset with.
func ringExe(t testing.TB, kind string, insns []isa.Instruction, inlined int) (vm.Executable, *vm.Program) {
	t.Helper()
	p := &vm.Program{Name: "ring", Type: "raw", Insns: insns, Helpers: helpers.Generic()}
	var (
		exe vm.Executable
		err error
	)
	switch kind {
	case "native", "blind", "go":
		opts := jit.Options{NoInline: kind == "go", Blind: kind == "blind", BlindSeed: 1}
		code, cerr := jit.Compile(p, opts)
		if cerr != nil {
			t.Fatal(cerr)
		}
		if kind == "go" {
			inlined = 0
		} else {
			inlined += nativeCommits(insns)
		}
		if code.Inlined != inlined {
			t.Fatalf("%s: %d calls inlined, want %d", kind, code.Inlined, inlined)
		}
		exe, err = jit.NewWithOptions(opts).Prepare(p)
	default:
		p.Checked = true
		exe, err = interp.New().Prepare(p)
	}
	if err != nil {
		t.Fatal(err)
	}
	return exe, p
}

// nativeRecordsArch says whether the back end reserves records natively,
// so that submit and discard are compiled natively too (both do).
const nativeRecordsArch = runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64"

// nativeCommits is the number of submit and discard calls in insns that
// the back end compiles natively.
func nativeCommits(insns []isa.Instruction) int {
	if !nativeRecordsArch {
		return 0
	}
	n := 0
	for _, ins := range insns {
		if ins.Opcode == isa.OpCall && (ins.Imm == helpers.FnRingbufSubmit || ins.Imm == helpers.FnRingbufDiscard) {
			n++
		}
	}
	return n
}

// ringRun runs exe once on cpu with r1 = arg.
func ringRun(t testing.TB, cpu *vm.CPU, exe vm.Executable, p *vm.Program, arg uint64) uint64 {
	t.Helper()
	cpu.Run.Reset(p)
	r0, err := exe.Run(&cpu.Run, arg, 0)
	if err != nil {
		t.Fatal(err)
	}
	return r0
}

// recordAt is the data-area offset of the record address r0, or -1 for NULL.
func recordAt(rb maps.RingBufMap, r0 uint64) int64 {
	if r0 == 0 {
		return -1
	}
	r, _ := maps.NativeRingOf(rb)
	return int64(r0 - uint64(r.Data))
}

// TestRingReserveRefusals: every refusal of bpf_ringbuf_reserve (flags,
// sizes over the record limit or the ring) gives NULL on every engine, and
// reservations that fit get the record the Go helper hands out.
func TestRingReserveRefusals(t *testing.T) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	const size = 4096
	for _, tc := range []struct {
		name        string
		size, flags uint64
		want        int64 // offset of the record in the data area, -1 for NULL
	}{
		{"flags 1", 8, 1, -1},
		{"flags 2", 8, 2, -1},
		{"flags high", 8, 1 << 32, -1},
		{"over the record limit", maps.RingBufMaxRecord + 1, 0, -1},
		{"size 2^32", 1 << 32, 0, -1},
		{"size 2^63", 1 << 63, 0, -1},
		{"span over the ring", size - 7, 0, -1},
		{"span equal to the ring", size - 8, 0, -1}, // prod+span-cons = 4096 > mask
		{"largest that fits", size - 16, 0, 8},
		{"empty record", 0, 0, 8},
		{"one byte", 1, 0, 8},
	} {
		for _, kind := range ringKinds {
			rb, id := ringMap(t, size)
			exe, p := ringExe(t, kind, reserveProg(id, tc.size, tc.flags), 1)
			if got := recordAt(rb, ringRun(t, cpu, exe, p, 0)); got != tc.want {
				t.Errorf("%s, %s: record at %d, want %d", tc.name, kind, got, tc.want)
			}
			if got := rb.Query(maps.RingBufProdPos); tc.want < 0 && got != 0 {
				t.Errorf("%s, %s: refused, but the producer position is %d", tc.name, kind, got)
			}
		}
	}
}

// TestRingReserveFull: a ring filled with 24-byte records refuses the 128th
// (natively, with the positions loaded by the native code), takes one
// more after the consumer read one, and is full again; every engine hands
// out the same records with the same contents, and
// maps.RingReserveFails agrees at every step.
func TestRingReserveFull(t *testing.T) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	for _, kind := range ringKinds {
		rb, id := ringMap(t, 4096)
		r, ok := maps.NativeRingOf(rb)
		if !ok || r.Size != 4096 || r.Mask != 4095 {
			t.Fatalf("NativeRingOf: %+v, %v", r, ok)
		}
		exe, p := ringExe(t, kind, reserveProg(id, 24, 0), 1)
		// native: whether the record's header must carry RingBufNativeBit.
		step := func(arg uint64, want int64, native bool) {
			t.Helper()
			cons, prod := rb.Query(maps.RingBufConsPos), rb.Query(maps.RingBufProdPos)
			if fails := maps.RingReserveFails(r, 24, 0, cons, prod); fails != (want < 0) {
				t.Errorf("%s: RingReserveFails(cons %d, prod %d) = %v, want %v", kind, cons, prod, fails, want < 0)
			}
			r0 := ringRun(t, cpu, exe, p, arg)
			if got := recordAt(rb, r0); got != want {
				t.Fatalf("%s: run %d: record at %d, want %d", kind, arg, got, want)
			}
			if r0 == 0 {
				return
			}
			native = native && nativeRecordsArch && (kind == "native" || kind == "blind")
			hdr := vm.Bytes(r0-8, 8)
			wantLen, wantPg := uint32(24), uint32(want-8)/maps.RingBufPage
			if native {
				wantPg |= maps.RingBufNativeBit
			}
			if l, pg := binary.LittleEndian.Uint32(hdr), binary.LittleEndian.Uint32(hdr[4:]); l != wantLen || pg != wantPg {
				t.Fatalf("%s: run %d: header %#x %#x, want %#x %#x", kind, arg, l, pg, wantLen, wantPg)
			}
		}
		for i := range 127 {
			step(uint64(i), int64(i*32+8), true)
		}
		step(127, -1, false)
		step(128, -1, false)
		rec, ok := rb.Read()
		if !ok || len(rec) != 24 || binary.LittleEndian.Uint64(rec) != 0 {
			t.Fatalf("%s: first record %x, %v", kind, rec, ok)
		}
		// The last 32 bytes of the ring: the pending position native code
		// never advances is stale, so the Go helper reserves (and the
		// native submit hands the record back to it).
		step(129, 127*32+8, false)
		step(130, -1, false)
		for i := 1; i < 127; i++ {
			rec, ok := rb.Read()
			if !ok || binary.LittleEndian.Uint64(rec) != uint64(i) {
				t.Fatalf("%s: record %d: %x, %v", kind, i, rec, ok)
			}
		}
		rec, ok = rb.Read()
		if !ok || binary.LittleEndian.Uint64(rec) != 129 {
			t.Fatalf("%s: last record %x, %v", kind, rec, ok)
		}
		if rec, ok := rb.Read(); ok {
			t.Fatalf("%s: extra record %x", kind, rec)
		}
	}
}

// queryProg is bpf_ringbuf_query(ring id, flags).
func queryProg(id uint32, flags uint64) []isa.Instruction {
	return prog(ldImm64(1, vm.MapHandle(id)), ldImm64(2, flags), callHelper(helpers.FnRingbufQuery), exit())
}

// TestRingQuery: bpf_ringbuf_query answers every flag exactly as the Go
// helper, on a ring with consumed and unconsumed records.
func TestRingQuery(t *testing.T) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	rb, id := ringMap(t, 4096)
	for range 3 {
		if err := rb.Output(make([]byte, 20), 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := rb.Read(); !ok {
		t.Fatal("no record")
	}
	for _, tc := range []struct{ flags, want uint64 }{
		{0, 64}, {1, 4096}, {2, 32}, {3, 96}, {4, 0}, {1 << 32, 0}, {^uint64(0), 0},
	} {
		for _, kind := range ringKinds {
			exe, p := ringExe(t, kind, queryProg(id, tc.flags), 1)
			if got := ringRun(t, cpu, exe, p, 0); got != tc.want {
				t.Errorf("%s: query(%#x) = %d, want %d", kind, tc.flags, got, tc.want)
			}
		}
	}
}

// TestRingProducersConsumer: producers on several CPUs (native, through
// Go and interpreted) fill a small ring with numbered records while a
// consumer that only ever blocks on Notify (never polls) reads them: every
// record arrives exactly once and in each producer's order, and no wakeup
// is lost (a wait longer than a few seconds fails). Native refusals of a
// full ring (NULL from reserve, -EAGAIN from output) make the producers
// retry. The last producer writes 8-byte records with bpf_ringbuf_output.
func TestRingProducersConsumer(t *testing.T) {
	rb, id := ringMap(t, 4096)
	notify := rb.(interface{ Notify() <-chan struct{} }).Notify()
	insns := reserveProg(id, 200, 0) // 19 records fill the ring
	kinds := []string{"native", "native", "go", "interp", "native"}
	output := len(kinds) - 1
	cpus, err := vm.NewCPUs(len(kinds))
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	runs := uint64(20000)
	if testing.Short() || raceEnabled {
		runs = 3000
	}
	var wg sync.WaitGroup
	var refused atomic.Uint64
	fail := make(chan string, len(kinds)+1)
	for pi, kind := range kinds {
		ok := uint64(1) // any non-zero r0 is a record
		in := insns
		if pi == output {
			in, ok = outputProg(id, 8, 0), 0
		}
		exe, p := ringExe(t, kind, in, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			cpu := cpus.Acquire()
			defer cpus.Release(cpu)
			for n := uint64(0); n < runs; {
				cpu.Run.Reset(p)
				r0, err := exe.Run(&cpu.Run, uint64(pi)<<32|n, 0)
				if err != nil {
					fail <- fmt.Sprintf("%s: %v", kind, err)
					return
				}
				if (ok == 0) != (r0 == 0) {
					refused.Add(1)
					runtime.Gosched()
					continue
				}
				n++
			}
		}()
	}
	next := make([]uint64, len(kinds))
	for got := uint64(0); got < runs*uint64(len(kinds)); {
		rec, ok := rb.Read()
		if !ok {
			select {
			case <-notify:
			case msg := <-fail:
				t.Fatal(msg)
			case <-time.After(5 * time.Second):
				t.Fatalf("no wakeup after %d records (next %v)", got, next)
			}
			continue
		}
		v := binary.LittleEndian.Uint64(rec)
		pi, n := v>>32, v&0xffffffff
		if want := map[bool]int{true: 8, false: 200}[pi == uint64(output)]; len(rec) != want {
			t.Fatalf("record %x", rec)
		}
		if pi >= uint64(len(kinds)) || n != next[pi] {
			t.Fatalf("record from producer %d number %d, want number %d", pi, n, next[min(pi, uint64(len(kinds)-1))])
		}
		next[pi]++
		got++
	}
	wg.Wait()
	if rec, ok := rb.Read(); ok {
		t.Fatalf("extra record %x", rec)
	}
	t.Logf("%d reservations refused (full ring)", refused.Load())
}

// outputProg is bpf_ringbuf_output(ring id, &r1 on the stack, size, flags).
func outputProg(id uint32, size, flags uint64) []isa.Instruction {
	return prog(
		stx64(10, -8, 1),
		ldImm64(1, vm.MapHandle(id)), movx(2, 10), addk(2, -8),
		ldImm64(3, size), ldImm64(4, flags),
		callHelper(helpers.FnRingbufOutput),
		exit(),
	)
}

// TestRingOutputRefusals: bpf_ringbuf_output's refusals give the Go
// helper's errors, in its order, natively; outputs that fit write the
// record through the Go helper; a full ring gives -EAGAIN. The interpreter
// (checked) joins for sizes within the data.
func TestRingOutputRefusals(t *testing.T) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	const (
		einval = uint64(1<<64 - 22)
		e2big  = uint64(1<<64 - 7)
		eagain = uint64(1<<64 - 11)
	)
	for _, tc := range []struct {
		name        string
		size, flags uint64
		want        uint64
	}{
		{"flags 4", 8, 4, einval},
		{"flags high", 8, 1 << 40, einval},
		{"flags before size", 1 << 40, 4, einval},
		{"size 2^32+1", 1<<32 + 1, 0, e2big},
		{"size 2^63", 1 << 63, 3, e2big},
		{"size 2^32", 1 << 32, 0, eagain},
		{"over the record limit", maps.RingBufMaxRecord + 1, 0, eagain},
		{"span over the ring", 4096 - 7, 0, eagain},
		{"span equal to the ring", 4096 - 8, 0, eagain},
		{"fits, no wakeup", 8, 1, 0},
		{"fits, forced wakeup", 8, 2, 0},
		{"fits, both flags", 8, 3, 0},
		{"empty", 0, 0, 0},
	} {
		for _, kind := range ringKinds {
			if kind == "interp" && tc.size > 8 {
				continue // the checked run refuses the data range first
			}
			rb, id := ringMap(t, 4096)
			exe, p := ringExe(t, kind, outputProg(id, tc.size, tc.flags), 1)
			if got := ringRun(t, cpu, exe, p, 0x1122334455667788); got != tc.want {
				t.Errorf("%s, %s: r0 = %#x, want %#x", tc.name, kind, got, tc.want)
			}
			rec, ok := rb.Read()
			if wantRec := tc.want == 0; ok != wantRec || ok && uint64(len(rec)) != tc.size ||
				ok && tc.size == 8 && binary.LittleEndian.Uint64(rec) != 0x1122334455667788 {
				t.Errorf("%s, %s: record %x, %v", tc.name, kind, rec, ok)
			}
		}
	}
	for _, kind := range ringKinds {
		rb, id := ringMap(t, 4096)
		exe, p := ringExe(t, kind, outputProg(id, 8, 0), 1)
		for i := range 255 {
			if got := ringRun(t, cpu, exe, p, uint64(i)); got != 0 {
				t.Fatalf("%s: output %d: %#x", kind, i, got)
			}
		}
		if got := ringRun(t, cpu, exe, p, 255); got != eagain {
			t.Fatalf("%s: output into a full ring: %#x, want -EAGAIN", kind, got)
		}
		for i := range 255 {
			if rec, ok := rb.Read(); !ok || binary.LittleEndian.Uint64(rec) != uint64(i) {
				t.Fatalf("%s: record %d: %x, %v", kind, i, rec, ok)
			}
		}
	}
}

// TestRingWakeups: which submits and discards wake a consumer. Native
// records follow the kernel: BPF_RB_NO_WAKEUP never wakes,
// BPF_RB_FORCE_WAKEUP always does, otherwise only a record the consumer
// has reached (consumer position = the record's) wakes; the Go helper
// wakes on every commit without BPF_RB_NO_WAKEUP. Each case drains the
// channel first, so every expectation is exact.
func TestRingWakeups(t *testing.T) {
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	for _, kind := range ringKinds {
		nativeRec := nativeRecordsArch && (kind == "native" || kind == "blind")
		rb, id := ringMap(t, 4096)
		notify := rb.(interface{ Notify() <-chan struct{} }).Notify()
		exes := map[[2]int32]struct {
			exe vm.Executable
			p   *vm.Program
		}{}
		run := func(commit, flags int32, goWakes, nativeWakes bool) {
			t.Helper()
			k := [2]int32{commit, flags}
			e, ok := exes[k]
			if !ok {
				e.exe, e.p = ringExe(t, kind, commitProg(id, 8, 0, commit, flags), 1)
				exes[k] = e
			}
			select {
			case <-notify:
			default:
			}
			if ringRun(t, cpu, e.exe, e.p, 1) == 0 {
				t.Fatalf("%s: no record", kind)
			}
			woke := false
			select {
			case <-notify:
				woke = true
			default:
			}
			want := goWakes
			if nativeRec {
				want = nativeWakes
			}
			if woke != want {
				t.Errorf("%s: helper %d flags %d at cons %d prod %d: woke %v, want %v", kind, commit, flags,
					rb.Query(maps.RingBufConsPos), rb.Query(maps.RingBufProdPos), woke, want)
			}
		}
		submit, discard := int32(helpers.FnRingbufSubmit), int32(helpers.FnRingbufDiscard)
		run(submit, 0, true, true)  // the consumer is at this record
		run(submit, 0, true, false) // behind the first, unread
		run(submit, 2, true, true)  // forced
		run(submit, 1, false, false)
		run(submit, 3, false, false) // no wakeup wins
		run(discard, 0, true, false)
		run(discard, 2, true, true)
		for range 5 {
			if _, ok := rb.Read(); !ok {
				t.Fatalf("%s: record missing", kind)
			}
		}
		if rec, ok := rb.Read(); ok { // the discarded ones are skipped
			t.Fatalf("%s: extra record %x", kind, rec)
		}
		run(submit, 0, true, true)   // the consumer caught up
		run(discard, 0, true, false) // behind the unread one
		if _, ok := rb.Read(); !ok {
			t.Fatalf("%s: record missing", kind)
		}
		if rec, ok := rb.Read(); ok { // steps over the discarded record
			t.Fatalf("%s: discarded record read: %x", kind, rec)
		}
		run(discard, 0, true, true) // caught up
		if rec, ok := rb.Read(); ok {
			t.Fatalf("%s: discarded record read: %x", kind, rec)
		}
	}
}

// TestRingNativeRecordsRefused: programs that may not hold native records
// (a second ring, a reserve through a register, a helper that can end the
// run early, run-time checks) compile reserve's refusals only and leave
// submit to the Go helper.
func TestRingNativeRecordsRefused(t *testing.T) {
	_, id := ringMap(t, 4096)
	_, id2 := ringMap(t, 4096)
	base := commitProg(id, 8, 0, helpers.FnRingbufSubmit, 0)
	for name, insns := range map[string][]isa.Instruction{
		"two rings":   prog(ldImm64(1, vm.MapHandle(id2)), mov(2, 8), mov(3, 0), callHelper(helpers.FnRingbufReserve), base),
		"spin lock":   prog(jnek(1, 12345, 1), callHelper(helpers.FnSpinLock), base),
		"bpf_loop":    prog(jnek(1, 12345, 1), callHelper(helpers.FnLoop), base),
		"for_each":    prog(jnek(1, 12345, 1), callHelper(helpers.FnForEachMapElem), base),
		"reserve reg": prog(ldImm64(1, vm.MapHandle(id)), movx(8, 1), jnek(1, 12345, 1), movx(1, 8), mov(2, 8), mov(3, 0), callHelper(helpers.FnRingbufReserve), base),
	} {
		p := &vm.Program{Name: "ring", Type: "raw", Insns: insns, Helpers: helpers.Generic()}
		code, err := jit.Compile(p, jit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// Natively compiled calls: the constant reserves (refusals
		// only) and the spin lock intrinsic; never the submit.
		want := map[string]int{"two rings": 2, "spin lock": 2, "bpf_loop": 1, "for_each": 1, "reserve reg": 1}[name]
		if code.Inlined != want {
			t.Errorf("%s: %d calls compiled natively, want %d", name, code.Inlined, want)
		}
	}
	p := &vm.Program{Name: "ring", Type: "raw", Insns: base, Helpers: helpers.Generic()}
	code, err := jit.Compile(p, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if code.Inlined != 1+nativeCommits(base) {
		t.Errorf("plain program: %d calls compiled natively, want %d", code.Inlined, 1+nativeCommits(base))
	}
	p.Checked = true
	// arm64 refuses checked programs outright; amd64 compiles them.
	if code, err = jit.Compile(p, jit.Options{}); err == nil && code.Inlined != 1 {
		t.Errorf("checked program: %d calls compiled natively, want 1 (the reserve's refusals)", code.Inlined)
	}
}
