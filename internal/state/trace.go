package state

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	s   *State
	cpu int
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
	lb.buf = fmt.Appendf(lb.buf, "%16s-%-7d [%03d] d..31 %6d.%06d: bpf_trace_printk: %s\n",
		"bpfhost", os.Getpid(), t.cpu, now.Unix()%1000000, now.Nanosecond()/1000, msg)
	if len(lb.buf) > 2*maxTraceBytes {
		lb.buf = append(lb.buf[:0], lb.buf[len(lb.buf)-maxTraceBytes:]...)
	}
	return len(p), nil
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
	held := make([]*vm.CPU, 0, cpus.N())
	for i := 0; i < cpus.N(); i++ {
		c := cpus.Acquire()
		c.Run.Trace = &cpuTrace{s: s, cpu: c.ID}
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

// ReadTrace copies the recorded trace lines to w and empties the log.
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
