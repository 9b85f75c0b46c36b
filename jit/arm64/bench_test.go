package arm64_test

import (
	"testing"

	"github.com/bpfhost/bpfhost/interp"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// benchRun measures one run of src per iteration on eng. Under qemu the
// numbers show only the ratio between engines, not arm64 performance.
func benchRun(b *testing.B, eng vm.Engine, src string, checked bool) {
	needNative(b)
	insns, err := assembleTB(src)
	if err != nil {
		b.Fatal(err)
	}
	p := &vm.Program{Name: "bench", Type: "raw", Insns: insns, Helpers: &testHelpers, Checked: checked}
	exe, err := eng.Prepare(p)
	if err != nil {
		b.Fatal(err)
	}
	cpus := testCPUs(b)
	cpu := cpus.Acquire()
	defer cpus.Release(cpu)
	ctx := &cpu.Run
	b.ReportAllocs()
	for b.Loop() {
		ctx.Reset(p)
		if _, err := exe.Run(ctx, 1, 2); err != nil {
			b.Fatal(err)
		}
	}
}

const loopSrc = `
	mov %r0, 0
	mov %r1, 0
loop:
	add %r0, %r1
	xor %r0, 0x55
	add %r1, 1
	jlt %r1, 1000, loop
	exit`

const helperSrc = `
	mov %r6, 0
	mov %r7, 0
loop:
	mov %r1, %r6
	call 1
	add %r7, %r0
	add %r6, 1
	jlt %r6, 100, loop
	mov %r0, %r7
	exit`

func BenchmarkLoop1000(b *testing.B) {
	b.Run("interpreter", func(b *testing.B) { benchRun(b, interp.New(), loopSrc, false) })
	b.Run("jit", func(b *testing.B) { benchRun(b, jit.New(), loopSrc, false) })
}

func BenchmarkHelperCalls100(b *testing.B) {
	b.Run("interpreter", func(b *testing.B) { benchRun(b, interp.New(), helperSrc, false) })
	b.Run("jit", func(b *testing.B) { benchRun(b, jit.New(), helperSrc, false) })
}
