package progtype

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/rlimit"
	"syscall"
)

// These tests run small XDP programs in the running kernel with
// BPF_PROG_TEST_RUN and compare the results with the same steps done by
// bpfhost's helpers and XDP type. They skip where bpf() is not available.

func requireKernel(t *testing.T) {
	t.Helper()
	if err := rlimit.RemoveMemlock(); err != nil {
		t.Skipf("bpf() not available: %v", err)
	}
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		t.Skipf("bpf() not available (needs Linux and root): %v", err)
	}
	m.Close()
}

func kernelXDP(t *testing.T, insns asm.Instructions) *ebpf.Program {
	t.Helper()
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.XDP, Instructions: insns, License: "GPL"})
	if err != nil {
		t.Fatalf("loading into the kernel: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestKernelCsumDiff compares csum_diff's 32-bit result with the kernel's
// for random words, seeds and size combinations.
func TestKernelCsumDiff(t *testing.T) {
	requireKernel(t)
	_, ctx := newCtx(t)
	csum := XDP.Helpers().Lookup(helpers.FnCsumDiff)
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := [][2]int32{{0, 0}, {0, 8}, {8, 0}, {8, 8}, {16, 4}, {4, 16}, {12, 12}, {15, 0}, {0, 13}, {7, 9}, {16, 16}}
	for i := 0; i < 60; i++ {
		sz := sizes[i%len(sizes)]
		words := []uint32{rng.Uint32(), rng.Uint32(), rng.Uint32(), rng.Uint32(), rng.Uint32(), rng.Uint32(), rng.Uint32(), rng.Uint32()}
		if i%5 == 0 {
			words = []uint32{0xffffffff, 0xffffffff, 0, 0, 0xffffffff, 0, 0xffffffff, 0xffffffff}
		}
		seed := int32(rng.Uint32())
		if i%3 == 0 {
			seed = int32(rng.IntN(0x10000))
		}
		// from at fp-32 (16 bytes), to at fp-16 (16 bytes).
		var insns asm.Instructions
		for j, w := range words {
			insns = append(insns, asm.StoreImm(asm.R10, int16(-32+4*j), int64(int32(w)), asm.Word))
		}
		insns = append(insns,
			asm.Mov.Reg(asm.R1, asm.R10), asm.Add.Imm(asm.R1, -32),
			asm.Mov.Imm(asm.R2, sz[0]),
			asm.Mov.Reg(asm.R3, asm.R10), asm.Add.Imm(asm.R3, -16),
			asm.Mov.Imm(asm.R4, sz[1]),
			asm.Mov.Imm32(asm.R5, seed),
			asm.FnCsumDiff.Call(),
			asm.Return(),
		)
		want, err := kernelXDP(t, insns).Run(&ebpf.RunOptions{Data: make([]byte, 64)})
		if err != nil {
			t.Fatal(err)
		}
		mem := ctx.CPU.StackTop() - 32
		for j, w := range words {
			binary.NativeEndian.PutUint32(vm.Bytes(mem+uint64(4*j), 4), w)
		}
		got := csum(ctx, mem, uint64(sz[0]), mem+16, uint64(sz[1]), uint64(uint32(seed)))
		if uint32(got) != want {
			t.Errorf("csum_diff(%x, %d, %x, %d, seed %#x) = %#x, kernel %#x", words[:4], sz[0], words[4:], sz[1], uint32(seed), uint32(got), want)
		}
	}
}

// xdpSteps calls adjust_meta, adjust_head and adjust_tail with the given
// deltas and returns their results' low bytes packed into r0.
type xdpSteps struct{ meta, head, tail int32 }

func (s xdpSteps) program() asm.Instructions {
	insns := asm.Instructions{asm.Mov.Reg(asm.R6, asm.R1)}
	for i, c := range []struct {
		fn    asm.BuiltinFunc
		delta int32
	}{{asm.FnXdpAdjustMeta, s.meta}, {asm.FnXdpAdjustHead, s.head}, {asm.FnXdpAdjustTail, s.tail}} {
		insns = append(insns,
			asm.Mov.Reg(asm.R1, asm.R6), asm.Mov.Imm(asm.R2, c.delta), c.fn.Call(),
			asm.And.Imm(asm.R0, 0xff), asm.LSh.Imm(asm.R0, int32(8*i)), asm.Or.Reg(asm.R7, asm.R0),
		)
	}
	insns[0] = asm.Mov.Reg(asm.R6, asm.R1)
	insns = append(asm.Instructions{asm.Mov.Imm(asm.R7, 0)}, insns...)
	return append(insns, asm.Mov.Reg(asm.R0, asm.R7), asm.Return())
}

func (s xdpSteps) exe() fakeExe {
	return func(ctx *vm.Context, r1, _ uint64) (uint64, error) {
		tab := ctx.Prog.Helpers
		var r0 uint64
		for i, c := range []struct {
			fn    int32
			delta int32
		}{{helpers.FnXDPAdjustMeta, s.meta}, {helpers.FnXDPAdjustHead, s.head}, {helpers.FnXDPAdjustTail, s.tail}} {
			r := tab.Lookup(c.fn)(ctx, r1, uint64(int64(c.delta)), 0, 0, 0)
			r0 |= (r & 0xff) << (8 * i)
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return r0, nil
	}
}

// TestKernelXDPAdjustments compares return values, data_out and ctx_out of
// packet adjustments with the kernel's, at and beyond every limit.
func TestKernelXDPAdjustments(t *testing.T) {
	requireKernel(t)
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	steps := []xdpSteps{
		{0, 0, 0},
		{-8, -16, 8},
		{-32, 0, 0},
		{-36, 0, 0},             // more than 32 bytes of metadata
		{-216, 0, 0},            // to the end of the xdp_frame
		{-220, 0, 0},            // into it
		{-4, -212, 0},           // head to the limit with 4 bytes of metadata
		{-4, -213, 0},           // one past
		{0, 50, -36},            // 14 bytes left
		{0, 50, -37},            // 13
		{0, 0, 3776 - 256 - 64}, // tail to the end of the kernel's page minus tailroom
		{0, 0, 3776 - 256 - 63},
		{-2, 3, -3},
	}
	for _, meta := range []int{0, 8} {
		for _, s := range steps {
			t.Run(fmt.Sprintf("meta%d/%d,%d,%d", meta, s.meta, s.head, s.tail), func(t *testing.T) {
				data := frame(64 + meta)
				md := xdpMdBytes(uint32(meta), uint32(len(data)))
				kctx := make([]byte, 24)
				opts := &ebpf.RunOptions{Data: data, DataOut: make([]byte, 8192), Context: md, ContextOut: kctx}
				kret, err := kernelXDP(t, s.program()).Run(opts)
				var out RunOutput
				prog := &vm.Program{Name: "steps", Type: "xdp", Helpers: XDP.Helpers(), Checked: true}
				ourErr := Run(XDP, s.exe(), prog, cpus, &RunInput{Data: data, Context: md}, &out)
				if err != nil || ourErr != nil {
					if (err == nil) != (ourErr == nil) {
						t.Fatalf("kernel: %v; bpfhost: %v", err, ourErr)
					}
					return
				}
				if uint32(out.Ret) != kret {
					t.Errorf("results %06x, kernel %06x (bytes: tail, head, meta)", out.Ret, kret)
				}
				if !bytes.Equal(out.Context, kctx) {
					t.Errorf("ctx_out %v, kernel %v", out.Context, kctx)
				}
				if !bytes.Equal(out.Data, opts.DataOut) {
					t.Errorf("data_out (%d bytes) %v\nkernel (%d bytes)   %v", len(out.Data), out.Data, len(opts.DataOut), opts.DataOut)
				}
			})
		}
	}
}

// TestKernelXDPContextIn compares the acceptance of ctx_in values.
func TestKernelXDPContextIn(t *testing.T) {
	requireKernel(t)
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cpus.Close()
	kp := kernelXDP(t, asm.Instructions{asm.Mov.Imm(asm.R0, 2), asm.Return()})
	prog := &vm.Program{Name: "pass", Type: "xdp", Helpers: XDP.Helpers(), Checked: true}
	pass := fakeExe(func(*vm.Context, uint64, uint64) (uint64, error) { return 2, nil })
	cases := []struct {
		n  int
		md []byte
	}{
		{64, xdpMdBytes(0, 64)},
		{64, xdpMdBytes(4, 64)},
		{64, xdpMdBytes(6, 64)},
		{64, xdpMdBytes(32, 64)},
		{64, xdpMdBytes(36, 64)},
		{300, xdpMdBytes(216, 300)},
		{300, xdpMdBytes(220, 300)},
		{300, xdpMdBytes(252, 300)},
		{64, xdpMdBytes(0, 65)},
		{64, xdpMdBytes(8, 4)},
		// Not compared: data_end short of the data (Linux 6.18 builds a
		// fragmented frame; bpfhost refuses), and ingress_ifindex checks
		// against real devices.
		{64, xdpMdBytes(0, 64, 4)},
		{64, xdpMdBytes(0, 64, 0, 0, 1)},
		{64, xdpMdBytes(0, 64, 0, 0, 0, 1)},
		{13, nil},
		{14, nil},
		{64, append(xdpMdBytes(0, 64), 0, 0, 0, 0)},
		{64, append(xdpMdBytes(0, 64), 0, 0, 0, 1)},
	}
	for _, c := range cases {
		opts := &ebpf.RunOptions{Data: frame(c.n), Context: c.md}
		_, kerr := kp.Run(opts)
		var out RunOutput
		err := Run(XDP, pass, prog, cpus, &RunInput{Data: frame(c.n), Context: c.md}, &out)
		if (kerr == nil) != (err == nil) {
			t.Errorf("data %d bytes, ctx_in %v: kernel %v, bpfhost %v", c.n, c.md, kerr, err)
			continue
		}
		if kerr != nil && !errors.Is(err, errnoOf(kerr)) {
			t.Errorf("data %d bytes, ctx_in %v: kernel %v, bpfhost %v", c.n, c.md, kerr, err)
		}
	}
}

// errnoOf extracts the errno of a cilium/ebpf error as a maps.Errno.
func errnoOf(err error) error {
	for _, n := range []maps.Errno{maps.EINVAL, maps.E2BIG, maps.ENOSPC, maps.EPERM} {
		if errors.Is(err, syscall.Errno(n)) {
			return n
		}
	}
	return err
}

// TestKernelClocks compares ktime_get_ns, ktime_get_boot_ns and jiffies64
// (low 32 bits: an XDP program returns a u32) with the kernel's, run just
// before and after ours.
func TestKernelClocks(t *testing.T) {
	requireKernel(t)
	_, ctx := newCtx(t)
	tab := XDP.Helpers()
	for _, c := range []struct {
		name  string
		fn    int32
		kfn   asm.BuiltinFunc
		shift int32  // compare value >> shift (the low 32 bits after it)
		slack uint32 // tolerated difference, in shifted units
	}{
		{"ktime_get_ns", helpers.FnKtimeGetNs, asm.FnKtimeGetNs, 20, 50}, // ~ms units, 50 ms slack
		{"ktime_get_boot_ns", helpers.FnKtimeGetBootNs, asm.FnKtimeGetBootNs, 20, 50},
		// The kernel's jiffies trail CLOCK_MONOTONIC by an offset fixed at
		// boot (a few hundred ms) that user space cannot read; allow 2 s.
		{"jiffies64", helpers.FnJiffies64, asm.FnJiffies64, 0, 500},
	} {
		p := kernelXDP(t, asm.Instructions{c.kfn.Call(), asm.RSh.Imm(asm.R0, c.shift), asm.Return()})
		before, err := p.Run(&ebpf.RunOptions{Data: make([]byte, 64)})
		if err != nil {
			t.Fatal(err)
		}
		ours := uint32(tab.Lookup(c.fn)(ctx, 0, 0, 0, 0, 0) >> c.shift)
		after, _ := p.Run(&ebpf.RunOptions{Data: make([]byte, 64)})
		if ours+c.slack < before || ours > after+c.slack {
			t.Errorf("%s: bpfhost %d, kernel %d..%d", c.name, ours, before, after)
		}
	}
}
