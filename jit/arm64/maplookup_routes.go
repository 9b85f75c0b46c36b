package arm64

import (
	"unsafe"

	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
)

// The lookup routines: one per constant map (route and key size known)
// and the dynamic one (everything read from the descriptor). All follow
// the calling convention in maplookup.go and read the descriptor through
// x9.

// Constants of maps.NativeHash (maps/native.go defines the function; these
// are its multipliers: TestMapLookupHashRoutes holds every key size of the
// generated hash to maps.NativeHash itself).
const (
	hashK1 = 0x9e3779b97f4a7c15
	hashK2 = 0xff51afd7ed558ccd
	hashK3 = 0xc4ceb9fe1a85ec53
)

// maxUnrolledKey is the largest key size whose hash and compare are
// unrolled; longer keys use the loops of the dynamic routine.
const maxUnrolledKey = 64

// descAt reads a descriptor at compile time (a constant map's, which stays
// valid while the program that references the map is loaded).
func descAt(addr uintptr) *maps.NativeDesc {
	return (*maps.NativeDesc)(unsafe.Add(unsafe.Pointer(nil), addr))
}

// constRoutine emits the routine of the constant map whose descriptor is
// at addr.
func (c *compiler) constRoutine(addr uintptr) {
	d := descAt(addr)
	slow, miss := c.newLabel(), c.newLabel()
	c.loadConst(mlDesc, uint64(addr))
	switch d.Route {
	case maps.RouteArray, maps.RoutePerCPUArray, maps.RouteArrayOfMaps:
		c.arrayBody(d.Route, miss, slow)
	default:
		ks := int(d.KeySize)
		if ks > maxUnrolledKey {
			ks = 0
		}
		c.hashBody(d.Route, ks, d, miss, slow)
	}
	c.place(miss)
	c.emit(movz(true, regMap[0], 0, 0), ret())
	c.place(slow)
	c.slowExit()
}

// dynRoutine emits the routine for maps known only at run time (x1 holds
// whatever the program passed):
//
//	lsr  x9, x1, #32              // the handle's tag half
//	mov  w10, #MapHandleHigh
//	cmp  x9, x10
//	b.ne slow
//	cbz  w1, slow                 // ID 0 names no map
//	mov  x9, #table
//	and  w10, w1, #NativeTableMask
//	ldr  x9, [x9, x10, lsl #3]    // descriptor address
//	cbz  x9, slow
//	ldp  w10, w12, [x9]           // ID, Route
//	cmp  w10, w1
//	b.ne slow
//	cmp  w12, #RouteHashOfMaps
//	b.hi slow
//	(the predicted inner-map shapes, see below)
//	adr  x10, table; add x10, x10, x12, lsl #2; br x10
//	table: b slow; b array; b percpu-array; b hash; ...
func (c *compiler) dynRoutine() {
	slow, miss := c.newLabel(), c.newLabel()
	r1 := regMap[1]
	c.emit(lsrImm(true, mlDesc, r1, 32))
	c.movImm(false, mlT0, uint64(jit.MapHandleHigh))
	c.emit(cmpReg(true, mlDesc, mlT0))
	c.branchTo(bcond(CondNE, 0), slow, fixCond)
	c.branchTo(cbz(false, r1, 0), slow, fixCond)
	c.loadConst(mlDesc, uint64(maps.NativeTableAddr()))
	mask, _ := logicalImm(maps.NativeTableMask, false)
	c.emit(andImm(false, mlT0, r1, mask))
	c.emit(ldstRegScaled(3, opcLoad, mlDesc, mlDesc, mlT0))
	c.branchTo(cbz(true, mlDesc, 0), slow, fixCond)
	c.emit(ldpW(mlT0, mlN, mlDesc, maps.NativeOffID))
	c.emit(cmpReg(false, mlT0, r1))
	c.branchTo(bcond(CondNE, 0), slow, fixCond)
	c.emit(subsImm(false, XZR, mlN, maps.RouteHashOfMaps))
	c.branchTo(bcond(CondHI, 0), slow, fixCond)
	// The shapes the program's maps of maps predict for their inner
	// maps first, with unrolled hash and compare, each guarded by the
	// descriptor's route and key size:
	//	cmp  w12, #route
	//	b.ne 1f
	//	ldr  w10, [x9, #KeySize]
	//	cmp  w10, #key_size
	//	b.ne 1f
	//	(hash route for this key size)
	// 1:
	for _, s := range jit.InnerLookupShapes(c.prog, c.insns, c.second) {
		if s.KeySize > maxUnrolledKey || !jit.NativeLookupRoute(s.Route) {
			continue
		}
		other := c.newLabel()
		c.emit(subsImm(false, XZR, mlN, s.Route))
		c.branchTo(bcond(CondNE, 0), other, fixCond)
		c.emit(
			ldstScaled(2, opcLoad, mlT0, mlDesc, maps.NativeOffKeySize),
			subsImm(false, XZR, mlT0, s.KeySize),
		)
		c.branchTo(bcond(CondNE, 0), other, fixCond)
		switch s.Route {
		case maps.RouteArray, maps.RoutePerCPUArray, maps.RouteArrayOfMaps:
			c.arrayBody(s.Route, miss, slow)
		default:
			c.hashBody(s.Route, int(s.KeySize), nil, miss, slow)
		}
		c.place(other)
	}
	table := c.newLabel()
	c.branchTo(adr(mlT0, 0), table, fixADR)
	c.emit(addShift(true, mlT0, mlT0, mlN, shiftLSL, 2), br(mlT0))
	c.place(table)
	bodies := make([]int, maps.RouteHashOfMaps+1)
	for r := range bodies {
		if r == maps.RouteNone || r == maps.RouteProgArray {
			bodies[r] = slow
		} else {
			bodies[r] = c.newLabel()
		}
		c.branchTo(b(0), bodies[r], fixB)
	}
	for r, l := range bodies {
		if l == slow {
			continue
		}
		c.place(l)
		switch r := uint32(r); r {
		case maps.RouteArray, maps.RoutePerCPUArray, maps.RouteArrayOfMaps:
			c.arrayBody(r, miss, slow)
		default:
			c.hashBody(r, 0, nil, miss, slow)
		}
	}
	c.place(miss)
	c.emit(movz(true, regMap[0], 0, 0), ret())
	c.place(slow)
	c.slowExit()
}

// arrayBody emits the array routes with the geometry read from the
// descriptor (x9). Key at x2.
//
//	ldr  w10, [x2]
//	ldr  w12, [x9, #MaxEntries]
//	cmp  w10, w12
//	b.hs miss
//	ldr  x12, [x9, #Values]
//	ldr  x13, [x9, #Stride]
//	madd x0, x10, x13, x12
//	(per-CPU: x13 = Frame.CPU; slow unless below NCPU; x0 += cpu*Elem)
//	(of maps: ldr w0, [x0]; cbz w0, ret; x0 |= MapHandleTag)
//	ret
func (c *compiler) arrayBody(route uint32, miss, slow int) {
	r0 := regMap[0]
	c.emit(
		ldstUnscaled(2, opcLoad, mlT0, regMap[2], 0),
		ldstScaled(2, opcLoad, mlN, mlDesc, maps.NativeOffMaxEntries),
		cmpReg(false, mlT0, mlN),
	)
	c.branchTo(bcond(CondHS, 0), miss, fixCond)
	c.emit(
		ldstScaled(3, opcLoad, mlN, mlDesc, maps.NativeOffValues),
		ldstScaled(3, opcLoad, mlSteps, mlDesc, maps.NativeOffStride),
		madd(true, r0, mlT0, mlSteps, mlN),
	)
	c.valueTail(route, slow)
}

// valueTail finishes a hit whose value (or inner-ID) address is in x0:
// the per-CPU offset, or the inner map's handle; then RET.
func (c *compiler) valueTail(route uint32, slow int) {
	r0 := regMap[0]
	switch route {
	case maps.RoutePerCPUArray, maps.RoutePerCPUHash, maps.RouteLRUPerCPUHash:
		//	ldr  x13, [x26, #CPU]
		//	ldr  w16, [x9, #NCPU]
		//	cmp  x13, x16
		//	b.hs slow
		//	ldr  x16, [x9, #Elem]
		//	madd x0, x13, x16, x0
		c.emit(
			ldstScaled(3, opcLoad, mlSteps, regFrame, jit.OffCPU),
			ldstScaled(2, opcLoad, mlT3, mlDesc, maps.NativeOffNCPU),
			cmpReg(true, mlSteps, mlT3),
		)
		c.branchTo(bcond(CondHS, 0), slow, fixCond)
		c.emit(
			ldstScaled(3, opcLoad, mlT3, mlDesc, maps.NativeOffElem),
			madd(true, r0, mlSteps, mlT3, r0),
		)
	case maps.RouteArrayOfMaps, maps.RouteHashOfMaps:
		//	ldr  w0, [x0]
		//	cbz  w0, 1f
		//	mov  x10, #MapHandleTag
		//	orr  x0, x0, x10
		// 1:
		c.emit(ldstUnscaled(2, opcLoad, r0, r0, 0))
		c.emit(cbz(false, r0, 3))
		c.emit(movz(true, mlT0, uint16(jit.MapHandleHigh>>16), 3))
		c.emit(orrReg(true, r0, r0, mlT0))
	}
	c.emit(ret())
}
