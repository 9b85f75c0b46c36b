package vm

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
)

// Kernel limits that programs are written against.
const (
	// StackSize is the stack of one eBPF frame.
	StackSize = 512
	// MaxCallDepth is the deepest bpf-to-bpf call chain, frames included.
	MaxCallDepth = 8
	// MaxTailCalls is the kernel's MAX_TAIL_CALL_CNT: at most 33 tail calls per run.
	MaxTailCalls = 33
	// MaxHelpers bounds helper numbers (Linux numbers them below 256).
	MaxHelpers = 256
)

// Tagged values the loader places in registers for things that are not
// memory: a map reference (ld_imm64 pseudo map fd) or a subprogram reference
// (ld_imm64 pseudo func, for bpf_loop and friends). The tags sit in the top 16
// bits, which no user-space address on any supported platform uses, so a
// tagged value can never be mistaken for, or dereferenced as, memory.
const (
	MapHandleTag  uint64 = 0xb9f1 << 48
	FuncHandleTag uint64 = 0xb9f2 << 48
	handleTagMask uint64 = 0xffff << 48
)

// MapHandle returns the register value that refers to the map with ID id.
func MapHandle(id uint32) uint64 { return MapHandleTag | uint64(id) }

// MapFromHandle returns the map a register value refers to, or nil.
func MapFromHandle(h uint64) maps.Map {
	if h&handleTagMask != MapHandleTag || h>>32&0xffff != 0 {
		return nil
	}
	return maps.ByID(uint32(h))
}

// FuncHandle returns the register value that refers to the subprogram at pc.
func FuncHandle(pc int) uint64 { return FuncHandleTag | uint64(uint32(pc)) }

// FuncFromHandle returns the instruction index a subprogram handle names.
func FuncFromHandle(h uint64) (pc int, ok bool) {
	if h&handleTagMask != FuncHandleTag || h>>32&0xffff != 0 {
		return 0, false
	}
	return int(uint32(h)), true
}

// Helper implements one helper function. It receives the run's Context and
// r1-r5 and returns r0. A helper that meets a condition the program cannot be
// allowed to continue from calls ctx.Abort.
type Helper func(ctx *Context, r1, r2, r3, r4, r5 uint64) uint64

// HelperTable maps Linux helper numbers to implementations; nil entries are
// helpers the program type does not offer.
type HelperTable [MaxHelpers]Helper

// Lookup returns the helper with the given number, or nil.
func (t *HelperTable) Lookup(n int32) Helper {
	if t == nil || n < 0 || int(n) >= MaxHelpers {
		return nil
	}
	return t[n]
}

// Program is relocated bytecode ready for an engine.
type Program struct {
	// Name is the program's function name.
	Name string
	// Type names the program type (bpftool's name, such as "xdp").
	Type string
	// Insns are the final instruction slots: maps resolved to handles and
	// addresses, subprogram calls to relative offsets, context accesses
	// rewritten to the host's context layout.
	Insns []isa.Instruction
	// Helpers are the helpers the program type offers.
	Helpers *HelperTable
	// Maps are the maps the program references; the program keeps them alive.
	Maps []maps.Map
	// Checked asks engines to test every memory access against the regions
	// of the run (required for programs that did not pass the verifier).
	Checked bool

	id       atomic.Uint32
	compiled sync.Map // engine key -> Executable
}

// Compiled returns the executable an engine cached for p under key.
func (p *Program) Compiled(key any) (Executable, bool) {
	v, ok := p.compiled.Load(key)
	if !ok {
		return nil, false
	}
	return v.(Executable), true
}

// SetCompiled caches an engine's executable for p (engines use it so that
// tail-call targets are prepared once).
func (p *Program) SetCompiled(key any, e Executable) { p.compiled.Store(key, e) }

// ID returns the program's registry ID (0 before Register).
func (p *Program) ID() uint32 { return p.id.Load() }

// Validate checks what every engine relies on: the instruction count, and
// that every helper the program calls exists in its table.
func (p *Program) Validate() error {
	if len(p.Insns) == 0 {
		return fmt.Errorf("program %q has no instructions", p.Name)
	}
	if len(p.Insns) > isa.MaxInstructions {
		return fmt.Errorf("program %q has %d instructions, more than the limit of %d", p.Name, len(p.Insns), isa.MaxInstructions)
	}
	for i, ins := range p.Insns {
		if ins.Opcode == isa.OpCall && ins.Src == isa.CallHelper && p.Helpers.Lookup(ins.Imm) == nil {
			return fmt.Errorf("program %q: instruction %d calls unknown helper %d (not available to %s programs)", p.Name, i, ins.Imm, p.Type)
		}
	}
	return nil
}

var programs struct {
	sync.RWMutex
	byID map[uint32]*Program
	next uint32
}

// progDirect holds registered programs by ID modulo its size (the first
// registered of each slot's IDs), so that bpf_tail_call, which resolves
// its target on every call, finds it without the registry lock (an atomic
// add on a line shared by every CPU) and map lookup. Written under the
// registry lock; ProgramByID falls back to the map on a miss.
var progDirect [progDirectSlots]atomic.Pointer[Program]

const progDirectSlots = 1024

// setDirect records p under id in progDirect if the slot is free. The
// registry lock must be held.
func setDirect(p *Program, id uint32) {
	if s := &progDirect[id%progDirectSlots]; s.Load() == nil {
		s.Store(p)
	}
}

// RegisterProgram gives p an ID so that prog arrays can refer to it.
func RegisterProgram(p *Program) uint32 {
	programs.Lock()
	defer programs.Unlock()
	if programs.byID == nil {
		programs.byID = map[uint32]*Program{}
	}
	for {
		programs.next++
		if _, taken := programs.byID[programs.next]; !taken && programs.next != 0 {
			break
		}
	}
	programs.byID[programs.next] = p
	p.id.Store(programs.next)
	setDirect(p, programs.next)
	return programs.next
}

// RegisterProgramWithID registers p under a chosen ID (restoring persisted
// state); it fails if the ID is taken.
func RegisterProgramWithID(p *Program, id uint32) error {
	programs.Lock()
	defer programs.Unlock()
	if programs.byID == nil {
		programs.byID = map[uint32]*Program{}
	}
	if id == 0 {
		return fmt.Errorf("program ID 0 is reserved")
	}
	if _, taken := programs.byID[id]; taken {
		return fmt.Errorf("program ID %d is in use", id)
	}
	programs.byID[id] = p
	p.id.Store(id)
	setDirect(p, id)
	if id > programs.next {
		programs.next = id
	}
	return nil
}

// UnregisterProgram removes p from the registry.
func UnregisterProgram(p *Program) {
	programs.Lock()
	removed := programs.byID[p.ID()] == p
	if removed {
		delete(programs.byID, p.ID())
	}
	if s := &progDirect[p.ID()%progDirectSlots]; s.Load() == p {
		s.Store(nil)
	}
	programs.Unlock()
	if removed {
		runUnregisterHooks(p)
	}
}

// ProgramByID returns the registered program with the given ID, or nil.
func ProgramByID(id uint32) *Program {
	if p := progDirect[id%progDirectSlots].Load(); p != nil && id != 0 && p.ID() == id {
		return p
	}
	programs.RLock()
	defer programs.RUnlock()
	return programs.byID[id]
}
