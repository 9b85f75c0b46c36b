#include "textflag.h"

// func enter(code uintptr, frame *Frame)
//
// Calls the prologue of generated code (see jit/arm64) with R0 = frame and
// LR pointing back here. The prologue stores LR in Frame.Reserved[0] and
// the Go stack pointer in Frame.SavedSP and switches to the off-heap native
// stack; every exit restores both and returns here. Generated code never
// touches what Go needs preserved: R28 (g, which signal handlers read while
// the code runs), R18 (platform register), R29 (frame pointer). The
// assembler's prologue/epilogue for the 16-byte frame saves and restores LR
// and R29 on the goroutine stack.
TEXT ·enter(SB), NOSPLIT, $16-16
	MOVD	code+0(FP), R1
	MOVD	frame+8(FP), R0
	CALL	(R1)
	RET
