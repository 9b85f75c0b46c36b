package arm64_test

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/jit/arm64"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// ringRecordProg reserves 16 bytes in ring id, stores r1 (the run's
// argument) in them, submits, and returns 1; or returns 0 when refused.
func ringRecordProg(id uint32) []isa.Instruction {
	h := vm.MapHandle(id)
	movk := func(d uint8, k int32) isa.Instruction {
		return isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcK, Dst: d, Imm: k}
	}
	movx := func(d, s uint8) isa.Instruction {
		return isa.Instruction{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcX, Dst: d, Src: s}
	}
	call := func(n int32) isa.Instruction { return isa.Instruction{Opcode: isa.OpCall, Imm: n} }
	exit := isa.Instruction{Opcode: isa.OpExit}
	return []isa.Instruction{
		movx(6, 1),
		{Opcode: isa.OpLdImm64, Dst: 1, Imm: int32(uint32(h))}, {Imm: int32(uint32(h >> 32))},
		movk(2, 16), movk(3, 0),
		call(helpers.FnRingbufReserve),
		{Opcode: isa.ClassJMP | isa.JmpJNE | isa.SrcK, Dst: 0, Imm: 0, Offset: 1},
		exit,
		{Opcode: isa.ClassSTX | isa.ModeMEM | isa.SizeDW, Dst: 0, Src: 6},
		movx(1, 0), movk(2, 0), call(helpers.FnRingbufSubmit),
		movk(0, 1),
		exit,
	}
}

// TestRingRecordForms runs native ring buffer records with CASAL and with
// LDAXR/STLXR loops: two native producers and a Go producer (Reserve and
// Submit called directly, taking the same producer lock) fill a small ring
// while a consumer that only blocks on Notify reads: every record exactly
// once, in each producer's order, no wakeup lost; the first native record
// carries the native bit.
func TestRingRecordForms(t *testing.T) {
	needNative(t)
	for _, lse := range []bool{true, false} {
		old := arm64.SetLSE(lse)
		m, err := maps.New(maps.Spec{Type: maps.RingBuf, MaxEntries: 4096}, maps.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id := maps.Register(m)
		rb := maps.AsRingBuf(m)
		notify := rb.(interface{ Notify() <-chan struct{} }).Notify()
		p := &vm.Program{Name: "ring", Type: "raw", Insns: ringRecordProg(id), Helpers: helpers.Generic()}
		code, err := jit.Compile(p, jit.Options{})
		if err != nil || code.Inlined != 2 {
			t.Fatalf("LSE %v: inlined %v, err %v", lse, code, err)
		}
		exe, err := jit.New().Prepare(p)
		if err != nil {
			t.Fatal(err)
		}
		cpus, err := vm.NewCPUs(2)
		if err != nil {
			t.Fatal(err)
		}
		const producers = 3 // two native, one Go
		runs := uint64(3000)
		var wg sync.WaitGroup
		fail := make(chan string, producers)
		for pi := range producers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if pi == producers-1 {
					for n := uint64(0); n < runs; {
						addr := rb.Reserve(16, 0)
						if addr == 0 {
							runtime.Gosched()
							continue
						}
						binary.LittleEndian.PutUint64(vm.Bytes(uint64(addr), 8), uint64(pi)<<32|n)
						rb.Submit(addr, 0)
						n++
					}
					return
				}
				cpu := cpus.Acquire()
				defer cpus.Release(cpu)
				for n := uint64(0); n < runs; {
					cpu.Run.Reset(p)
					r0, err := exe.Run(&cpu.Run, uint64(pi)<<32|n, 0)
					if err != nil {
						fail <- fmt.Sprint(err)
						return
					}
					if r0 == 0 {
						runtime.Gosched()
						continue
					}
					n++
				}
			}()
		}
		var next [producers]uint64
		for got := uint64(0); got < producers*runs; {
			rec, ok := rb.Read()
			if !ok {
				select {
				case <-notify:
				case msg := <-fail:
					t.Fatal(msg)
				case <-time.After(10 * time.Second):
					t.Fatalf("LSE %v: no wakeup after %d records (next %v)", lse, got, next)
				}
				continue
			}
			v := binary.LittleEndian.Uint64(rec)
			pi, n := v>>32, v&0xffffffff
			if len(rec) != 16 || pi >= producers || n != next[pi] {
				t.Fatalf("LSE %v: record %x out of order (next %v)", lse, rec, next)
			}
			next[pi]++
			got++
		}
		wg.Wait()
		// A fresh native record on the drained ring carries the native
		// bit (a Go record first moves the pending position, which native
		// code never advances, up to the producer position).
		if addr := rb.Reserve(16, 0); addr == 0 {
			t.Fatal("Go reserve refused")
		} else {
			rb.Submit(addr, 0)
		}
		cpu := cpus.Acquire()
		cpu.Run.Reset(p)
		if r0, err := exe.Run(&cpu.Run, 7, 0); err != nil || r0 != 1 {
			t.Fatalf("LSE %v: r0 %d, err %v", lse, r0, err)
		}
		cpus.Release(cpu)
		nr, _ := maps.NativeRingOf(m)
		pos := rb.Query(maps.RingBufProdPos) - 24
		hdr := vm.Bytes(uint64(nr.Data)+pos&nr.Mask, 8)
		if l, pg := binary.LittleEndian.Uint32(hdr), binary.LittleEndian.Uint32(hdr[4:]); l != 16 || pg != uint32(pos&nr.Mask)/4096|maps.RingBufNativeBit {
			t.Fatalf("LSE %v: header %#x %#x", lse, l, pg)
		}
		cpus.Close()
		maps.Unregister(id)
		m.Close()
		arm64.SetLSE(old)
	}
}
