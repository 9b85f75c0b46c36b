// Package verifier proves eBPF programs safe before they run unchecked, the
// way the Linux kernel's verifier does for a privileged (CAP_BPF) loader:
// every memory access stays inside an object the program may touch, every
// helper gets arguments of the right kind, acquired references (ring buffer
// records) are released on every path, and the program terminates.
//
// # Input
//
// Verify takes the linked form of a program (see the loader): bpf-to-bpf
// calls and ld_imm64 function references hold relative offsets, ld_imm64 map
// references hold map IDs (PseudoMapFD, or PseudoMapValue with the value
// offset in the second slot). Map IDs are resolved by Options.Maps (the live
// registry by default, or a MapTable in tests and offline checks). Context
// accesses are checked against Linux's layout (struct xdp_md), or against
// the host layout when Options.HostContext says the loader already rewrote
// them. Program types other than the built-in "xdp" and "raw" are described
// by the caller with a TypeInfo (context layout through the Context
// interface, the type's helper table, whether packet stores are allowed),
// which the loader can build from its progtype.
//
// # Passes
//
// The first pass (cfg.go) is structural, like the kernel's check_cfg: every
// opcode, register and reserved field is valid, ld_imm64 pairs are whole,
// subprograms are found from call and function-reference targets, jumps stay
// in their function and never land on a second slot, no function falls off
// its end, every instruction is reachable, and r10 is never written. It also
// computes which registers are live at each instruction (backward data flow)
// and marks prune points (jump targets, branch fall-throughs, calls,
// function entries).
//
// The second pass is abstract interpretation by path exploration (core.go,
// exec.go, mem.go, branch.go, calls.go). A state holds, per call frame, the
// abstract value of r0-r10 and of each 8-byte stack slot, plus the list of
// held references. A register is not-init, a scalar, or a pointer: to the
// context, a stack frame (+offset), packet data (+offset, with the number of
// bytes known to exist after it), the packet end, packet metadata, a map
// value (+offset), a map value or NULL, a map handle, sized memory (ring
// buffer records, raw memory), sized memory or NULL, a map-in-map inner map
// or NULL, or a function. Scalars, and the variable part of pointer
// offsets, are tracked as in the kernel: signed and unsigned 64-bit and
// 32-bit ranges plus known bits (tnum.go), kept consistent by reg.sync. ALU
// results (scalar.go) are computed on those domains; conditional jumps decide
// a branch when the ranges allow and otherwise refine both sides
// (branch.go), including through 32-bit views, linked copies of a scalar
// (mov gives both the same id), null checks (all copies of a maybe-NULL
// pointer become valid or 0) and packet bounds checks against data_end in
// both operand orders and both branch directions. The stack tracks spilled
// registers (8-byte aligned stores of any register) and, byte by byte,
// whether it holds zero, some value, or was never written; privileged
// programs may read unwritten stack (as an unknown value), unprivileged ones
// may not (Options.Unprivileged also refuses pointer leaks, pointer
// comparisons and bitwise operations on pointers, as the kernel does for
// !CAP_BPF). Helpers are described by prototypes (helpers.go) with argument
// kinds (map handle, key/value-sized memory, memory plus constant size,
// context, ring buffer record to release, callback function) and result
// kinds; helpers that may move packet data (xdp_adjust_*, skb_store_bytes,
// skb_change_*, ...) invalidate every packet pointer. As in Linux, one
// instruction may not access the context on one path and other memory on
// another (the loader rewrites context accesses per instruction).
//
// bpf-to-bpf calls push a frame (at most 8; callees get r1-r5, r6-r9 start
// uninitialized, the caller's r1-r5 are clobbered on return, stack pointers
// into a returning frame are invalidated and may not be returned). Callback
// helpers (bpf_loop, for_each_map_elem) fork: one path continues after the
// call, the other enters the callback in a new frame and, when it returns
// 0 or 1, comes back to the helper call, which may call it again; pruning at
// that call (allowed there against states still being explored, because
// the helper bounds the iterations, after widening scalars that changed)
// ends the iteration. The combined stack of every call chain, each frame
// rounded up to 32 bytes, must fit in 512 bytes, as in the kernel.
//
// # Termination and pruning
//
// Paths are explored depth first. At prune points the state is compared with
// checkpoints stored there (prune.go): if a checkpoint whose every path was
// proven safe covers the current state (same types, ranges containing the
// current ones, packet ranges no larger, stack bytes no more initialized,
// ids matching one to one) the path ends. Only live registers are compared
// (static liveness), and scalars in registers whose value can reach no
// branch, address, stack store, helper or function argument, or function
// result (a static stand-in for the kernel's precision tracking,
// precise.go) match any scalar. Like the kernel, a checkpoint is stored only
// every few jumps and instructions, and at function entries and callback
// helper calls. A
// checkpoint whose paths are still being explored is an ancestor of the
// current path (depth-first order); reaching it again with an identical
// state is an infinite loop and is refused. Every other loop is unrolled
// until it exits, so bounded loops verify and unbounded ones exhaust the
// budget of 1,000,000 processed instructions (Options.MaxProcessed), as in
// the kernel.
//
// # Log
//
// On refusal Verify returns an *Error (errors.Is ErrRefused) with the
// instruction and reason, and Result.Log ends like the kernel's log: the
// instruction with its disassembly, the register and stack state, the
// one-line reason and the processed-instruction summary. LogLevel 1 adds
// every processed instruction and each path's starting state; 2 adds the
// state after every instruction.
//
// # Tests
//
// Besides hand-written accepted and refused programs (each refusal with its
// expected reason) and clang-built objects, the tests compare verdicts with
// the running kernel (cilium/ebpf; skipped without bpf()), check the scalar
// domain and branch refinement against concrete arithmetic, fuzz the
// verifier with generated programs (internal/progen), and, in the
// integration package, run every generated program the verifier accepts
// under the interpreter's checked mode, which must never catch one.
//
// Two data-driven suites cover the refusals and every program type:
// testdata/negative holds several hundred hand-written unsafe programs, one
// distinct pattern each, in the conformance assembler's syntax with their
// program type, maps and expected reason (the format is described in
// suite_test.go); testdata/positive holds clang-built programs of every
// supported type, all of which must be accepted. Both suites are loaded into
// the running kernel too: it must refuse every negative program (or the case
// names the documented difference) and accept every positive one.
//
// # Differences from Linux
//
// Precision is a static over-approximation (the kernel tracks it per path,
// so it prunes more) and spilled scalars always count as precise; there is
// no stack liveness (only registers); no BTF, kfuncs, timers, dynptrs or
// iterators; spin locks are tracked (one held at a time, released before
// exit, no calls while held) but, without BTF, the lock is only known to be
// 4 aligned bytes inside a map value; and constant-string arguments
// (snprintf, strncmp) are checked to lie in a read-only map value but not for
// their NUL terminator: helpers must bound string scans by the value's end.
// trace_printk's r3-r5 are not checked (as in Linux), so %s arguments must be
// read by the helper with bounds checks. For the "raw" program type r1 is
// writable memory of Options.MemSize bytes and r2 an unknown length; runs
// must provide at least MemSize bytes.
//
// Verdicts that differ from Linux 6.18 (found by the suites' kernel
// comparison). bpfhost refuses, Linux accepts:
//   - returning a pointer from the program (privileged Linux allows it
//     for most types; bpfhost requires a scalar, which every type's
//     runner interprets);
//   - loads from a map handle (Linux reads struct bpf_map fields through
//     BTF; bpfhost's handles are not structures);
//   - a tracepoint context load at a negative offset (Linux's
//     tp_prog_is_valid_access compares the offset with sizeof(void *) as
//     unsigned and lets it through; it would read before the record);
//   - a map_lookup_elem result of an array or per-CPU array used without a
//     NULL check when the key is a nonzero constant below max_entries, or
//     the array is an inner map (Linux 6.13+ proves such results
//     non-NULL; bpfhost does so only for key 0 written as zero bytes, as
//     it keeps no narrower constant stores, and not for inner maps, whose
//     size at run time may differ from the template's);
//   - a scalar stored in fewer than 8 bytes at the start of an 8-byte
//     stack slot and loaded back with the same size (Linux keeps its
//     bounds; bpfhost tracks spills of whole 8-byte slots only, so the
//     load is an unknown number of that size; neither tracks such stores
//     elsewhere in a slot).
//
// bpfhost accepts, Linux refuses: bpf_redirect_map with maps other than
// device, CPU and XSK maps (bpfhost has none of those; any map with 4-byte
// keys stands in for them), and spin locks in maps without BTF (bpfhost
// has no BTF; the lock is 4 aligned bytes of a map value).
package verifier
