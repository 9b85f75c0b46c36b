package loader

import (
	"fmt"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/progtype"
	"github.com/bpfhost/bpfhost/vm"
)

// Options tune Finalize.
type Options struct {
	// Verified marks a program a verifier has accepted: engines may then run
	// it without testing every memory access. ebpf sets it for every
	// program the verifier accepted; unverified programs (loaded with
	// UnsafeSkipVerifier) leave it false and run checked.
	Verified bool
}

// Finalize turns linked instructions into a runnable program: map
// references become vm.MapHandle values, direct value references the address
// of the map's first value plus the offset, subprogram references
// vm.FuncHandle values. The maps must be registered (maps.ByID); the program
// keeps them in vm.Program.Maps. insns is not modified.
func Finalize(name, typ string, insns []isa.Instruction, opts Options) (*vm.Program, error) {
	t, ok := progtype.ByName(typ)
	if !ok {
		return nil, fmt.Errorf("program %q: unknown program type %q", name, typ)
	}
	if err := isa.Validate(insns); err != nil {
		return nil, fmt.Errorf("program %q: %w", name, err)
	}
	out := make([]isa.Instruction, len(insns))
	copy(out, insns)
	var used []maps.Map
	seen := map[uint32]bool{}
	for i := 0; i < len(out); i++ {
		ins := out[i]
		if !ins.IsLdImm64() {
			continue
		}
		switch ins.Src {
		case isa.PseudoMapFD, isa.PseudoMapValue:
			id := uint32(ins.Imm)
			m := maps.ByID(id)
			if m == nil {
				return nil, fmt.Errorf("program %q: instruction %d: map ID %d does not exist", name, i, id)
			}
			v := vm.MapHandle(id)
			if ins.Src == isa.PseudoMapValue {
				addr, err := valueAddr(m, uint32(out[i+1].Imm))
				if err != nil {
					return nil, fmt.Errorf("program %q: instruction %d: map %d (%s): %w", name, i, id, m.Spec().Name, err)
				}
				v = addr
			}
			if !seen[id] {
				seen[id] = true
				used = append(used, m)
			}
			out[i].Src = 0
			isa.SetImm64(out, i, v)
		case isa.PseudoFunc:
			out[i].Src = 0
			isa.SetImm64(out, i, vm.FuncHandle(i+1+int(ins.Imm)))
		}
		i++
	}
	p := &vm.Program{
		Name:    name,
		Type:    t.Name(),
		Insns:   out,
		Helpers: t.Helpers(),
		Maps:    used,
		Checked: !opts.Verified,
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// valueAddr returns the address of byte off of the first value of an
// array-like map (global data sections are single-entry arrays), the
// kernel's map_direct_value_addr.
func valueAddr(m maps.Map, off uint32) (uint64, error) {
	spec := m.Spec()
	if spec.Type != maps.Array {
		return 0, fmt.Errorf("direct value access needs an array map, not %s", spec.Type)
	}
	if off >= spec.ValueSize {
		return 0, fmt.Errorf("direct value offset %d is beyond the value size %d", off, spec.ValueSize)
	}
	var key [4]byte
	addr := m.LookupElem(key[:], 0)
	if addr == 0 {
		return 0, fmt.Errorf("map has no value at index 0")
	}
	return uint64(addr) + uint64(off), nil
}
