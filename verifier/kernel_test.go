package verifier

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/rlimit"

	"github.com/bpfhost/bpfhost/isa"
)

// kernelMaps creates, in the running kernel, one map per entry of the test
// map table, so that hand-written programs can be loaded there too.
func kernelMaps(t *testing.T) map[uint32]*ebpf.Map {
	if err := rlimit.RemoveMemlock(); err != nil {
		t.Skipf("bpf() not available: %v", err)
	}
	ids := []uint32{mapHash, mapArray, mapRingbuf, mapProgs, mapRdOnly, mapQueue, mapOfMaps}
	out := map[uint32]*ebpf.Map{}
	for _, id := range ids {
		mi, _ := testMaps(id)
		spec := &ebpf.MapSpec{Type: ebpf.MapType(mi.Type), KeySize: mi.KeySize, ValueSize: mi.ValueSize, MaxEntries: mi.MaxEntries, Flags: mi.Flags}
		if in := mi.Inner; in != nil {
			spec.InnerMap = &ebpf.MapSpec{Type: ebpf.MapType(in.Type), KeySize: in.KeySize, ValueSize: in.ValueSize, MaxEntries: in.MaxEntries}
		}
		m, err := ebpf.NewMap(spec)
		if err != nil {
			for _, m := range out {
				m.Close()
			}
			if errors.Is(err, os.ErrPermission) || errors.Is(err, ebpf.ErrNotSupported) {
				t.Skipf("bpf() not available: %v", err)
			}
			t.Fatalf("creating kernel map %d: %v", id, err)
		}
		out[id] = m
	}
	t.Cleanup(func() {
		for _, m := range out {
			m.Close()
		}
	})
	return out
}

// kernelLoad loads a hand-written XDP program into the kernel with map IDs
// replaced by the kernel maps' descriptors; nil means the kernel accepted it.
func kernelLoad(insns []isa.Instruction, km map[uint32]*ebpf.Map) error {
	code := make([]isa.Instruction, len(insns))
	copy(code, insns)
	for i := 0; i+1 < len(code); i++ {
		if code[i].Opcode == isa.OpLdImm64 {
			if code[i].Src == isa.PseudoMapFD || code[i].Src == isa.PseudoMapValue {
				if m := km[uint32(code[i].Imm)]; m != nil {
					code[i].Imm = int32(m.FD())
				}
			}
			i++
		}
	}
	var prog asm.Instructions
	rd := bytes.NewReader(isa.Encode(code))
	for rd.Len() > 0 {
		var ins asm.Instruction
		if err := ins.Unmarshal(rd, binary.LittleEndian, "linux"); err != nil {
			return err
		}
		prog = append(prog, ins)
	}
	p, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{Type: ebpf.XDP, License: "GPL", Instructions: prog},
		ebpf.ProgramOptions{LogLevel: ebpf.LogLevelBranch})
	if err != nil {
		return err
	}
	p.Close()
	return nil
}

// kernelDisagreements lists hand-written cases where bpfhost deliberately
// differs from Linux, with the reason.
var kernelDisagreements = map[string]string{
	// Linux accepts "r0 = ptr; exit" from XDP programs when privileged.
	"pointer returned":    "bpfhost requires a scalar return value",
	"host context layout": "host layout is bpfhost's own",
	// Linux finds the lock through the map's BTF, which test maps lack.
	"spin lock around update": "Linux: map has no BTF spin lock",
}

// TestKernelAgrees loads every hand-written XDP case into the running
// kernel and checks that it accepts exactly the programs bpfhost accepts.
func TestKernelAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	km := kernelMaps(t)
	cases := append(append([]vcase{}, positiveCases...), negativeCases...)
	var disagree []string
	for _, c := range cases {
		if (c.typ != "" && c.typ != "xdp") || c.opts != nil && kernelDisagreements[c.name] == "" {
			continue // raw type, unprivileged or option cases: no kernel equivalent
		}
		if len(c.insns) == 0 {
			continue
		}
		_, ours := Verify(c.insns, Options{ProgType: "xdp", Maps: testMaps})
		theirs := kernelLoad(c.insns, km)
		if (ours == nil) != (theirs == nil) {
			if theirs != nil && strings.Contains(errString(theirs), "missing btf func_info") {
				// Linux needs BTF function info for callbacks; bpfhost does not use BTF.
				t.Logf("%s: known difference (Linux wants BTF func_info for callbacks)", c.name)
				continue
			}
			if why, ok := kernelDisagreements[c.name]; ok {
				t.Logf("%s: known difference (%s)", c.name, why)
				continue
			}
			disagree = append(disagree, c.name+": bpfhost: "+errString(ours)+" | kernel: "+errString(theirs))
		}
	}
	sort.Strings(disagree)
	for _, d := range disagree {
		t.Error(d)
	}
}

func errString(err error) string {
	if err == nil {
		return "accepted"
	}
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		for i := len(ve.Log) - 1; i >= 0; i-- {
			if l := ve.Log[i]; !strings.HasPrefix(l, "processed ") && l != "" {
				return l
			}
		}
	}
	return err.Error()
}

// TestKernelDifferential verifies generated programs (the fuzz generator)
// with bpfhost and loads those it accepts into the kernel: bpfhost must
// never accept a program the kernel refuses. (Programs only the kernel
// accepts are precision gaps; they are not searched for here, because
// loading refused programs can cost the kernel a million instructions each.)
func TestKernelDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	km := kernelMaps(t)
	var seed uint64 = 4242
	buf := make([]byte, 200)
	const n = 1000
	accepted, deadDiff := 0, 0
	for i := 0; i < n; i++ {
		for j := 0; j < len(buf); j += 8 {
			seed = seed*6364136223846793005 + 1442695040888963407
			binary.LittleEndian.PutUint64(buf[j:], seed)
		}
		size := 8 + int((seed>>40)%uint64(len(buf)-8))
		p := genProgramMode(buf[:size], i%4 != 0)
		res, err := Verify(p, Options{ProgType: "xdp", Maps: testMaps, MaxProcessed: 100000})
		if err != nil {
			continue
		}
		accepted++
		if err := kernelLoad(p, km); err != nil {
			// Linux refusing an instruction bpfhost proved dead (its
			// bounds tracking is less precise, e.g. for modulo) is a
			// precision difference, not a soundness one.
			if at := kernelFailInsn(err); at >= 0 && at < len(res.reached) && !res.reached[at] {
				deadDiff++
				t.Logf("program %d: Linux refuses insn %d, which bpfhost proved unreachable: %s", i, at, errString(err))
				continue
			}
			var b strings.Builder
			for pc := range p {
				fmt.Fprintf(&b, "  %d: %s\n", pc, Disasm(p, pc))
			}
			t.Errorf("program %d accepted by bpfhost, refused by the kernel: %s\n%s", i, errString(err), b.String())
		}
	}
	t.Logf("bpfhost accepted %d of %d generated programs; Linux refused %d of them in code bpfhost proved dead", accepted, n, deadDiff)
}

// kernelFailInsn returns the instruction a kernel verifier log ends at, or -1.
func kernelFailInsn(err error) int {
	var ve *ebpf.VerifierError
	if !errors.As(err, &ve) {
		return -1
	}
	for i := len(ve.Log) - 1; i >= 0; i-- {
		line := strings.TrimSpace(ve.Log[i])
		var n int
		var rest string
		if k, _ := fmt.Sscanf(line, "%d: %s", &n, &rest); k == 2 && strings.HasPrefix(rest, "(") {
			return n
		}
	}
	return -1
}
