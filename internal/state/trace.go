package state

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/bpfhost/bpfhost/vm"
)

// traceLog collects bpf_trace_printk output of this process until commit,
// when it is appended to the state directory's trace_pipe file, which
// `prog tracelog` reads (and empties, as reading the kernel's pipe consumes it).
type traceLog struct {
	mu      sync.Mutex
	buf     []byte
	enabled bool
}

// maxTraceBytes bounds the trace kept between two reads, as the kernel's
// trace ring buffer is bounded: older lines are dropped first.
const maxTraceBytes = 1 << 20

// cpuTrace writes trace lines of one virtual CPU in the kernel's format.
type cpuTrace struct {
	s      *State
	cpu    int
	prefix []byte // "         bpfhost-PID     ["
}

func (t *cpuTrace) Write(p []byte) (int, error) {
	now := time.Now()
	msg := p
	if n := len(msg); n > 0 && msg[n-1] == '\n' {
		msg = msg[:n-1]
	}
	lb := &t.s.trace
	lb.mu.Lock()
	defer lb.mu.Unlock()
	// The kernel's trace_pipe layout, built without fmt: this runs once per
	// bpf_trace_printk call, inside the program's run.
	b := append(lb.buf, t.prefix...)
	b = appendPadded(b, uint64(t.cpu), 3)
	b = append(b, "] d..31 "...)
	sec := uint64(now.Unix() % 1000000)
	for w := 100000; w > 1 && sec < uint64(w); w /= 10 {
		b = append(b, ' ')
	}
	b = strconv.AppendUint(b, sec, 10)
	b = append(b, '.')
	b = appendPadded(b, uint64(now.Nanosecond()/1000), 6)
	b = append(b, ": bpf_trace_printk: "...)
	b = append(b, msg...)
	b = append(b, '\n')
	if len(b) > 2*maxTraceBytes {
		b = append(b[:0], b[len(b)-maxTraceBytes:]...)
	}
	lb.buf = b
	return len(p), nil
}

// appendPadded appends v in decimal, zero-padded to width digits.
func appendPadded(b []byte, v uint64, width int) []byte {
	var d [20]byte
	s := strconv.AppendUint(d[:0], v, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// EnableTrace routes bpf_trace_printk output of runs in this process to the
// state directory's trace log.
func (s *State) EnableTrace() error {
	if s.trace.enabled {
		return nil
	}
	cpus, err := vm.DefaultCPUs()
	if err != nil {
		return err
	}
	// Holding every CPU at once guarantees no run is in progress while the
	// writers are installed; Context.Reset keeps them for later runs.
	prefix := fmt.Appendf(nil, "%16s-%-7d [", "bpfhost", os.Getpid())
	held := make([]*vm.CPU, 0, cpus.N())
	for i := 0; i < cpus.N(); i++ {
		c := cpus.Acquire()
		c.Run.Trace = &cpuTrace{s: s, cpu: c.ID, prefix: prefix}
		held = append(held, c)
	}
	for _, c := range held {
		cpus.Release(c)
	}
	s.trace.enabled = true
	return nil
}

func (s *State) flushTrace() {
	s.trace.mu.Lock()
	defer s.trace.mu.Unlock()
	if len(s.trace.buf) == 0 {
		return
	}
	f, err := os.OpenFile(filepath.Join(s.Root, traceFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err == nil {
		f.Write(s.trace.buf)
		f.Close()
	}
	s.trace.buf = s.trace.buf[:0]
}

// ReadTrace passes each recorded trace line to w, then empties the log.
func (s *State) ReadTrace(w func(line string) error) error {
	s.flushTrace()
	path := filepath.Join(s.Root, traceFile)
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	start := 0
	for i, c := range b {
		if c == '\n' {
			if err := w(string(b[start:i])); err != nil {
				return err
			}
			start = i + 1
		}
	}
	return os.WriteFile(path, nil, 0o600)
}

var _ io.Writer = (*cpuTrace)(nil)
