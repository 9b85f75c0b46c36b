package jit_test

import (
	"testing"

	"github.com/bpfhost/bpfhost/vm"
)

// BenchmarkRingReserve: a bpf_ringbuf_reserve (+ submit) run on a full
// ring, where the native code refuses without leaving native code, against
// the Go helper exit (NoInline), and on a ring a consumer drains after
// every record, where both take the Go helper (reservations that fit, and
// submit, are Go's).
func BenchmarkRingReserve(b *testing.B) {
	for _, full := range []bool{true, false} {
		for _, kind := range []string{"native", "go"} {
			name := "full/" + kind
			if !full {
				name = "drained/" + kind
			}
			b.Run(name, func(b *testing.B) {
				rb, id := ringMap(b, 4096)
				exe, p := ringExe(b, kind, reserveProg(id, 24, 0), 1)
				cpus, err := vm.NewCPUs(1)
				if err != nil {
					b.Fatal(err)
				}
				defer cpus.Close()
				cpu := cpus.Acquire()
				defer cpus.Release(cpu)
				for full && ringRun(b, cpu, exe, p, 0) != 0 {
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					cpu.Run.Reset(p)
					if _, err := exe.Run(&cpu.Run, 0, 0); err != nil {
						b.Fatal(err)
					}
					if !full {
						rb.Read()
					}
				}
			})
		}
	}
}
