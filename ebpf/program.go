package ebpf

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/loader"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/vm"
)

// ProgramOptions tune NewProgramFromXlated.
type ProgramOptions struct {
	// Engine is "interpreter", "jit" or "auto" ("" = env BPFHOST_ENGINE, then auto).
	Engine string
	// ID restores a persisted program under this registry ID (0 = next free).
	ID uint32
	// UnsafeSkipVerifier loads the program without verifying it (also env
	// BPFHOST_UNSAFE_SKIP_VERIFIER=1); it then runs only in the
	// bounds-checked interpreter, never the JIT.
	UnsafeSkipVerifier bool
	// LogLevel is the verifier log level of a refusal's error (see
	// CollectionOptions.LogLevel).
	LogLevel int
	// Section is the ELF section the program came from (Program.Section):
	// when it names an attach type of the program type (cgroup/connect4),
	// that attach type's stricter context rules apply, as at the first load.
	Section string
	// MemSize is, for the "raw" type, the number of bytes r1 points to
	// that the verifier lets the program access; runs must give at least
	// as much data.
	MemSize int
}

// Program is a loaded program.
type Program struct {
	name, typ string
	xlated    []isa.Instruction
	prog      *vm.Program
	exe       vm.Executable
	ptype     progtype.Type
	maps      []*mapObj
	verified  bool
	section   string
	closed    atomic.Bool
	// mu is held for reading by runs and for writing by Close, so Close
	// waits for runs in progress and a run never sees released maps.
	mu sync.RWMutex
}

// NewProgramFromXlated loads a program from its linked form (what
// Program.Xlated returns and what is persisted). Map IDs in it must be live.
func NewProgramFromXlated(name, typ string, insns []isa.Instruction, opts ProgramOptions) (*Program, error) {
	eng, err := selectEngine(opts.Engine)
	if err != nil {
		return nil, err
	}
	t, ok := progtype.ByName(typ)
	if !ok {
		return nil, fmt.Errorf("program %s: unknown program type %q", name, typ)
	}
	if st, ok := progtype.ForSection(opts.Section); ok && st.Name() == t.Name() {
		t = st
	}
	return newProgram(name, t, insns, eng, opts.ID, loadOptions{
		section:      opts.Section,
		skipVerifier: skipVerifier(opts.UnsafeSkipVerifier),
		verify:       verifyOptions{logLevel: opts.LogLevel, memSize: opts.MemSize},
		nameInError:  true,
	})
}

// loadOptions say how newProgram treats the verifier.
type loadOptions struct {
	skipVerifier bool
	section      string
	verify       verifyOptions
	// nameInError prefixes refusals with the program's name (callers that
	// do not already name it).
	nameInError bool
}

// newProgram verifies (unless skipped) and loads a linked program. A
// verified program runs unchecked (on the JIT when the engine has one); an
// unverified one runs in the bounds-checked interpreter whatever the engine.
func newProgram(name string, t progtype.Type, insns []isa.Instruction, eng vm.Engine, id uint32, lo loadOptions) (*Program, error) {
	if !lo.skipVerifier {
		if _, err := verify(name, t, insns, lo.verify); err != nil {
			if lo.nameInError {
				return nil, fmt.Errorf("program %s: %w", name, err)
			}
			return nil, err
		}
	} else {
		eng = interp.New()
	}
	vp, err := loader.Finalize(name, t.Name(), insns, loader.Options{Verified: !lo.skipVerifier})
	if err != nil {
		return nil, err
	}
	exe, err := eng.Prepare(vp)
	if err != nil {
		return nil, fmt.Errorf("program %s: %s engine: %w", name, eng.Name(), err)
	}
	p := &Program{
		name:     name,
		typ:      t.Name(),
		xlated:   append([]isa.Instruction(nil), insns...),
		prog:     vp,
		exe:      exe,
		ptype:    t,
		verified: !lo.skipVerifier,
		section:  lo.section,
	}
	// Hold the maps the program uses so that closing their handles does not
	// free memory the program can still reach.
	for _, m := range vp.Maps {
		if w, ok := wrappers.Load(m.ID()); ok {
			w := w.(*mapObj)
			w.acquire()
			p.maps = append(p.maps, w)
		}
	}
	if id != 0 {
		if err := vm.RegisterProgramWithID(vp, id); err != nil {
			p.releaseMaps()
			return nil, fmt.Errorf("program %s: %w", name, err)
		}
	} else {
		vm.RegisterProgram(vp)
	}
	return p, nil
}

func (p *Program) releaseMaps() {
	for _, m := range p.maps {
		m.release()
	}
	p.maps = nil
}

// Verified reports whether the verifier accepted the program (false: it was
// loaded with UnsafeSkipVerifier and runs in the checked interpreter).
func (p *Program) Verified() bool { return p.verified }

// Section returns the ELF section the program was loaded from ("" when
// unknown).
func (p *Program) Section() string { return p.section }

// Name returns the program's function name.
func (p *Program) Name() string { return p.name }

// Type returns the program type's name.
func (p *Program) Type() string { return p.typ }

// ID returns the program's registry ID.
func (p *Program) ID() uint32 { return p.prog.ID() }

// Xlated returns the linked form of the program (a copy).
func (p *Program) Xlated() []isa.Instruction { return append([]isa.Instruction(nil), p.xlated...) }

// Internal returns the runnable program.
func (p *Program) Internal() *vm.Program { return p.prog }

// Executable returns what the engine prepared.
func (p *Program) Executable() vm.Executable { return p.exe }

func (p *Program) String() string { return fmt.Sprintf("%s(%s, id=%d)", p.typ, p.name, p.ID()) }

// Close unregisters the program and drops its references to maps. No run of
// it may be in progress.
func (p *Program) Close() error {
	if p == nil || !p.closed.CompareAndSwap(false, true) {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	vm.UnregisterProgram(p.prog)
	p.releaseMaps()
	return nil
}

// RunOptions are the input and output of Program.Run, as BPF_PROG_TEST_RUN's.
type RunOptions struct {
	// Data is the packet (or memory) the program runs on.
	Data []byte
	// DataOut receives the packet after the run and is resized to its length
	// (nil: not wanted). If its capacity is too small, it receives what fits
	// and Run returns an error matching maps.ENOSPC, as the kernel does.
	DataOut []byte
	// Context is the context block given to the program (program-type layout).
	Context []byte
	// ContextOut receives the context after the run, like DataOut.
	ContextOut []byte
	// Repeat runs the program this many times (0 = 1) on one virtual CPU,
	// as BPF_PROG_TEST_RUN's repeat: on the same packet and context, each
	// run seeing what the previous one left (see Run).
	Repeat uint32
	// Duration is set to the average time of one run: the run loop's time
	// divided by the runs, without building the context and packet or
	// copying the outputs (the kernel's duration covers the same span).
	Duration time.Duration
}

// Run runs the program as BPF_PROG_TEST_RUN would and returns its r0.
//
// With Repeat > 1 it does what the kernel does for XDP and socket-buffer
// programs: the packet and context are built from Data and Context once,
// then the program runs Repeat times on that one buffer, so changes a run
// makes to the packet (bytes, adjust_head/tail/meta) and to the context
// (skb->mark, cb, ...) are the next run's input. Map state evolves over the
// runs. The return value, DataOut and ContextOut are the last run's.
// Duration is the time of the run loop divided by Repeat; building the
// input and copying the outputs are outside it, as in the kernel, so the
// two figures measure the same thing. A run that fails ends the loop.
func (p *Program) Run(opts *RunOptions) (uint32, error) {
	if opts == nil {
		opts = &RunOptions{}
	}
	// The output is built in the caller's buffers when they are large
	// enough, so a caller reusing them runs without allocating.
	res, err := p.run(opts.Data, opts.Context, opts.DataOut[:0], opts.ContextOut[:0], opts.Repeat, nil)
	opts.Duration = res.dur
	if err != nil {
		return uint32(res.ret), err
	}
	var errOut error
	if opts.DataOut != nil {
		if opts.DataOut, err = copyOut(opts.DataOut, res.data); err != nil {
			errOut = fmt.Errorf("data out: %w", err)
		}
	}
	if opts.ContextOut != nil {
		if opts.ContextOut, err = copyOut(opts.ContextOut, res.ctx); err != nil && errOut == nil {
			errOut = fmt.Errorf("context out: %w", err)
		}
	}
	return uint32(res.ret), errOut
}

// copyOut copies src into dst's backing array and resizes dst, or copies
// what fits and reports ENOSPC.
func copyOut(dst, src []byte) ([]byte, error) {
	if len(src) > cap(dst) {
		dst = dst[:cap(dst)]
		copy(dst, src)
		return dst, fmt.Errorf("%w: output is %d bytes, buffer holds %d", maps.ENOSPC, len(src), cap(dst))
	}
	dst = dst[:len(src)]
	copy(dst, src)
	return dst, nil
}

// Benchmark runs the program repeat times on in, as Run with Repeat does
// (one buffer, reused by every run), and returns the last return value and
// the average duration of one run (the timed loop only). reset, if set, is
// called just before the timed loop (testing.B.ResetTimer).
func (p *Program) Benchmark(in []byte, repeat int, reset func()) (uint32, time.Duration, error) {
	if repeat < 0 || uint64(repeat) > math.MaxUint32 {
		return 0, 0, fmt.Errorf("repeat %d out of range", repeat)
	}
	res, err := p.run(in, nil, nil, nil, uint32(repeat), reset)
	return uint32(res.ret), res.dur, err
}

// runResult is what run reports; data and ctx are the outputs.
type runResult struct {
	ret       uint64
	dur       time.Duration
	data, ctx []byte
}

// runBufs is the per-CPU input/output block of a run, kept on the virtual
// CPU (which the run holds exclusively) so that runs do not allocate.
type runBufs struct {
	in  progtype.RunInput
	out progtype.RunOutput
	// spareData and spareCtx receive the outputs nobody asked for (Finish
	// always produces them), so that such runs do not allocate either.
	spareData, spareCtx []byte
}

var runBufsKey = new(byte)

// run executes the program repeat times on one virtual CPU, as the kernel's
// BPF_PROG_TEST_RUN does: the context and packet are built once (Setup),
// every repetition runs on what the previous one left (packet bytes,
// adjust_head moves, context stores all persist), and the outputs are those
// of the last run. The measured time, on a monotonic clock, covers the run
// loop only, not Setup and Finish (the kernel's copy-in and copy-out).
// dataOut and ctxOut are the buffers the outputs are appended to.
func (p *Program) run(data, ctxIn, dataOut, ctxOut []byte, repeat uint32, reset func()) (res runResult, err error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed.Load() {
		return res, ErrClosed
	}
	if repeat == 0 {
		repeat = 1
	}
	cpus, err := vm.DefaultCPUs()
	if err != nil {
		return res, err
	}
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	b := cpu.Scratch(runBufsKey, func() any { return new(runBufs) }).(*runBufs)
	spareData, spareCtx := dataOut == nil, ctxOut == nil
	if spareData {
		dataOut = b.spareData[:0]
	}
	if spareCtx {
		ctxOut = b.spareCtx[:0]
	}
	b.in = progtype.RunInput{Data: data, Context: ctxIn}
	b.out = progtype.RunOutput{Data: dataOut, Context: ctxOut}
	// Do not keep the caller's memory reachable from the CPU afterwards;
	// keep the spare buffers, grown to what the outputs needed.
	defer func() {
		if spareData {
			b.spareData = b.out.Data[:0]
		}
		if spareCtx {
			b.spareCtx = b.out.Context[:0]
		}
		b.in, b.out = progtype.RunInput{}, progtype.RunOutput{}
	}()
	ctx := &cpu.Run
	ctx.Reset(p.prog)
	r1, r2, err := p.ptype.Setup(ctx, &b.in)
	if err != nil {
		return res, fmt.Errorf("program %s: %w", p.name, err)
	}
	if reset != nil {
		reset()
	}
	checked := p.prog.Checked
	if rp, ok := p.exe.(vm.Repeater); ok && !checked {
		// The engine's own loop: the same runs, with its per-CPU setup
		// done once.
		start := time.Now()
		var runs uint32
		res.ret, runs, err = rp.Repeat(ctx, r1, r2, repeat)
		if runs == 0 {
			runs = 1
		}
		res.dur = time.Since(start) / time.Duration(runs)
		helpers.EndRun(ctx)
		if err != nil {
			return res, fmt.Errorf("program %s: %w", p.name, err)
		}
		return p.finish(ctx, b, res)
	}
	start := time.Now()
	for i := uint32(0); i < repeat; i++ {
		if i > 0 {
			ctx.Rerun(p.prog)
		}
		res.ret, err = p.exe.Run(ctx, r1, r2)
		// Ring buffer records and a bpf_spin_lock a run left must not stay
		// held. A verified program that exits normally has released them
		// (the verifier refuses it otherwise), so it skips the per-run
		// cleanup; the call after the loop is the safety net.
		if checked || err != nil {
			helpers.EndRun(ctx)
		}
		if err != nil {
			res.dur = time.Since(start) / time.Duration(i+1)
			return res, fmt.Errorf("program %s: %w", p.name, err)
		}
	}
	res.dur = time.Since(start) / time.Duration(repeat)
	if !checked {
		helpers.EndRun(ctx)
	}
	return p.finish(ctx, b, res)
}

// finish builds the outputs of a run loop that ended with res.ret.
func (p *Program) finish(ctx *vm.Context, b *runBufs, res runResult) (runResult, error) {
	b.out.Ret = res.ret
	b.out.Redirect = ctx.Redirect
	if err := p.ptype.Finish(ctx, res.ret, &b.out); err != nil {
		return res, fmt.Errorf("program %s: %w", p.name, err)
	}
	res.data, res.ctx = b.out.Data, b.out.Context
	return res, nil
}
