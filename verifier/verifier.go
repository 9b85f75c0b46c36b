package verifier

import (
	"errors"
	"fmt"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
)

// Limits, as in the Linux kernel.
const (
	// MaxProcessed is the budget of instructions processed over all paths
	// (BPF_COMPLEXITY_LIMIT_INSNS).
	MaxProcessed = 1_000_000
	// MaxCombinedStack is the stack budget of a whole call chain (MAX_BPF_STACK).
	MaxCombinedStack = 512
	// maxStatesPerInsn bounds the checkpoints kept per instruction; older
	// ones are dropped (costs only pruning opportunities, never soundness).
	maxStatesPerInsn = 64
	// maxVarOff bounds variable pointer offsets (BPF_MAX_VAR_OFF).
	maxVarOff = 1 << 29
)

// MapInfo describes a map as the verifier needs it.
type MapInfo struct {
	Type       maps.Type
	KeySize    uint32
	ValueSize  uint32
	MaxEntries uint32
	Flags      uint32
	// Inner describes the inner maps of a map-in-map.
	Inner *MapInfo
}

// innerMapBit marks the pseudo map IDs the verifier gives the inner-map
// template of a map-in-map (outer ID | innerMapBit).
const innerMapBit = 1 << 31

// MapResolver returns the description of the map with the given ID.
type MapResolver func(id uint32) (MapInfo, bool)

// RegistryMaps resolves map IDs through the live maps registry.
func RegistryMaps(id uint32) (MapInfo, bool) {
	m := maps.ByID(id)
	if m == nil {
		return MapInfo{}, false
	}
	return SpecInfo(m.Spec()), true
}

// SpecInfo describes a map spec to the verifier, inner map template included.
func SpecInfo(s maps.Spec) MapInfo {
	mi := MapInfo{Type: s.Type, KeySize: s.KeySize, ValueSize: s.ValueSize, MaxEntries: s.MaxEntries, Flags: s.Flags}
	if s.InnerMap != nil {
		in := SpecInfo(*s.InnerMap)
		mi.Inner = &in
	}
	return mi
}

// MapTable resolves map IDs from a fixed table (tests, offline checks).
func MapTable(t map[uint32]MapInfo) MapResolver {
	return func(id uint32) (MapInfo, bool) {
		m, ok := t[id]
		return m, ok
	}
}

// Options configure a verification.
type Options struct {
	// ProgType is the program type: "xdp" and "raw" are built in; for
	// others Type describes it.
	ProgType string
	// Type describes the program type instead of the built-in tables.
	Type *TypeInfo
	// Maps resolves the map IDs of ld_imm64 map references; nil uses the
	// maps registry (RegistryMaps).
	Maps MapResolver
	// Unprivileged applies the rules for loaders without CAP_BPF: no
	// reading of unwritten stack, no pointer leaks or comparisons.
	Unprivileged bool
	// HostContext says context accesses were already rewritten to the host
	// layout (the loader's linked form) rather than Linux's (e.g. xdp_md).
	HostContext bool
	// MemSize is the size of the memory r1 points to for the "raw" type.
	MemSize int
	// LogLevel 0 logs only the refusal; 1 also every processed
	// instruction; 2 also the register state after each.
	LogLevel int
	// MaxProcessed overrides the processed-instruction budget (0: MaxProcessed).
	MaxProcessed int
}

// Result reports a verification.
type Result struct {
	// Processed is the number of instructions processed over all paths.
	Processed int
	// TotalStates is the number of checkpoints stored; PeakStates the
	// largest number alive at once; MaxStatesPerInsn the most at one
	// instruction.
	TotalStates, PeakStates, MaxStatesPerInsn int
	// StackDepth is the deepest stack use of each subprogram, in order.
	StackDepth []int
	// Log is the verifier log (see Options.LogLevel).
	Log string

	// reached marks the instructions some path executed (tests compare
	// dead code with Linux's).
	reached []bool
}

// Error is a refusal: the instruction and the reason.
type Error struct {
	Insn   int
	Reason string
}

// Error formats the refusal with its instruction.
func (e *Error) Error() string {
	if e.Insn < 0 {
		return "verifier: " + e.Reason
	}
	return fmt.Sprintf("verifier: instruction %d: %s", e.Insn, e.Reason)
}

// ErrRefused is matched (errors.Is) by every verification refusal.
var ErrRefused = errors.New("verifier refused the program")

// Is makes errors.Is(err, ErrRefused) true for refusals.
func (e *Error) Is(target error) bool { return target == ErrRefused }

// Verify proves insns (linked form) memory safe and terminating for the
// program type in opts, or returns an *Error saying where and why not. The
// Result is returned in both cases, with the log.
func Verify(insns []isa.Instruction, opts Options) (*Result, error) {
	v, err := newVerifier(insns, opts)
	res := &Result{}
	if err == nil {
		err = v.run()
		res.Processed = v.processed
		res.TotalStates = v.totalStates
		res.PeakStates = v.peakStates
		res.MaxStatesPerInsn = v.maxStatesInsn
		res.reached = v.reached
		for _, sp := range v.subprogs {
			res.StackDepth = append(res.StackDepth, sp.stackDepth)
		}
	}
	if v != nil {
		if err == nil {
			v.log.printf("processed %d insns (limit %d) max_states_per_insn %d total_states %d peak_states %d\n",
				v.processed, v.budget, v.maxStatesInsn, v.totalStates, v.peakStates)
		}
		res.Log = v.log.String()
	} else if err != nil {
		res.Log = err.Error() + "\n"
	}
	return res, err
}
