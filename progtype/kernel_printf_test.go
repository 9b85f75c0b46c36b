package progtype

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/vm"
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// printfArg is a bpf_snprintf argument: a number, or (ptr >= 0) the address
// of byte ptr of the read-only blob the format lives in.
type printfArg struct {
	v   uint64
	ptr int
}

func num(v uint64) printfArg { return printfArg{v: v, ptr: -1} }
func blob(off int) printfArg { return printfArg{ptr: off} }
func printfBlob(f string) []byte {
	b := make([]byte, 256)
	copy(b, f)
	copy(b[128:], "hello\x00")
	copy(b[160:], []byte{10, 0, 2, 15})
	copy(b[176:], []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd})
	copy(b[192:], []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 2, 15}) // IPv4-mapped
	copy(b[208:], []byte{0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3})         // two zero runs
	// b[224:240] stays all zeros
	copy(b[240:], []byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	return b
}

// TestKernelSnprintf compares bpf_snprintf's output and return value with
// the kernel's for conversions, flags and widths.
func TestKernelSnprintf(t *testing.T) {
	requireKernel(t)
	_, ctx := newCtx(t)
	snprintf := XDP.Helpers().Lookup(helpers.FnSnprintf)
	cases := []struct {
		fmt  string
		args []printfArg
	}{
		{"plain text", nil},
		{"%d %i %u %x %X", []printfArg{num(1<<32 - 1), num(7), num(1<<32 - 1), num(0xbeef), num(0xbeef)}},
		{"%ld %lu %lx %lld %llu %llx", []printfArg{num(^uint64(0)), num(^uint64(0)), num(1 << 40), num(1<<63 + 5), num(1<<63 + 5), num(0xdeadbeefcafe)}},
		{"[%5d|%-5d|%05d|%+d|% d|%+05d]", []printfArg{num(42), num(42), num(42), num(7), num(7), num(1<<32 - 7)}},
		{"[%8x|%-8X|%08lx]", []printfArg{num(0xab), num(0xab), num(0xab)}},
		{"%s=%c%c [%8s|%-8s]", []printfArg{blob(128), num('o'), num('k'), blob(128), blob(128)}},
		{"%pI4 %pi4", []printfArg{blob(160), blob(160)}},
		{"%pI6 %pi6", []printfArg{blob(176), blob(176)}},
		// vsprintf skips letters and digits after %p conversions: the c of
		// %pI6c is swallowed, and the address is not compressed.
		{"%pI6c|%pI6c|%pI6c", []printfArg{blob(176), blob(192), blob(208)}},
		{"%pI6c|%pI6c|%pi6c", []printfArg{blob(224), blob(240), blob(240)}},
		{"%pI4c|%pi4c", []printfArg{blob(160), blob(160)}},
		{"%pI4abc|", []printfArg{blob(160)}},
		{"%px12 z|", []printfArg{num(0x1234)}},
		{"%pks9x|", []printfArg{blob(128)}},
		{"%sabc", []printfArg{blob(128)}},
		{"%ps|%pS|%pB|%12ps|", []printfArg{num(0x1234), num(0x1234), num(0x1234), num(0x1234)}},
		{"[%05s|%-3c|%3c|%+u|% x|%+x|%-05d]", []printfArg{blob(128), num('a'), num('b'), num(5), num(255), num(255), num(3)}},
		{"[%0-5d|%-+5d|%  d|%++d|%12lld|%-20llx]", []printfArg{num(3), num(3), num(3), num(3), num(1<<63 + 1), num(0xabc)}},
		{"%d %d", []printfArg{num(1)}}, // more conversions than arguments
		{"%5.2d", []printfArg{num(1)}}, // precision
		{"%lf %q", []printfArg{num(1), num(2)}},
		{"%hd", []printfArg{num(1)}},
		{"%ls", []printfArg{blob(128)}},
		{"%pZ", []printfArg{num(1)}},
		{"%pi5", []printfArg{blob(160)}},
		{"tab\there", nil},
		{"%c%c%c", []printfArg{num(0x41), num(0x142), num(0)}},
		{"%s:%cx%s", []printfArg{blob(128), num('c'), blob(128)}},
		{"%px %%", []printfArg{num(0xffff888012345678)}},
		// (%pus reads user memory: a kernel address faults there and prints
		// empty, while bpfhost has one address space and prints the string.)
		{"%pks|", []printfArg{blob(128)}},
		{"%d%d%d%d%d%d%d%d%d%d%d%d", []printfArg{num(1), num(2), num(3), num(4), num(5), num(6), num(7), num(8), num(9), num(10), num(11), num(12)}},
	}
	for _, c := range cases {
		b := printfBlob(c.fmt)
		ro, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 256, MaxEntries: 1, Flags: 1 << 7 /* BPF_F_RDONLY_PROG */})
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		if err := ro.Put(uint32(0), b); err != nil {
			t.Fatal(err)
		}
		if err := ro.Freeze(); err != nil {
			t.Fatal(err)
		}
		out, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 256, MaxEntries: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		insns := asm.Instructions{
			asm.StoreImm(asm.R10, -4, 0, asm.Word),
			asm.LoadMapPtr(asm.R1, ro.FD()), asm.Mov.Reg(asm.R2, asm.R10), asm.Add.Imm(asm.R2, -4),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "exit"),
			asm.Mov.Reg(asm.R7, asm.R0),
			asm.LoadMapPtr(asm.R1, out.FD()), asm.Mov.Reg(asm.R2, asm.R10), asm.Add.Imm(asm.R2, -4),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "exit"),
			asm.Mov.Reg(asm.R8, asm.R0),
		}
		for i, a := range c.args {
			off := int16(-104 + 8*i)
			if a.ptr >= 0 {
				insns = append(insns, asm.Mov.Reg(asm.R1, asm.R7), asm.Add.Imm(asm.R1, int32(a.ptr)), asm.StoreMem(asm.R10, off, asm.R1, asm.DWord))
			} else {
				insns = append(insns, asm.LoadImm(asm.R1, int64(a.v), asm.DWord), asm.StoreMem(asm.R10, off, asm.R1, asm.DWord))
			}
		}
		dataArg := asm.Instructions{asm.Mov.Reg(asm.R4, asm.R10), asm.Add.Imm(asm.R4, -104)}
		if len(c.args) == 0 {
			dataArg = asm.Instructions{asm.Mov.Imm(asm.R4, 0)}
		}
		insns = append(insns, asm.Mov.Reg(asm.R1, asm.R8), asm.Mov.Imm(asm.R2, 256), asm.Mov.Reg(asm.R3, asm.R7))
		insns = append(insns, dataArg...)
		insns = append(insns,
			asm.Mov.Imm(asm.R5, int32(8*len(c.args))),
			asm.FnSnprintf.Call(),
			asm.Return(),
			asm.Mov.Imm(asm.R0, 0).WithSymbol("exit"),
			asm.Return(),
		)
		// The verifier checks the format at load, with the same code the
		// helper runs; a refused format must be -EINVAL on bpfhost.
		kret, kout := uint32(1<<32-22), make([]byte, 256)
		kp, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.XDP, Instructions: insns, License: "GPL"})
		if err == nil {
			defer kp.Close()
			if kret, err = kp.Run(&ebpf.RunOptions{Data: make([]byte, 64)}); err != nil {
				t.Fatal(err)
			}
			if err := out.Lookup(uint32(0), &kout); err != nil {
				t.Fatal(err)
			}
		} else if !strings.Contains(err.Error(), "Invalid format string") {
			t.Fatalf("loading into the kernel: %v", err)
		}

		// The same call on bpfhost: the blob, the data array and the output
		// in program memory (the stack).
		top := ctx.CPU.StackTop()
		blobAddr, dataAddr, outAddr := top-1024, top-1024+256, top-1024+512
		copy(vm.Bytes(blobAddr, 256), b)
		for i, a := range c.args {
			v := a.v
			if a.ptr >= 0 {
				v = blobAddr + uint64(a.ptr)
			}
			vm.Store64(dataAddr+uint64(8*i), v)
		}
		clear(vm.Bytes(outAddr, 256))
		if int32(kret) < 0 {
			clear(kout)
		}
		data := dataAddr
		if len(c.args) == 0 {
			data = 0
		}
		ret := snprintf(ctx, outAddr, 256, blobAddr, data, uint64(8*len(c.args)))
		got := vm.Bytes(outAddr, 256)
		if uint32(ret) != kret || !bytes.Equal(got, kout) {
			n := bytes.IndexByte(kout, 0)
			m := bytes.IndexByte(got, 0)
			t.Errorf("snprintf(%q) = %d %q, kernel %d %q", c.fmt, int64(ret), got[:max(m, 0)], int32(kret), kout[:max(n, 0)])
		}
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
}
