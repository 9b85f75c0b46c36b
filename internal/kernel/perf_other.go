//go:build !linux

package kernel

import (
	"errors"

	"github.com/cilium/ebpf"
)

// perfReader reads a perf event array's samples (Linux only).
type perfReader interface {
	Close() error
	drain() ([]Entry, error)
}

func newPerfReader(m *ebpf.Map, perCPUBuffer int) (perfReader, error) {
	return nil, errors.New("perf event arrays of the kernel can only be read on Linux")
}
