#include "textflag.h"

// func enter(code uintptr, frame *Frame)
//
// Generated code uses every general-purpose register (R12 holds the Frame,
// RBP is the eBPF frame pointer r10, R14 is eBPF r8). Go needs, after
// return: SP and BP as they were (the assembler's prologue/epilogue saves
// BP on the goroutine stack; the code's exit restores SP from
// Frame.SavedSP), R14 = g (reloaded from the slot below) and X15 = 0 (the
// code uses no vector registers; cleared anyway for ABIInternal callers).
// The code runs on the off-heap native stack, never on the goroutine
// stack, so it cannot be confused by stack growth or moves.
TEXT ·enter(SB), NOSPLIT, $16-16
	MOVQ R14, g_save-8(SP)
	MOVQ code+0(FP), R11
	MOVQ frame+8(FP), R12
	CALL R11
	MOVQ g_save-8(SP), R14
	XORPS X15, X15
	RET
