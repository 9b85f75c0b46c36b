//go:build !race

#include "textflag.h"

// func storeRelease(p *uint32)
//
// A plain store is a release on amd64 (stores are not reordered with
// earlier loads or stores), and a call to an assembly function is a
// compiler barrier: Linux's spin_unlock on x86 is the same store.
TEXT ·storeRelease(SB), NOSPLIT, $0-8
	MOVQ p+0(FP), AX
	MOVL $0, (AX)
	RET
