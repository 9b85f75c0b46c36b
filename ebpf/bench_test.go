package ebpf

import "testing"

// BenchmarkProgramRun measures one Run (setup, run, finish) of a trivial
// and of a map-updating XDP program on a 64-byte frame.
func BenchmarkProgramRun(b *testing.B) {
	for _, c := range []struct{ obj, prog string }{{"multi.o", "prog_pass"}, {"btfmaps.o", "count"}, {"xdpctx.o", "xdpctx"}} {
		b.Run(c.prog, func(b *testing.B) {
			spec, err := LoadCollectionSpec(objPath(c.obj))
			if err != nil {
				b.Fatal(err)
			}
			coll, err := NewCollection(spec)
			if err != nil {
				b.Fatal(err)
			}
			defer coll.Close()
			p := coll.Programs[c.prog]
			opts := RunOptions{Data: packet(64)}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Run(&opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkProgramRepeat measures the in-CPU repeat loop (Benchmark), the
// BPF_PROG_TEST_RUN repeat equivalent.
func BenchmarkProgramRepeat(b *testing.B) {
	spec, err := LoadCollectionSpec(objPath("btfmaps.o"))
	if err != nil {
		b.Fatal(err)
	}
	coll, err := NewCollection(spec)
	if err != nil {
		b.Fatal(err)
	}
	defer coll.Close()
	_, d, err := coll.Programs["count"].Benchmark(packet(64), b.N, b.ResetTimer)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(d.Nanoseconds()), "ns/run")
}
