package ebpf

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/verifier"
)

// TestLoadRefusesUnsafe loads an object whose program reads past its
// bounds check: the load fails with the kernel-like log, naming the
// instruction, its C source line and the reason.
func TestLoadRefusesUnsafe(t *testing.T) {
	spec, err := LoadCollectionSpec("../verifier/testdata/bad_nobounds.o")
	if err != nil {
		t.Fatal(err)
	}
	coll, err := NewCollection(spec)
	if err == nil {
		coll.Close()
		t.Fatal("unsafe program loaded")
	}
	var ve *VerifierError
	if !errors.As(err, &ve) || !errors.Is(err, verifier.ErrRefused) {
		t.Fatalf("error %v (%T) is not a verifier refusal", err, err)
	}
	if ve.Program != "nobounds" || ve.Insn < 0 {
		t.Errorf("program %q insn %d", ve.Program, ve.Insn)
	}
	if !strings.Contains(ve.Source, "ip->protocol") || !strings.Contains(ve.Source, "bad_nobounds.c:14") {
		t.Errorf("source line %q, want the ip->protocol line of bad_nobounds.c:14", ve.Source)
	}
	msg := err.Error()
	for _, want := range []string{"program nobounds: verifier refused the program at instruction", "; " + ve.Source, "invalid access to packet", "R1="} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	// The log at level 1 holds every processed instruction.
	_, err = NewCollectionWithOptions(spec, CollectionOptions{LogLevel: 1})
	if !errors.As(err, &ve) || !strings.Contains(ve.Log, "0: (") || strings.Count(ve.Log, "\n") < ve.Insn {
		t.Errorf("level 1 log too short:\n%v", err)
	}
	// ... each source line before the first instruction it produced.
	if n := strings.Count(ve.Log, "\n; "); n < 3 || !strings.Contains(ve.Log, "bad_nobounds.c:5\n0: (") {
		t.Errorf("level 1 log has %d source lines, want the first (line 5) before instruction 0:\n%s", n, ve.Log)
	}
}

// TestUnsafeSkipVerifier loads the same program unverified: it runs in the
// checked interpreter, which stops the out-of-bounds read.
func TestUnsafeSkipVerifier(t *testing.T) {
	spec, err := LoadCollectionSpec("../verifier/testdata/bad_nobounds.o")
	if err != nil {
		t.Fatal(err)
	}
	coll, err := NewCollectionWithOptions(spec, CollectionOptions{UnsafeSkipVerifier: true, Engine: "jit"})
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	p := coll.Programs["nobounds"]
	if p.Verified() || !p.Internal().Checked {
		t.Fatalf("verified %v checked %v, want an unverified checked program", p.Verified(), p.Internal().Checked)
	}
	if name := p.Executable(); name == nil {
		t.Fatal("no executable")
	}
	_, err = p.Run(&RunOptions{Data: make([]byte, 14)})
	if err == nil {
		t.Fatal("out-of-bounds read was not stopped")
	}
	// The environment variable does the same.
	t.Setenv(UnsafeSkipVerifierEnv, "1")
	coll2, err := NewCollection(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer coll2.Close()
	if coll2.Programs["nobounds"].Verified() {
		t.Error("env did not skip the verifier")
	}
}

// TestVerifiedRunsUnchecked loads a safe object: its programs are verified
// and unchecked, and reloading the linked form verifies again.
func TestVerifiedRunsUnchecked(t *testing.T) {
	spec, err := LoadCollectionSpec("../verifier/testdata/good_parse.o")
	if err != nil {
		t.Fatal(err)
	}
	coll, err := NewCollection(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	for name, p := range coll.Programs {
		if !p.Verified() || p.Internal().Checked {
			t.Errorf("%s: verified %v checked %v", name, p.Verified(), p.Internal().Checked)
		}
		q, err := NewProgramFromXlated(name, p.Type(), p.Xlated(), ProgramOptions{})
		if err != nil {
			t.Fatalf("%s: reload: %v", name, err)
		}
		if !q.Verified() {
			t.Errorf("%s: reload not verified", name)
		}
		q.Close()
	}
}

// TestNewProgramFromXlatedRefuses gives the xlated path an unsafe program.
func TestNewProgramFromXlatedRefuses(t *testing.T) {
	spec, err := LoadCollectionSpec("../verifier/testdata/bad_nobounds.o")
	if err != nil {
		t.Fatal(err)
	}
	coll, err := NewCollectionWithOptions(spec, CollectionOptions{UnsafeSkipVerifier: true})
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	p := coll.Programs["nobounds"]
	_, err = NewProgramFromXlated("again", p.Type(), p.Xlated(), ProgramOptions{})
	if !errors.Is(err, verifier.ErrRefused) {
		t.Fatalf("got %v, want a refusal", err)
	}
	q, err := NewProgramFromXlated("again", p.Type(), p.Xlated(), ProgramOptions{UnsafeSkipVerifier: true})
	if err != nil {
		t.Fatal(err)
	}
	q.Close()
}

// TestVerifySpecCorpus verifies every program of the object corpus without
// loading: objects named bad_* are refused, all others accepted.
func TestVerifySpecCorpus(t *testing.T) {
	var objs []string
	for _, pat := range []string{"../verifier/testdata/*.o", "../testdata/progs/*.o", "../progtype/testdata/*.o", "../examples/*/bpf/*.o"} {
		m, _ := filepath.Glob(pat)
		objs = append(objs, m...)
	}
	n := 0
	for _, obj := range objs {
		spec, err := LoadCollectionSpec(obj)
		if err != nil {
			t.Errorf("%s: %v", obj, err)
			continue
		}
		vs, err := VerifySpec(spec, VerifySpecOptions{})
		if err != nil {
			t.Errorf("%s: %v", obj, err)
			continue
		}
		bad := strings.HasPrefix(filepath.Base(obj), "bad_")
		for _, v := range vs {
			if v.Result == nil {
				continue // not linkable here (kfunc, CO-RE...): the loader's business
			}
			n++
			if bad != (v.Err != nil) {
				t.Errorf("%s/%s (%s): bad %v, err %v", obj, v.Name, v.Type, bad, v.Err)
			}
			if v.Processed <= 0 || v.Insns <= 0 {
				t.Errorf("%s/%s: processed %d insns %d", obj, v.Name, v.Processed, v.Insns)
			}
		}
	}
	if n < 50 {
		t.Errorf("verified only %d programs", n)
	}
}

// TestSectionKeepsAttachRules loads the same linked program as
// cgroup_sock_addr with and without its section: cgroup/connect4 may not
// store to user_ip6 (offset 8), which the type's union of attach types
// allows; restored programs pass their section to get the stricter rules.
func TestSectionKeepsAttachRules(t *testing.T) {
	insns := []isa.Instruction{
		{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcK, Dst: 2},                    // r2 = 0
		{Opcode: isa.ClassSTX | isa.ModeMEM | isa.SizeW, Dst: 1, Src: 2, Offset: 8}, // *(u32 *)(r1 + 8) = r2
		{Opcode: isa.ClassALU64 | isa.ALUMov | isa.SrcK, Dst: 0, Imm: 1},            // r0 = 1
		{Opcode: isa.OpExit},
	}
	p, err := NewProgramFromXlated("p", "cgroup_sock_addr", insns, ProgramOptions{Section: "cgroup/connect6"})
	if err != nil {
		t.Fatalf("connect6: %v", err)
	}
	if p.Section() != "cgroup/connect6" {
		t.Errorf("section %q", p.Section())
	}
	p.Close()
	_, err = NewProgramFromXlated("p", "cgroup_sock_addr", insns, ProgramOptions{Section: "cgroup/connect4"})
	if !errors.Is(err, verifier.ErrRefused) {
		t.Errorf("connect4 stored to user_ip6: %v", err)
	}
}

// TestVerifySpecLoaderPolicies verifies an object whose maps need loader
// policy (max_entries 0, pinning by name, iproute2's legacy pinning): the
// verifier gets placeholder map descriptions, so it needs none of it.
func TestVerifySpecLoaderPolicies(t *testing.T) {
	spec, err := LoadCollectionSpec("testdata/policy.o")
	if err != nil {
		t.Fatal(err)
	}
	if ms := spec.Maps["sized_later"]; ms == nil || ms.MaxEntries != 0 {
		t.Fatalf("sized_later: %+v", ms)
	}
	vs, err := VerifySpec(spec, VerifySpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Err != nil || vs[0].Name != "policy" || vs[0].Processed == 0 {
		t.Fatalf("verdicts %+v", vs)
	}
}

// TestEngineByVerification checks which engine runs a program: with
// --engine=jit a verified program is JIT-compiled (where a JIT exists), an
// unverified one is interpreted with checks.
func TestEngineByVerification(t *testing.T) {
	if NewJIT == nil {
		t.Skip("no JIT in this build")
	}
	if _, err := NewJIT(); err != nil {
		t.Skipf("no JIT here: %v", err)
	}
	spec, err := LoadCollectionSpec("../testdata/progs/parse.o")
	if err != nil {
		t.Fatal(err)
	}
	for _, unsafe := range []bool{false, true} {
		coll, err := NewCollectionWithOptions(spec, CollectionOptions{Engine: "jit", UnsafeSkipVerifier: unsafe})
		if err != nil {
			t.Fatal(err)
		}
		p := coll.Programs["xdp_parse"]
		typ := fmt.Sprintf("%T", p.Executable())
		if native := strings.HasPrefix(typ, "*jit."); native == unsafe || p.Internal().Checked != unsafe {
			t.Errorf("unsafe %v: executable %s, checked %v", unsafe, typ, p.Internal().Checked)
		}
		coll.Close()
	}
}
