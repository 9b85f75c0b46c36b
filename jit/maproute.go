package jit

import (
	"unsafe"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Native routes of bpf_map_lookup_elem: the architecture-neutral half.
//
// A back end compiles a bpf_map_lookup_elem call natively when
// MapLookupAt says the call site qualifies:
//
//   - Const (r1 provably holds one map's handle, loaded by an ld_imm64 in
//     the same basic block) with Route != maps.RouteNone: the back end
//     embeds Desc and emits the code of that one route, specialised for
//     KeySize. The map is referenced by the program, so the descriptor
//     (and Route) stay valid for as long as the code can run.
//   - otherwise (r1 not constant: an inner map returned by a map-in-map
//     lookup, or a register copy): the back end calls one out-of-line
//     routine per program that checks the handle's tag exactly as
//     vm.MapFromHandle does (h>>32 == MapHandleHigh), reads the global
//     table entry (h & maps.NativeTableMask) at maps.NativeTableAddr(),
//     checks desc.ID == uint32(h) and dispatches on desc.Route
//     (NativeLookupRoute); anything else (table address 0, entry 0, ID
//     mismatch, bad tag, RouteNone or a route lookups cannot take) takes
//     the ordinary helper exit of that call site, so the Go helper decides.
//   - Const with Route == maps.RouteNone (today: every map the maps
//     package has not described) takes the helper exit directly.
//
// The routes themselves are defined in maps/native.go (maps.Route*): the
// back ends follow that text, including the hash index reader's bounded
// restarts, and return exactly what the Go helper returns: a value
// address, vm.MapHandle(id) for map-in-map slots (0 for an empty one), or
// 0 on a miss. The per-CPU routes use Frame.CPU (OffCPU) and must fall
// back to Go when it is not below desc.NCPU. A hash walk that used up
// maps.NativeMaxRestarts falls back too (Go's reader then walks under the
// map's lock, so a key present throughout is never missed).
//
// Registers: the kernel leaves r1-r5 undefined after any helper call, and
// the verifier refuses programs that read them, so native routes may
// clobber r1-r5 (but must keep r1 and r2 intact on every path that falls
// back to the helper exit, which reads them).

// MapHandleHigh is the upper half of every valid map handle
// (vm.MapHandleTag>>32): a register value h names a map exactly when
// h>>32 == MapHandleHigh (the low half is the map ID).
const MapHandleHigh = uint32(vm.MapHandleTag >> 32)

// MapLookupSite describes a bpf_map_lookup_elem call for native code.
type MapLookupSite struct {
	// Const reports that r1 provably holds Handle at the call.
	Const  bool
	Handle uint64
	// Map is the map Handle names when Const (nil if none: the helper
	// then decides, so take the helper exit).
	Map maps.Map
	// Desc is the address of Map's native descriptor and Route its route
	// (maps.RouteNone and 0 when Map has none, or is not Const).
	Desc  uintptr
	Route uint32
	// KeySize is Map's key size (when Map is non-nil).
	KeySize uint32
}

// MapLookupAt reports whether the helper call num at pc is
// bpf_map_lookup_elem offered to the program (ok), and what is known at
// compile time about its map (see the comment above for how back ends use
// it). second marks the second slots of ld_imm64, target the jump and call
// targets.
func MapLookupAt(p *vm.Program, insns []isa.Instruction, second, target []bool, pc int, num int32) (site MapLookupSite, ok bool) {
	if num != fnMapLookupElem || p.Helpers.Lookup(num) == nil {
		return MapLookupSite{}, false
	}
	h, c := constR1(insns, second, target, pc)
	if !c {
		return MapLookupSite{}, true
	}
	site = MapLookupSite{Const: true, Handle: h}
	m := vm.MapFromHandle(h)
	if m == nil {
		return site, true
	}
	site.Map = m
	site.KeySize = m.Spec().KeySize
	if addr, ok := maps.NativeDescOf(m); ok {
		if d := descAt(addr); NativeLookupRoute(d.Route) {
			site.Desc, site.Route = addr, d.Route
		}
	}
	return site, true
}

// LookupShape is what a lookup routine can specialise on: a map's route
// and key size.
type LookupShape struct {
	Route, KeySize uint32
}

// maxInnerShapes bounds the specialised paths of one lookup routine.
const maxInnerShapes = 4

// InnerLookupShapes returns the likely shapes of the maps that p's
// non-constant lookups reach: the inner-map templates of the maps of maps
// p names (p.Maps and its ld_imm64 handles), hash routes only (array
// routes are cheap without specialising), at most a few, deduplicated.
// A back end's lookup routine may try these first with code specialised
// for them, guarded at run time by desc.Route == Route && desc.KeySize ==
// KeySize (the template only predicts the inner maps; the guard decides).
func InnerLookupShapes(p *vm.Program, insns []isa.Instruction, second []bool) []LookupShape {
	var out []LookupShape
	add := func(m maps.Map) {
		if m == nil {
			return
		}
		inner := m.Spec().InnerMap
		if inner == nil || len(out) == maxInnerShapes {
			return
		}
		s := LookupShape{Route: likelyRoute(inner.Type), KeySize: inner.KeySize}
		if s.Route < maps.RouteHash || s.Route == maps.RouteArrayOfMaps || s.KeySize == 0 {
			return
		}
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	for _, m := range p.Maps {
		add(m)
	}
	for i, ins := range insns {
		if ins.Opcode == isa.OpLdImm64 && !second[i] && i+1 < len(insns) {
			add(vm.MapFromHandle(isa.Imm64(insns, i)))
		}
	}
	return out
}

// likelyRoute is the route the maps package gives maps of type t (a
// prediction only: see InnerLookupShapes).
func likelyRoute(t maps.Type) uint32 {
	switch t {
	case maps.Array:
		return maps.RouteArray
	case maps.PerCPUArray:
		return maps.RoutePerCPUArray
	case maps.Hash:
		return maps.RouteHash
	case maps.PerCPUHash:
		return maps.RoutePerCPUHash
	case maps.LRUHash:
		return maps.RouteLRUHash
	case maps.LRUCPUHash:
		return maps.RouteLRUPerCPUHash
	case maps.ArrayOfMaps:
		return maps.RouteArrayOfMaps
	case maps.HashOfMaps:
		return maps.RouteHashOfMaps
	}
	return maps.RouteNone
}

// NativeLookupRoute reports whether route is one that bpf_map_lookup_elem
// can take natively (every Route* but RouteNone and RouteProgArray).
func NativeLookupRoute(route uint32) bool {
	return route >= maps.RouteArray && route <= maps.RouteHashOfMaps
}

// descAt returns the descriptor at addr (off-heap memory that stays
// mapped while its map is open).
func descAt(addr uintptr) *maps.NativeDesc {
	return (*maps.NativeDesc)(unsafe.Add(unsafe.Pointer(nil), addr))
}

// Descriptor returns the site's descriptor (nil when Desc is 0), for back ends
// that specialise code on its fixed fields (sizes, addresses, seed).
func (s MapLookupSite) Descriptor() *maps.NativeDesc {
	if s.Desc == 0 {
		return nil
	}
	return descAt(s.Desc)
}
