package state

import (
	"sync"
	"sync/atomic"
	"time"
)

// runStats are the kernel's per-program statistics (bpf_stats): how many
// runs and their total time. They live in memory, as the kernel's do, so a
// long-lived service accumulates them; a command-line process only sees its
// own runs.
type runStats struct {
	cnt, ns atomic.Uint64
}

// statsTable is embedded in State; the zero value is ready.
type statsTable struct {
	// Enabled makes `prog show` print the statistics, as the kernel does
	// with kernel.bpf_stats_enabled set.
	StatsEnabled bool
	stats        sync.Map // uint32 -> *runStats
}

// CountRun adds runs test runs of program id, averaging avg each.
func (s *State) CountRun(id uint32, runs uint32, avg time.Duration) {
	v, ok := s.stats.Load(id)
	if !ok {
		v, _ = s.stats.LoadOrStore(id, new(runStats))
	}
	n := uint64(max(runs, 1))
	st := v.(*runStats)
	st.cnt.Add(n)
	st.ns.Add(uint64(max(avg, 1)) * n)
}

// RunStats returns program id's run count and total run time in nanoseconds.
func (s *State) RunStats(id uint32) (cnt, ns uint64) {
	if v, ok := s.stats.Load(id); ok {
		st := v.(*runStats)
		return st.cnt.Load(), st.ns.Load()
	}
	return 0, 0
}
