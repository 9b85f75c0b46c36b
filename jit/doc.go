// Package jit is the native-code engine: it compiles verified eBPF programs
// to machine code with a per-architecture back end (jit/amd64, jit/arm64)
// and runs that code on a per-CPU off-heap native stack.
//
// The contract between Go and generated code is the Frame: one per virtual
// CPU, holding the eBPF registers whenever the code is not running, and the
// reason it returned to Go (Exit). Generated code never calls Go: helper
// calls, preemption points and faults return to the run loop here through
// the entry trampoline (trampoline_<arch>.s), which calls the helper and
// resumes the code at Frame.Resume.
//
// Back ends register themselves with RegisterBackend from an init function;
// importing jit/amd64 or jit/arm64 (ebpf does) makes New usable on that
// architecture. Checked programs (vm.Program.Checked, not verified) are
// refused: only verified programs run natively.
package jit
