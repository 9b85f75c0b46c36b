package service

import (
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/client"
	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/maps"
)

// The map-operation benchmarks run the same update and lookup on a hash map
// (4-byte keys, 8-byte values, 1024 keys in rotation) three ways: through the
// service's API over its Unix socket, directly on an in-process map (what
// the service does per call), and, where allowed, on a kernel map through
// bpf() (bench_kernel_linux_test.go). Each reports ns/op and the p50 and p99
// latency of single operations.
//
//	go test -run '^$' -bench MapOps ./service

const benchKeys = 1024

// latencies records one duration per operation and reports percentiles.
type latencies struct{ d []time.Duration }

func (l *latencies) report(b *testing.B) {
	if len(l.d) == 0 {
		return
	}
	sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
	b.ReportMetric(float64(l.d[len(l.d)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(l.d[len(l.d)*99/100].Nanoseconds()), "p99-ns")
}

// timed runs op b.N times, recording each duration.
func timed(b *testing.B, op func(i int) error) {
	l := &latencies{d: make([]time.Duration, 0, b.N)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		l.d = append(l.d, time.Since(t0))
	}
	b.StopTimer()
	l.report(b)
}

func benchValues() (keys, vals [][]byte) {
	for i := 0; i < benchKeys; i++ {
		keys = append(keys, u32(uint32(i)))
		vals = append(vals, u64(uint64(i)))
	}
	return keys, vals
}

func BenchmarkMapOps(b *testing.B) {
	keys, vals := benchValues()
	b.Run("api", func(b *testing.B) {
		ts := startServer(b, nil)
		ctx := ctxT(b)
		if _, err := ts.c.MapCreate(ctx, &api.MapCreateRequest{Type: uint32(maps.Hash), KeySize: 4, ValueSize: 8, MaxEntries: benchKeys, Pin: "/sys/fs/bpf/bench"}); err != nil {
			b.Fatal(err)
		}
		ref := client.Pinned("/sys/fs/bpf/bench")
		b.Run("update", func(b *testing.B) {
			timed(b, func(i int) error { return ts.c.MapUpdate(ctx, ref, keys[i%benchKeys], vals[i%benchKeys], 0) })
		})
		b.Run("lookup", func(b *testing.B) {
			timed(b, func(i int) error { _, err := ts.c.MapLookup(ctx, ref, keys[i%benchKeys]); return err })
		})
		// Throughput with 32 clients at once (one connection each).
		b.Run("update-32clients", func(b *testing.B) {
			b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
			conns := make(chan *client.Client, 64)
			for i := 0; i < 64; i++ {
				c, err := client.DialSocket(ts.socket)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				conns <- c
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				c := <-conns
				i := 0
				for pb.Next() {
					if err := c.MapUpdate(ctx, ref, keys[i%benchKeys], vals[i%benchKeys], 0); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	})
	b.Run("in-process", func(b *testing.B) {
		m, err := ebpf.NewMap(&ebpf.MapSpec{Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: benchKeys})
		if err != nil {
			b.Fatal(err)
		}
		defer m.Close()
		im := m.Internal()
		out := make([]byte, 8)
		b.Run("update", func(b *testing.B) {
			timed(b, func(i int) error { return im.Update(keys[i%benchKeys], vals[i%benchKeys], 0) })
		})
		b.Run("lookup", func(b *testing.B) {
			timed(b, func(i int) error { return im.Lookup(keys[i%benchKeys], out) })
		})
	})
	benchKernel(b, keys, vals)
}
