//go:build !amd64 && !arm64

package jit

// haveTrampoline is false where no trampoline is written yet; Supported
// then reports false and the engine is never entered.
const haveTrampoline = false

func enter(code uintptr, frame *Frame) { panic("jit: no trampoline on this architecture") }
