//go:build !windows

#include "textflag.h"

// func readCTR() uint64
// Reads CTR_EL0 (cache type register; Linux lets EL0 read it).
TEXT ·readCTR(SB), NOSPLIT, $0-8
	WORD	$0xd53b0020 // MRS X0, CTR_EL0
	MOVD	R0, ret+0(FP)
	RET

// func syncICache(addr, n, dline, iline uintptr)
// Makes freshly written code visible to instruction fetch: clean the data
// cache to the point of unification line by line, DSB, invalidate the
// instruction cache lines, DSB, ISB (the ARM ARM's self-modifying-code
// sequence). Line sizes are powers of two.
TEXT ·syncICache(SB), NOSPLIT, $0-32
	MOVD	addr+0(FP), R0
	MOVD	n+8(FP), R1
	MOVD	dline+16(FP), R3
	MOVD	iline+24(FP), R5
	ADD	R0, R1, R1
	SUB	$1, R3, R6
	BIC	R6, R0, R6
dloop:
	WORD	$0xd50b7b26 // DC CVAU, X6
	ADD	R3, R6, R6
	CMP	R1, R6
	BLO	dloop
	WORD	$0xd5033b9f // DSB ISH
	SUB	$1, R5, R6
	BIC	R6, R0, R6
iloop:
	WORD	$0xd50b7526 // IC IVAU, X6
	ADD	R5, R6, R6
	CMP	R1, R6
	BLO	iloop
	WORD	$0xd5033b9f // DSB ISH
	WORD	$0xd5033fdf // ISB
	RET
