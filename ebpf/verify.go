package ebpf

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/loader"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/verifier"
	cilium "github.com/cilium/ebpf"
)

// UnsafeSkipVerifierEnv is the environment variable that, set to "1", loads
// programs without verifying them when options do not ask for it: they then
// run only in the bounds-checked interpreter (see
// CollectionOptions.UnsafeSkipVerifier).
const UnsafeSkipVerifierEnv = "BPFHOST_UNSAFE_SKIP_VERIFIER"

// skipVerifier resolves the unsafe option: the option, else the environment.
func skipVerifier(opt bool) bool {
	return opt || os.Getenv(UnsafeSkipVerifierEnv) == "1"
}

// VerifierError is a program the verifier refused. Its message reads like
// the kernel's log: the instruction, its source line when the object has
// BTF line info, the register state and the reason; at LogLevel 1 or 2 the
// whole log. errors.Is(err, verifier.ErrRefused) holds.
type VerifierError struct {
	// Program is the program's name.
	Program string
	// Insn is the refused instruction (slot index in the linked form), -1
	// for a refusal of the whole program.
	Insn int
	// Reason is the one-line reason.
	Reason string
	// Source is the C source line of the instruction ("" without line info).
	Source string
	// Log is the verifier log (with the source line inserted).
	Log string
	err error
}

// Error formats the refusal with the log.
func (e *VerifierError) Error() string {
	head := "verifier refused the program"
	if e.Insn >= 0 {
		head += fmt.Sprintf(" at instruction %d", e.Insn)
	}
	head += ": " + e.Reason
	if e.Log == "" {
		return head
	}
	return head + "\nverifier log:\n" + strings.TrimRight(e.Log, "\n")
}

// Unwrap returns the verifier's error.
func (e *VerifierError) Unwrap() error { return e.err }

// verifyOptions are what a program's verification needs besides its
// instructions.
type verifyOptions struct {
	logLevel int
	memSize  int
	maps     verifier.MapResolver // nil: the live registry
	lines    []string             // source line per slot (nil: none)
}

// verify verifies a linked program of type t, returning the result and a
// *VerifierError on refusal.
func verify(name string, t progtype.Type, insns []isa.Instruction, o verifyOptions) (*verifier.Result, error) {
	res, err := verifier.Verify(insns, verifier.Options{
		ProgType: t.Name(),
		Type:     loader.TypeInfo(t),
		Maps:     o.maps,
		MemSize:  o.memSize,
		LogLevel: o.logLevel,
	})
	if err == nil {
		if o.logLevel > 0 && o.lines != nil {
			res.Log = withSourceLines(res.Log, -1, o.lines)
		}
		return res, nil
	}
	ve := &VerifierError{Program: name, Insn: -1, Reason: err.Error(), Log: res.Log, err: err}
	var verr *verifier.Error
	if errors.As(err, &verr) {
		ve.Insn, ve.Reason = verr.Insn, verr.Reason
	}
	if ve.Insn >= 0 && ve.Insn < len(o.lines) && o.lines[ve.Insn] != "" {
		ve.Source = o.lines[ve.Insn]
		ve.Log = withSourceLines(ve.Log, ve.Insn, o.lines)
	}
	return res, ve
}

// withSourceLines puts "; source" lines into the log before instruction
// lines ("N: (op) ...") whose source line differs from the last one shown,
// as the kernel's log shows line info. The refused instruction always gets
// its line (refused < 0: none was refused).
func withSourceLines(log string, refused int, lines []string) string {
	var b strings.Builder
	last := ""
	rest := log
	for rest != "" {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i+1], rest[i+1:]
		} else {
			rest = ""
		}
		if n, ok := insnIndex(line); ok && n < len(lines) && lines[n] != "" && lines[n] != last {
			b.WriteString("; " + lines[n] + "\n")
			last = lines[n]
		}
		b.WriteString(line)
	}
	if refused >= 0 && refused < len(lines) && lines[refused] != "" && !strings.Contains(b.String(), "; "+lines[refused]+"\n") {
		return "; " + lines[refused] + "\n" + b.String()
	}
	return b.String()
}

// insnIndex parses the instruction index of a log line "N: (op) ...".
func insnIndex(line string) (int, bool) {
	n, i := 0, 0
	for ; i < len(line) && line[i] >= '0' && line[i] <= '9' && i < 7; i++ {
		n = n*10 + int(line[i]-'0')
	}
	if i == 0 || !strings.HasPrefix(line[i:], ": (") {
		return 0, false
	}
	return n, true
}

// sourceLines returns the BTF line info of a cilium/ebpf program per slot of
// its converted form (ld_imm64 takes two), each instruction carrying the
// last line seen, as the kernel's log prints it; nil without line info.
func sourceLines(ps *cilium.ProgramSpec) []string {
	var out []string
	cur, any := "", false
	for _, ins := range ps.Instructions {
		if s := ins.Source(); s != nil {
			cur, any = strings.TrimSpace(s.String()), true
			if l, ok := s.(interface {
				FileName() string
				LineNumber() uint32
			}); ok && l.FileName() != "" {
				cur += fmt.Sprintf(" @ %s:%d", l.FileName(), l.LineNumber())
			}
		}
		for k := 0; k < int(ins.Width()); k++ {
			out = append(out, cur)
		}
	}
	if !any {
		return nil
	}
	return out
}

// ProgramVerdict is the verification of one program of a spec (VerifySpec).
type ProgramVerdict struct {
	Name, Section, Type string
	// Err is nil when the program verified; a *VerifierError when refused;
	// another error when it could not be linked.
	Err error
	// Insns is the number of instruction slots, Processed the number of
	// instructions the verifier processed, Duration the verification time.
	Insns, Processed int
	Duration         time.Duration
	// Result is the verifier's result (nil when the program did not link).
	Result *verifier.Result
}

// VerifySpecOptions tune VerifySpec.
type VerifySpecOptions struct {
	// Program verifies only the named program ("" = all).
	Program string
	// Type overrides the program type the section names ("" = from the section).
	Type string
	// LogLevel is the verifier log level (0: only refusals).
	LogLevel int
}

// VerifySpec verifies every program of spec without creating its maps or
// loading it: maps get placeholder IDs and are described to the verifier
// from their specs (verifier.MapTable), so loader policies (max_entries 0,
// pinning) do not matter. Programs bpfhost cannot link are reported with
// their error. The result is in program-name order.
func VerifySpec(spec *CollectionSpec, opts VerifySpecOptions) ([]ProgramVerdict, error) {
	if spec == nil {
		return nil, fmt.Errorf("nil collection spec")
	}
	var override progtype.Type
	if opts.Type != "" {
		t, ok := progtype.ByName(opts.Type)
		if !ok {
			return nil, fmt.Errorf("unknown program type %q (known: %s)", opts.Type, strings.Join(progtype.Names(), ", "))
		}
		override = t
	}
	if opts.Program != "" && spec.Programs[opts.Program] == nil {
		return nil, fmt.Errorf("no program named %q", opts.Program)
	}
	mapSpecs, err := withVariables(spec)
	if err != nil {
		return nil, err
	}
	ids := map[string]uint32{}
	table := map[uint32]verifier.MapInfo{}
	idErr := map[string]error{}
	for i, name := range sortedKeys(mapSpecs) {
		ms, err := placeholderSpec(mapSpecs[name])
		if err != nil {
			idErr[name] = err
			continue
		}
		ids[name] = uint32(i + 1)
		table[uint32(i+1)] = verifier.SpecInfo(ms)
	}
	var out []ProgramVerdict
	for _, name := range sortedKeys(spec.Programs) {
		if opts.Program != "" && name != opts.Program {
			continue
		}
		ps := spec.Programs[name]
		v := ProgramVerdict{Name: name, Section: ps.SectionName, Type: ps.Type}
		t := ps.progType()
		if override != nil {
			t = override
		}
		if t != nil {
			v.Type = t.Name()
		}
		switch {
		case ps.loadErr != nil:
			v.Err = ps.loadErr
		case t == nil:
			v.Err = fmt.Errorf("unsupported program type for section %q (give one with type)", ps.SectionName)
		default:
			c := &loader.Converted{Name: ps.Name, Section: ps.SectionName, License: ps.License, Insns: ps.Instructions, Maps: ps.MapReferences}
			linked, err := loader.Link(c, t, func(ref loader.MapRef) (uint32, error) {
				if e := idErr[ref.Map]; e != nil {
					return 0, fmt.Errorf("map %s: %w", ref.Map, e)
				}
				id, ok := ids[ref.Map]
				if !ok {
					return 0, fmt.Errorf("reference to unknown map %q", ref.Map)
				}
				return id, nil
			})
			if err != nil {
				v.Err = err
				break
			}
			v.Insns = len(linked)
			start := time.Now()
			res, err := verify(name, t, linked, verifyOptions{logLevel: opts.LogLevel, maps: verifier.MapTable(table), lines: ps.lines})
			v.Duration = time.Since(start)
			v.Result, v.Err = res, err
			if res != nil {
				v.Processed = res.Processed
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// placeholderSpec describes a map spec to the verifier without creating the
// map: a max_entries of 0 (set by user space before loading, or left to a
// pinned map) becomes 1, which only matters to the verifier for constant
// indexes it cannot prove anyway.
func placeholderSpec(ms *MapSpec) (maps.Spec, error) {
	s, err := mapSpecOf(ms)
	if err != nil {
		return s, err
	}
	if s.MaxEntries == 0 {
		s.MaxEntries = 1
	}
	if s.InnerMap != nil && s.InnerMap.MaxEntries == 0 {
		in := *s.InnerMap
		in.MaxEntries = 1
		s.InnerMap = &in
	}
	return s, nil
}
