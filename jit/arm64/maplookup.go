package arm64

import (
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
)

// Native routes of bpf_map_lookup_elem (see jit/maproute.go for which call
// sites qualify and maps/native.go for the routes themselves).
//
// A call site whose r1 is a constant map with a native descriptor is
// compiled by route: plain arrays and arrays of maps inline (a bounds check
// and address arithmetic, as the kernel's map_gen_lookup), every other
// route as a call to an out-of-line routine specialised for that map (its
// descriptor address, route and key size are constants). A site whose r1
// is not constant (an inner map) calls the program's one dynamic routine,
// which checks the handle's tag as vm.MapFromHandle does, finds the
// descriptor in the global table, checks its ID, tries the inner-map
// shapes the program's maps of maps predict (jit.InnerLookupShapes) and
// otherwise dispatches on the route. Routines are emitted once per program
// after the shared stubs.
//
// Calling convention of the routines: BL with x11 = the call's eBPF pc;
// they return r0 in x0 with RET, or take the ordinary helper exit of the
// call site (x9 = 1, x10 = x30 = the address after the BL, x11 = pc), so
// the Go helper decides everything a routine does not handle. They keep
// eBPF r1-r5 (x1-x5) intact on every path (the helper exit reads r1 and
// r2; the interpreter leaves r1-r5 as they were) and clobber only x0, x6-
// x17 and x30: x6-x8, x14, x15 and x17 are otherwise unused by this back
// end, x9-x13 and x16 are its scratch registers, and x30 is free at a
// helper call (bpf-to-bpf calls keep their return address on the stack).
//
// Memory ordering. Go publishes a descriptor, a table entry, a hash slot's
// key, hash and state, or an array-of-maps entry before making it
// reachable with an atomic (release) store; native code reads with plain
// single-copy-atomic LDRs. Every later read goes through an address
// computed from the value just loaded (table entry -> descriptor, bucket
// head or Next link -> slot index -> Hashes/State/Keys/value), and A64
// orders a load before any load whose address depends on it, so no barrier
// is needed to see the published contents (the same reasoning as Linux's
// READ_ONCE/rcu_dereference on arm64). What dependency ordering does not
// give is a consistent slot when a writer unlinks and reuses it after the
// reader loaded the link that led there: the slot's hash, state and key
// loads may then see old and new contents mixed. The reader then sees a
// wrong hash, state or key and moves on, or follows the reused slot's link
// into another chain, which the end-marker check detects and turns into a
// bounded restart (maps/native.go); every index is checked against
// MaxEntries before it is used, so even a torn or stale value never
// addresses memory outside the map's blocks, and a slot that is being
// rewritten can at worst be returned as a hit, whose value the program
// then reads in place while it changes, as with the kernel's preallocated
// hash maps, which also hand out values in place.

// Registers of the lookup routines (see the calling convention above).
const (
	mlPC    Reg = 11 // eBPF pc of the call, for the helper exit
	mlDesc  Reg = 9  // descriptor address
	mlH     Reg = 7  // the key's hash
	mlK     Reg = 8  // hash multiplier; restarts left during the walk
	mlB     Reg = 6  // bucket
	mlN     Reg = 12 // slot
	mlSteps Reg = 13 // steps left on this chain
	mlT0    Reg = 10
	mlT1    Reg = 14
	mlT2    Reg = 15
	mlT3    Reg = 16
	mlT4    Reg = 17
)

// mapLookups is the per-compilation state of the lookup routes.
type mapLookups struct {
	dyn      int             // label of the dynamic routine; 0 until used
	routines map[uintptr]int // descriptor address -> label of its routine
	order    []uintptr       // descriptors in order of first use
	tb       []fixup         // TBZ/TBNZ branches, resolved when the routines are done
	sites    int             // call sites compiled natively
}

// lookupSite is the call-site analysis (a variable so that tests can
// describe hand-built maps as constant ones).
var lookupSite = jit.MapLookupAt

// mapLookup compiles the bpf_map_lookup_elem call at pc natively when it
// may and reports whether it did.
func (c *compiler) mapLookup(pc int, num int32) bool {
	if c.opts.NoInline {
		return false
	}
	site, ok := lookupSite(c.prog, c.insns, c.second, c.target, pc, num)
	if !ok {
		return false
	}
	if !site.Const {
		if maps.NativeTableAddr() == 0 {
			return false
		}
		if c.ml.dyn == 0 {
			c.ml.dyn = c.newLabel()
		}
		c.callRoutine(pc, c.ml.dyn)
		c.ml.sites++
		return true
	}
	d := site.Descriptor()
	if d == nil {
		return false // the helper exit (or the older inline array route)
	}
	switch site.Route {
	case maps.RouteArray, maps.RouteArrayOfMaps:
		c.inlineArrayRoute(site.Route, d)
	default:
		if c.ml.routines == nil {
			c.ml.routines = map[uintptr]int{}
		}
		l, ok := c.ml.routines[site.Desc]
		if !ok {
			l = c.newLabel()
			c.ml.routines[site.Desc] = l
			c.ml.order = append(c.ml.order, site.Desc)
		}
		c.callRoutine(pc, l)
	}
	c.ml.sites++
	c.inlined++
	return true
}

// callRoutine emits the call of a lookup routine: x11 = pc, BL.
func (c *compiler) callRoutine(pc, label int) {
	c.movImm(true, mlPC, uint64(pc))
	c.branchTo(bl(0), label, fixB)
}

// inlineArrayRoute emits RouteArray or RouteArrayOfMaps for a constant map:
// the geometry (Values, MaxEntries, Stride) is fixed for the map's life.
//
//	ldr  w9, [x2]
//	mov  w10, #max_entries
//	cmp  w9, w10
//	mov  x0, #values
//	add  x0, x0, x9, lsl #log2(stride)   (or mov x10, #stride; madd)
//	csel x0, x0, xzr, lo                 (array: branch-free)
//
// An array of maps instead branches to miss and reads the u32 inner ID:
// r0 = id == 0 ? 0 : MapHandle(id).
func (c *compiler) inlineArrayRoute(route uint32, d *maps.NativeDesc) {
	c.emit(ldstUnscaled(2, opcLoad, tmp1, regMap[2], 0))
	c.movImm(false, tmp2, uint64(d.MaxEntries))
	c.emit(cmpReg(false, tmp1, tmp2))
	var miss, done int
	if route == maps.RouteArrayOfMaps {
		miss, done = c.newLabel(), c.newLabel()
		c.branchTo(bcond(CondHS, 0), miss, fixCond)
	}
	c.movImm(true, regMap[0], d.Values)
	c.scaleAdd(regMap[0], tmp1, d.Stride, tmp2)
	if route == maps.RouteArray {
		c.emit(csel(true, regMap[0], regMap[0], XZR, CondLO))
		return
	}
	c.emit(ldstUnscaled(2, opcLoad, regMap[0], regMap[0], 0))
	c.branchTo(cbz(false, regMap[0], 0), done, fixCond)
	c.emit(movz(true, tmp2, uint16(jit.MapHandleHigh>>16), 3))
	c.emit(orrReg(true, regMap[0], regMap[0], tmp2))
	c.branchTo(b(0), done, fixB)
	c.place(miss)
	c.emit(movz(true, regMap[0], 0, 0))
	c.place(done)
}

// scaleAdd emits d += idx*stride for a constant stride (a shifted add for
// powers of two), using t for other strides. Flags are left alone.
func (c *compiler) scaleAdd(d, idx Reg, stride uint64, t Reg) {
	if stride != 0 && stride&(stride-1) == 0 && stride < 1<<32 {
		n := uint32(0)
		for 1<<n < stride {
			n++
		}
		c.emit(addShift(true, d, d, idx, shiftLSL, n))
		return
	}
	c.movImm(true, t, stride)
	c.emit(madd(true, d, idx, t, d))
}

// loadConst loads a 64-bit constant (an address, a hash multiplier) with
// MOVZ/MOVK. (No literal pool: the code stays instructions only, which
// the disassembler and the all-words-decode test rely on, and no data
// lines are pulled into the instruction side.)
func (c *compiler) loadConst(t Reg, v uint64) { c.movImm(true, t, v) }

// tbTo emits TBZ (zero) or TBNZ (!zero) on bit of t to a label inside the
// routine being emitted.
func (c *compiler) tbTo(zero bool, t Reg, bit uint32, label int) {
	w := tbz(t, bit, 0)
	if !zero {
		w = tbnz(t, bit, 0)
	}
	c.ml.tb = append(c.ml.tb, fixup{at: len(c.out), label: label})
	c.emit(w)
}

// mapLookupRoutines emits the routines the call sites used; compile calls
// it after the shared stubs.
func (c *compiler) mapLookupRoutines() {
	if c.ml.dyn != 0 {
		c.place(c.ml.dyn)
		c.dynRoutine()
	}
	for _, addr := range c.ml.order {
		c.place(c.ml.routines[addr])
		c.constRoutine(addr)
	}
	for _, f := range c.ml.tb {
		d := int32(c.labels[f.label] - f.at)
		c.out[f.at] |= (uint32(d) & 0x3fff) << 5
	}
	c.ml.tb = nil
}

// slowExit emits the helper exit of a routine's call site: resume at the
// return address, helper number 1 (bpf_map_lookup_elem), pc in x11.
func (c *compiler) slowExit() {
	c.emit(movReg(true, tmp2, linkReg), movz(true, tmp1, 1, 0))
	c.branchTo(b(0), c.stub(stubHelper), fixB)
}
