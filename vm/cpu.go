package vm

import (
	"fmt"
	"sync"

	"github.com/bpfhost/bpfhost/internal/offheap"
	"github.com/bpfhost/bpfhost/maps"
)

// Sizes of the per-CPU off-heap buffers.
const (
	// StackBytes holds MaxCallDepth frames of StackSize bytes.
	StackBytes = MaxCallDepth * StackSize
	// PacketHeadroom is the space before a frame that xdp_adjust_head can
	// grow into, XDP_PACKET_HEADROOM in the kernel.
	PacketHeadroom = 256
	// MaxPacketSize is the largest frame (and tail growth) a run accepts.
	MaxPacketSize = 65536
	// PacketBufferBytes is the whole per-CPU packet buffer.
	PacketBufferBytes = PacketHeadroom + MaxPacketSize
	// ContextBytes is the per-CPU block program contexts are built in.
	ContextBytes = 4096
)

// CPU is a virtual CPU: what a program run holds exclusively, as a kernel
// program holds its CPU. Per-CPU map values are indexed by CPU.ID.
type CPU struct {
	// ID is the CPU number (bpf_get_smp_processor_id).
	ID int
	// Stack is the eBPF stack; frame 0's r10 is its end.
	Stack []byte
	// Packet is the packet buffer of packet program types.
	Packet []byte
	// Ctx is the block the program type builds the context in.
	Ctx []byte
	// Run is the CPU's reusable run context.
	Run Context

	stack  maps.Region
	blocks []*offheap.Block
	// scratch is per-engine state an engine may cache on the CPU: a few
	// entries (one per engine and helper package), searched linearly,
	// which costs a fraction of a map lookup on every run.
	scratch []scratchEntry
}

type scratchEntry struct{ key, val any }

// Scratch returns per-CPU state an engine keeps under key, creating it with
// mk the first time. Only the run holding the CPU touches it.
func (c *CPU) Scratch(key any, mk func() any) any {
	for i := range c.scratch {
		if c.scratch[i].key == key {
			return c.scratch[i].val
		}
	}
	v := mk()
	c.scratch = append(c.scratch, scratchEntry{key, v})
	return v
}

// StackTop returns r10 of the outermost frame.
func (c *CPU) StackTop() uint64 { return AddrOf(c.Stack) + uint64(len(c.Stack)) }

func newCPU(id int) (*CPU, error) {
	c := &CPU{ID: id}
	for _, b := range []struct {
		dst  *[]byte
		size int
	}{{&c.Stack, StackBytes}, {&c.Packet, PacketBufferBytes}, {&c.Ctx, ContextBytes}} {
		blk, err := offheap.Alloc(b.size)
		if err != nil {
			c.free()
			return nil, err
		}
		c.blocks = append(c.blocks, blk)
		*b.dst = blk.Bytes()
	}
	c.stack = maps.Region{Start: uintptr(AddrOf(c.Stack)), End: uintptr(AddrOf(c.Stack)) + StackBytes}
	c.Run.CPU = c
	return c, nil
}

func (c *CPU) free() {
	for _, b := range c.blocks {
		b.Free()
	}
	c.blocks = nil
}

// CPUs is a pool of virtual CPUs. A run takes one for its whole duration, so
// at most len(pool) programs run at once and per-CPU data is never shared
// between two concurrent runs, as in the kernel.
type CPUs struct {
	free chan *CPU
	all  []*CPU
}

// NewCPUs creates n virtual CPUs (n <= 0 means runtime.NumCPU()).
func NewCPUs(n int) (*CPUs, error) {
	if n <= 0 {
		n = maps.PossibleCPUs()
	}
	if n > 1024 {
		return nil, fmt.Errorf("%d virtual CPUs requested, the limit is 1024", n)
	}
	p := &CPUs{free: make(chan *CPU, n)}
	for i := 0; i < n; i++ {
		c, err := newCPU(i)
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("creating virtual CPU %d: %w", i, err)
		}
		p.all = append(p.all, c)
		p.free <- c
	}
	return p, nil
}

// N returns the number of virtual CPUs.
func (p *CPUs) N() int { return len(p.all) }

// Acquire blocks until a CPU is free and returns it.
func (p *CPUs) Acquire() *CPU { return <-p.free }

// Release returns a CPU taken with Acquire.
func (p *CPUs) Release(c *CPU) { p.free <- c }

// Close frees the CPUs' memory; no run may be in progress.
func (p *CPUs) Close() {
	for _, c := range p.all {
		c.free()
	}
	p.all = nil
}

var (
	defaultOnce sync.Once
	defaultCPUs *CPUs
	defaultErr  error
	defaultN    int
)

// SetDefaultCPUs sets the number of virtual CPUs of the default pool; it must
// be called before the pool is first used (the CLI's --cpus flag).
func SetDefaultCPUs(n int) {
	defaultN = n
	maps.SetPossibleCPUs(n)
}

// DefaultCPUs returns the process-wide pool of virtual CPUs.
func DefaultCPUs() (*CPUs, error) {
	defaultOnce.Do(func() { defaultCPUs, defaultErr = NewCPUs(defaultN) })
	return defaultCPUs, defaultErr
}

// PossibleCPUs returns the number of CPUs per-CPU maps hold values for.
func PossibleCPUs() int { return maps.PossibleCPUs() }
