package jit_test

import (
	"testing"

	"github.com/bpfhost/bpfhost/vm"
)

// FuzzRingReserve compares bpf_ringbuf_reserve (+ submit) and
// bpf_ringbuf_output natively and through the Go helper on two rings in
// the same state (fill records of fillSize bytes written, read records
// consumed): the same r0 (as an offset in the ring for records), the same
// producer position after the run.
func FuzzRingReserve(f *testing.F) {
	f.Add(uint64(24), uint64(0), uint8(0), uint16(8), uint8(0))
	f.Add(uint64(24), uint64(0), uint8(127), uint16(24), uint8(0))
	f.Add(uint64(24), uint64(0), uint8(127), uint16(24), uint8(1))
	f.Add(uint64(4080), uint64(0), uint8(1), uint16(0), uint8(1))
	f.Add(uint64(1<<32), uint64(0), uint8(0), uint16(0), uint8(0))
	f.Add(uint64(8), uint64(3), uint8(3), uint16(100), uint8(2))
	f.Fuzz(func(t *testing.T, size, flags uint64, fill uint8, fillSize uint16, read uint8) {
		cpus, err := vm.NewCPUs(1)
		if err != nil {
			t.Fatal(err)
		}
		defer cpus.Close()
		cpu := cpus.Acquire()
		defer cpus.Release(cpu)
		for _, output := range []bool{false, true} {
			var got [2]struct {
				r0, prod uint64
			}
			for k, kind := range []string{"native", "go"} {
				rb, id := ringMap(t, 4096)
				for range fill {
					rb.Output(make([]byte, fillSize%2048), 0)
				}
				for range read {
					rb.Read()
				}
				insns := reserveProg(id, size, flags)
				if output {
					insns = outputProg(id, size%4096, flags) // the data is 8 stack bytes: keep Go's copy in range
					if size%4096 > 8 {
						insns = outputProg(id, size|1<<33, flags) // refused before any copy
					}
				}
				exe, p := ringExe(t, kind, insns, 1)
				r0 := ringRun(t, cpu, exe, p, 7)
				if !output && r0 != 0 {
					r0 = uint64(recordAt(rb, r0))
				}
				got[k].r0, got[k].prod = r0, rb.Query(3)
			}
			if got[0] != got[1] {
				t.Fatalf("output %v: native %+v, Go %+v", output, got[0], got[1])
			}
		}
	})
}
