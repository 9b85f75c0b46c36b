//go:build linux

package service

import (
	"testing"

	"github.com/bpfhost/bpfhost/internal/kernel"
	cilium "github.com/cilium/ebpf"
)

// benchKernel runs the map benchmarks on a kernel hash map through bpf()
// (cilium/ebpf), when the kernel allows it.
func benchKernel(b *testing.B, keys, vals [][]byte) {
	b.Run("kernel", func(b *testing.B) {
		if err := kernel.Available(); err != nil {
			b.Skip(err)
		}
		m, err := cilium.NewMap(&cilium.MapSpec{Type: cilium.Hash, KeySize: 4, ValueSize: 8, MaxEntries: benchKeys})
		if err != nil {
			b.Skip(err)
		}
		defer m.Close()
		out := make([]byte, 8)
		b.Run("update", func(b *testing.B) {
			timed(b, func(i int) error { return m.Update(keys[i%benchKeys], vals[i%benchKeys], cilium.UpdateAny) })
		})
		b.Run("lookup", func(b *testing.B) {
			timed(b, func(i int) error { return m.Lookup(keys[i%benchKeys], &out) })
		})
	})
}
