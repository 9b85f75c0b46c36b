package jit

// haveTrampoline says whether enter is implemented on this architecture.
const haveTrampoline = true

// enter runs generated code: it calls the prologue at code (which saves
// the Go stack pointer in frame.SavedSP, switches to frame.NativeSP, loads
// the eBPF registers and jumps to frame.Resume) and returns when the code
// exits to Go. Implemented in trampoline_arm64.s.
//
//go:noescape
func enter(code uintptr, frame *Frame)
