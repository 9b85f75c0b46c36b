// Package interp is the pure-Go eBPF interpreter: it runs vm.Programs on
// every GOOS/GOARCH with CGO_ENABLED=0 and implements all of RFC 9669
// (ALU and ALU64 including signed division and modulo, sign-extending moves
// and loads, byte swaps, gotol, every atomic operation, helper calls, callx,
// bpf-to-bpf calls and tail calls).
//
// # Decode once
//
// Prepare validates the program and translates it into a slice of insn, one
// 16-byte entry per instruction slot (slots stay one-to-one with the
// bytecode so instruction indexes in errors match the program's). Each
// entry holds a dense internal opcode, the registers, the memory offset or
// the absolute jump/call target, and the immediate already sign-extended to
// 64 bits (the full value for ld_imm64). Everything the encoding expresses
// through secondary fields is resolved here, once: signed division and
// modulo (offset 1), sign-extending moves (offset 8/16/32), le/be against
// the host byte order, bswap widths, gotol's 32-bit offset, atomic
// operations from the immediate. The run loop is then a single switch on
// the internal opcode, which Go compiles into one jump table. ld_imm64 with
// any pseudo source simply loads its 64-bit immediate: loader.Finalize has
// already turned map and function references into handles and addresses.
//
// Prepare rejects what the run loop relies on never happening: an empty
// program, unknown encodings, registers beyond r10, writes to r10, jump and
// call targets outside the program or into the second slot of an
// ld_imm64, and a truncated ld_imm64. A sentinel entry after the last slot
// turns running off the end into an error. As a result the loop can index
// the slice without bounds checks, in checked and unchecked mode alike. The
// executable is cached on the program (vm.Program.SetCompiled), so tail-call
// targets are decoded once.
//
// # Checked and unchecked execution
//
// Programs that did not pass a verifier run checked (vm.Program.Checked):
// every load, store and atomic is validated before it happens, and an
// instruction budget (CheckedBudget, shared with callbacks and tail calls)
// stops programs that loop forever. The budget is charged per straight-line
// segment, not per instruction: execution only moves backward through a
// backward jump, a call or a return, so the loop charges the length of the
// segment just ended at those points and straight-line code and forward
// jumps cost nothing. Stack and packet accesses, the most frequent, are
// checked inline (one unsigned comparison for the stack); all others go
// through vm.Context.Check (context, grants, map values).
// Atomics must also be naturally aligned. A refused access ends the run
// with an error wrapping vm.ErrAborted that names the instruction; it never
// crashes the host. Unchecked (verified) programs skip the tests and access
// memory directly through vm.Load8..Store64 and sync/atomic.
//
// # Registers and the run loop
//
// The eBPF registers are a local array (in the machine struct that lives in
// exec's stack frame), not fields of a heap object: they cost no
// allocation, stay hot in the L1 cache, and indexing them with a 4-bit mask
// lets the compiler drop bounds checks. Only the program counter is kept in
// a machine register. Go's register allocator spills any value that is live
// across a call at its definition, which for the loop-carried program
// counter would mean a store on every instruction; so the few cases that
// call out of line (checked accesses off the stack and packet, helper
// calls) save it in the machine before the call and reload it after, and
// the dispatch path has no spills. Measured on amd64, a dispatched
// instruction costs about 1.2 ns of CPU time, checked or unchecked.
//
// # Calls and frames
//
// A local call (call with src 1) saves r6-r9, r10 and the return index in
// the next of vm.MaxCallDepth frame slots and moves r10 down by
// vm.StackSize, so each frame has its own 512 bytes of the CPU's stack; exit
// in a callee restores them, exit in the entry frame ends the run. A helper
// call looks the helper up in the program's table, calls it with r1-r5 and
// puts the result in r0; then an abort (ctx.Err) ends the run, and a tail
// call (ctx.TailCall) restarts the loop at instruction 0 of the target in
// the entry frame with the registers as they are (r1 is the context).
//
// Helpers such as bpf_loop call back into the program through ctx.Call. The
// engine publishes ctx.Call at the first helper call of a run; its state
// (which program and frame is calling, the remaining budget) is cached per
// CPU with vm.CPU.Scratch, so neither the closure nor the state is
// allocated per run. A callback runs in a new frame below its caller's and
// counts toward the call depth; an error in a callback aborts the whole run
// even if the helper ignores it.
package interp
