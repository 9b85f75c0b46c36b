package vm

import (
	"errors"
	"fmt"
	"io"

	"github.com/bpfhost/bpfhost/maps"
)

// Packet is the state of the packet a packet-processing program runs on, the
// engine-neutral counterpart of the kernel's xdp_buff. Addresses point into
// the CPU's off-heap packet buffer; adjust_head/tail/meta move them.
type Packet struct {
	HardStart uint64 // first byte of the buffer (start of headroom)
	Meta      uint64 // start of metadata (== Data when there is none)
	Data      uint64 // first byte of the frame
	End       uint64 // one past the last byte of the frame
	BufEnd    uint64 // one past the last byte the frame may grow into
}

// Redirect records the target chosen by bpf_redirect and bpf_redirect_map.
type Redirect struct {
	Set     bool
	IfIndex uint32
	Map     uint32 // map ID for redirect_map, 0 otherwise
	Key     uint32
	Flags   uint64
}

// ErrAborted wraps the reason a run was stopped by a helper or a checked access.
var ErrAborted = errors.New("program aborted")

// Context is the state of one run of a program on one virtual CPU. It is
// reused across runs of the CPU; engines and program types reset it.
type Context struct {
	// Prog is the running program; a tail call replaces it.
	Prog *Program
	// CPU is the virtual CPU the run holds.
	CPU *CPU

	// Ctx is the address and size of the program's context block (r1 at entry).
	Ctx     uint64
	CtxSize int
	// CtxWritable lets checked mode allow stores into the context block
	// (for the raw-memory program type, whose context is caller memory).
	CtxWritable bool
	// Pkt is the packet of packet program types (zero otherwise).
	Pkt Packet
	// HasPacket says whether Pkt is in use.
	HasPacket bool
	// Redirect is the redirect decision of the run.
	Redirect Redirect

	// TailCall is the program a helper asked to jump to, consumed by the engine.
	TailCall *Program
	// TailCalls counts tail calls taken in this run.
	TailCalls int

	// Call runs the subprogram at pc with r1-r5 and returns its r0; engines
	// set it so that helpers such as bpf_loop can call back into the program.
	Call func(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error)

	// Trace receives bpf_trace_printk output (nil discards it).
	Trace io.Writer

	// extra lists regions granted during the run (ringbuf records, ...).
	extra []maps.Region
	err   error
}

// Reset prepares the context for a new run of prog.
func (c *Context) Reset(prog *Program) {
	cpu := c.CPU
	trace := c.Trace
	extra := c.extra[:0]
	*c = Context{Prog: prog, CPU: cpu, Trace: trace, extra: extra}
}

// Abort stops the run with an error; the engine returns it after the helper.
func (c *Context) Abort(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%w: %s", ErrAborted, fmt.Sprintf(format, args...))
	}
}

// Err returns the error a helper raised with Abort, if any.
func (c *Context) Err() error { return c.err }

// Grant lets the program address [start, start+size) for the rest of the run
// (in checked mode); helpers call it for memory they hand out.
func (c *Context) Grant(start uint64, size uint64) {
	c.extra = append(c.extra, maps.Region{Start: uintptr(start), End: uintptr(start + size)})
}

// Revoke withdraws a grant made at start (a ringbuf record once submitted).
func (c *Context) Revoke(start uint64) {
	for i, r := range c.extra {
		if r.Start == uintptr(start) {
			// Grants are mostly revoked last-in first-out (a callback's
			// key, a ring buffer record): then truncating is enough.
			if i == len(c.extra)-1 {
				c.extra = c.extra[:i]
			} else {
				c.extra = append(c.extra[:i], c.extra[i+1:]...)
			}
			return
		}
	}
}

// Check reports whether the program may access size bytes at addr; write
// says whether it stores. Engines call it before every access in checked mode.
func (c *Context) Check(addr uint64, size int, write bool) bool {
	a, n := uintptr(addr), uintptr(size)
	if a+n < a {
		return false
	}
	if s := c.CPU.stack; a >= s.Start && a+n <= s.End {
		return true
	}
	if c.HasPacket && addr >= c.Pkt.Meta && addr+uint64(size) <= c.Pkt.End {
		return true
	}
	if addr >= c.Ctx && addr+uint64(size) <= c.Ctx+uint64(c.CtxSize) {
		return !write || c.CtxWritable
	}
	for _, r := range c.extra {
		if r.Contains(a, n) {
			return true
		}
	}
	return maps.ContainsAddr(a, n)
}

// CheckError describes a refused access for the error a checked engine returns.
func (c *Context) CheckError(pc int, addr uint64, size int, write bool) error {
	kind := "load"
	if write {
		kind = "store"
	}
	return fmt.Errorf("%w: instruction %d: out-of-bounds %s of %d bytes at %#x", ErrAborted, pc, kind, size, addr)
}
