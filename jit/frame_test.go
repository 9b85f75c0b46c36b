package jit

import (
	"testing"
	"unsafe"
)

// TestFrameOffsets pins the Frame layout that generated code relies on.
func TestFrameOffsets(t *testing.T) {
	var f Frame
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"Regs", unsafe.Offsetof(f.Regs), OffRegs},
		{"Resume", unsafe.Offsetof(f.Resume), OffResume},
		{"Exit", unsafe.Offsetof(f.Exit), OffExit},
		{"Arg", unsafe.Offsetof(f.Arg), OffArg},
		{"Arg2", unsafe.Offsetof(f.Arg2), OffArg2},
		{"NativeSP", unsafe.Offsetof(f.NativeSP), OffNativeSP},
		{"SavedSP", unsafe.Offsetof(f.SavedSP), OffSavedSP},
		{"Budget", unsafe.Offsetof(f.Budget), OffBudget},
		{"StackLimit", unsafe.Offsetof(f.StackLimit), OffStackLimit},
		{"NativeStack", unsafe.Offsetof(f.NativeStack), OffNativeStack},
		{"Reserved", unsafe.Offsetof(f.Reserved), OffReserved},
		{"CPU", unsafe.Offsetof(f.CPU), OffCPU},
		{"TailCalls", unsafe.Offsetof(f.TailCalls), OffTailCalls},
		{"RunStackSP", unsafe.Offsetof(f.RunStackSP), OffRunStackSP},
		{"RunFP", unsafe.Offsetof(f.RunFP), OffRunFP},
		{"Ctx", unsafe.Offsetof(f.Ctx), OffCtx},
		{"Rand", unsafe.Offsetof(f.Rand), OffRand},
		{"Spare", unsafe.Offsetof(f.Spare), OffSpare},
		{"size", unsafe.Sizeof(f), FrameSize},
	} {
		if c.got != c.want {
			t.Errorf("Frame.%s at %d, constant says %d", c.name, c.got, c.want)
		}
	}
}
