package jit

import (
	"fmt"
	"runtime"

	"github.com/bpfhost/bpfhost/vm"
)

// The run loop's part of native tail calls (see tailcall.go).

// tailBegin readies native tail calls for a run of x: the table of x's
// Options and type (only when the run's program, which helpers.tailCall
// compares types with, is x's or of x's type), the stack a tail call
// restarts from, and a clear tail word.
func (s *state) tailBegin(x *Executable) {
	f := &s.f
	s.tab = nil
	f.Spare[0] = 0
	if t := x.tail; t != nil {
		if p := s.ctx.Prog; p == x.prog || (p != nil && p.Type == x.prog.Type) {
			s.tab = t
			f.Spare[0] = uint64(t.addr)
		}
	}
	f.RunStackSP, f.RunFP = uint64(f.NativeStack), s.top
	// Normally clear already (tailEnd); not after a panic out of a run.
	*s.tailWord() = 0
	if len(s.keep) > 0 {
		clear(s.keep)
		s.keep = s.keep[:0]
	}
}

// tailEnd ends a run of x: it clears the tail word (an idle CPU must not
// keep withdrawn code from being reclaimed) and lets go of the run's
// Go-route targets. x, whose stub native tail calls return through, is
// held until here.
func (s *state) tailEnd(x *Executable) {
	if s.f.TailCalls != 0 {
		*s.tailWord() = 0
		if len(s.keep) > 0 {
			clear(s.keep)
			s.keep = s.keep[:0]
		}
	}
	runtime.KeepAlive(x)
}

// goTailCall runs the Go bpf_tail_call helper h: one count for both
// routes, kept in the Frame, where native code counts.
func (s *state) goTailCall(h vm.Helper) {
	f, ctx := &s.f, s.ctx
	ctx.TailCalls = int(f.TailCalls)
	f.Regs[0] = h(ctx, f.Regs[1], f.Regs[2], f.Regs[3], f.Regs[4], f.Regs[5])
	f.TailCalls = uint64(ctx.TailCalls)
}

// tailSaved is what a callback's exec changes of the tail-call state.
type tailSaved struct{ sp, fp, word uint64 }

// tailEnterCallback points native tail calls at a callback's frame: as on
// the Go route, a tail call inside a callback replaces the callback's call
// chain (fp, sp), and the callback's code starts as the callback's own.
func (s *state) tailEnterCallback(fp uint64, sp uintptr) tailSaved {
	f := &s.f
	w := s.tailWord()
	saved := tailSaved{f.RunStackSP, f.RunFP, *w}
	f.RunStackSP, f.RunFP, *w = uint64(sp), fp, 0
	return saved
}

// tailLeaveCallback restores the caller's tail-call state.
func (s *state) tailLeaveCallback(v tailSaved) {
	f := &s.f
	f.RunStackSP, f.RunFP, *s.tailWord() = v.sp, v.fp, v.word
}

// tailResolve returns the executable that native code jumped to through
// the table entry tagged tag. The entry cannot be reclaimed meanwhile: this
// CPU's tail word holds tag.
func (s *state) tailResolve(tag uint64) (*Executable, error) {
	if t := s.tab; t != nil {
		sl := &t.slots[uint32(tag)&TailTableMask]
		if sl.tag.Load() == tag {
			if x := sl.x.Load(); x != nil {
				return x, nil
			}
		}
	}
	return nil, fmt.Errorf("%w: jit: native tail call through unknown entry %#x", vm.ErrAborted, tag)
}
