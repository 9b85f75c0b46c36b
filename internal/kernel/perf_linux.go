//go:build linux

package kernel

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/perf"
)

// perfReader reads a perf event array's samples; cilium/ebpf's reader
// exists on Linux only, so the rest of the package sees this interface.
type perfReader interface {
	Close() error
	drain() ([]Entry, error)
}

type linuxPerfReader struct{ *perf.Reader }

func newPerfReader(m *ebpf.Map, perCPUBuffer int) (perfReader, error) {
	rd, err := perf.NewReader(m, perCPUBuffer)
	if err != nil {
		return nil, err
	}
	return linuxPerfReader{rd}, nil
}

// drain reads every sample of a perf event array, in canonical order:
// sorted by bytes, since samples of different CPUs have no common order.
func (rd linuxPerfReader) drain() ([]Entry, error) {
	rd.SetDeadline(time.Now())
	var es []Entry
	for {
		rec, err := rd.Read()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			SortValues(es)
			return es, nil
		}
		if err != nil {
			return nil, err
		}
		if rec.LostSamples > 0 {
			return nil, fmt.Errorf("%d perf samples lost", rec.LostSamples)
		}
		es = append(es, Entry{Value: rec.RawSample})
	}
}
