#include "textflag.h"

// func enter(code uintptr, frame *Frame)
//
// Generated code uses every general-purpose register (R12 holds the Frame,
// RBP is the eBPF frame pointer r10, R14 is eBPF r8). Go needs, after
// return: SP and BP as they were (the assembler's prologue/epilogue for
// the frame saves BP on the goroutine stack; the code's exits restore SP
// from Frame.SavedSP). R14 (g) and X15 (zero) need no saving: this is an
// ABI0 function, and the compiler reloads both after every call from Go
// code into ABI0 code. The code runs on the off-heap native stack, never
// on the goroutine stack, so it cannot be confused by stack growth or
// moves.
TEXT ·enter(SB), NOSPLIT, $8-16
	MOVQ code+0(FP), R11
	MOVQ frame+8(FP), R12
	CALL R11
	RET
