package arm64_test

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/jit/arm64"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// lockedIncrement looks up key 0 of the array map id, takes the lock at
// offset 0 of the value, increments the u64 at offset 8 with a plain load
// and store (with filler work in between, so that a broken lock loses
// updates) and unlocks; r0 = the new count.
func lockedIncrement(id uint32) []isa.Instruction {
	h := vm.MapHandle(id)
	ins := []isa.Instruction{
		{Opcode: isa.ClassST | isa.ModeMEM | isa.SizeW, Dst: 10, Offset: -4},
		{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 2, Src: 10},
		{Opcode: isa.ClassALU64 | isa.ALUAdd | isa.SrcK, Dst: 2, Imm: -4},
		{Opcode: isa.OpLdImm64, Dst: 1, Imm: int32(uint32(h))}, {Imm: int32(uint32(h >> 32))},
		{Opcode: isa.OpCall, Imm: helpers.FnMapLookupElem},
		{Opcode: isa.ClassJMP | isa.JmpJNE | isa.SrcK, Dst: 0, Offset: 1},
		{Opcode: isa.OpExit},
		{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 6, Src: 0},
		{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 1, Src: 6},
		{Opcode: isa.OpCall, Imm: helpers.FnSpinLock},
		{Opcode: isa.ClassLDX | isa.ModeMEM | isa.SizeDW, Dst: 7, Src: 6, Offset: 8},
	}
	for i := range 100 {
		ins = append(ins, isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMul | isa.SrcK, Dst: 8, Imm: int32(3 + i)})
	}
	return append(ins,
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUAdd | isa.SrcK, Dst: 7, Imm: 1},
		isa.Instruction{Opcode: isa.ClassSTX | isa.ModeMEM | isa.SizeDW, Dst: 6, Src: 7, Offset: 8},
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 1, Src: 6},
		isa.Instruction{Opcode: isa.OpCall, Imm: helpers.FnSpinUnlock},
		isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: 0, Src: 7},
		isa.Instruction{Opcode: isa.OpExit},
	)
}

// TestSpinLockForms runs the native bpf_spin_lock with CASAL and with the
// LDAXR/STLXR loop: goroutines on their own CPUs (native, Go route,
// interpreter) increment a counter under the lock without losing an
// update, and a native lock held elsewhere waits through the Go helper.
func TestSpinLockForms(t *testing.T) {
	needNative(t)
	for _, lse := range []bool{true, false} {
		old := arm64.SetLSE(lse)
		m, err := maps.New(maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: 16, MaxEntries: 1}, maps.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id := maps.Register(m)
		addr := uint64(m.LookupElem(make([]byte, 4), 0))
		insns := lockedIncrement(id)
		tab := helpers.Generic()
		pj := &vm.Program{Name: "lock", Type: "raw", Insns: insns, Helpers: tab}
		pi := &vm.Program{Name: "lock", Type: "raw", Insns: insns, Helpers: tab, Checked: true}
		code, err := jit.Compile(pj, jit.Options{})
		if err != nil || code.Inlined != 3 {
			t.Fatalf("LSE %v: inlined %d, err %v", lse, code.Inlined, err)
		}
		native, err := jit.New().Prepare(pj)
		if err != nil {
			t.Fatal(err)
		}
		viaGo, err := jit.NewWithOptions(jit.Options{NoInline: true}).Prepare(pj)
		if err != nil {
			t.Fatal(err)
		}
		ie, err := interp.New().Prepare(pi)
		if err != nil {
			t.Fatal(err)
		}
		exes := []vm.Executable{native, native, viaGo, ie}
		cpus, err := vm.NewCPUs(len(exes))
		if err != nil {
			t.Fatal(err)
		}
		const runs = 1500
		var wg sync.WaitGroup
		var failed atomic.Value
		for _, exe := range exes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cpu := cpus.Acquire()
				defer cpus.Release(cpu)
				for range runs {
					cpu.Run.Reset(pi)
					if _, err := exe.Run(&cpu.Run, 0, 0); err != nil {
						failed.Store(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if err, _ := failed.Load().(error); err != nil {
			t.Fatal(err)
		}
		v := vm.Bytes(addr, 16)
		if lock, n := binary.LittleEndian.Uint32(v), binary.LittleEndian.Uint64(v[8:]); lock != 0 || n != uint64(len(exes)*runs) {
			t.Fatalf("LSE %v: lock word %d, count %d; want 0 and %d", lse, lock, n, len(exes)*runs)
		}

		// Held elsewhere for 20 ms: the run waits in the Go helper.
		word := vm.Atomic32(addr)
		atomic.StoreUint32(word, 1)
		go func() {
			time.Sleep(20 * time.Millisecond)
			atomic.StoreUint32(word, 0)
		}()
		cpu := cpus.Acquire()
		for i, exe := range []vm.Executable{native, viaGo, native} {
			cpu.Run.Reset(pi)
			r0, err := exe.Run(&cpu.Run, 0, 0)
			if want := uint64(len(exes)*runs + 1 + i); err != nil || r0 != want {
				t.Fatalf("LSE %v, run %d after contention: r0=%d err=%v, want %d", lse, i, r0, err, want)
			}
		}
		if atomic.LoadUint32(word) != 0 {
			t.Fatalf("LSE %v: lock left held", lse)
		}
		cpus.Release(cpu)
		cpus.Close()
		maps.Unregister(id)
		arm64.SetLSE(old)
	}
}
