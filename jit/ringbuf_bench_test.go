package jit_test

import (
	"testing"

	"github.com/bpfhost/bpfhost/vm"
)

// BenchmarkRingReserve: a bpf_ringbuf_reserve + submit run natively
// against the Go helper exits (NoInline): on a full ring (refused); on a
// ring a consumer drains after every record (the consumer has caught up,
// so every submit wakes it: natively through the Go query exit); and on a
// ring drained every 64 records (no wakeup but the first of each batch).
func BenchmarkRingReserve(b *testing.B) {
	for _, mode := range []string{"full", "drained", "batch"} {
		for _, kind := range []string{"native", "go"} {
			full := mode == "full"
			b.Run(mode+"/"+kind, func(b *testing.B) {
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
					switch {
					case mode == "drained":
						rb.Read()
					case mode == "batch" && i%64 == 63:
						for _, ok := rb.Read(); ok; _, ok = rb.Read() {
						}
					}
				}
			})
		}
	}
}
