package amd64

import (
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Native bpf_map_lookup_elem (see jit/maproute.go for the contract).
//
// A call whose map is a compile-time constant with a native route becomes
// that route's code inline, reading the descriptor whose address it
// embeds. Any other lookup calls the program's one lookup routine, which
// finds the descriptor through the global table and returns with ZF set,
// or with ZF clear when Go must decide: the call site then takes its
// ordinary helper exit (an out-of-line stub that resumes after the site),
// so the fallback is exactly the Go helper.
//
// Registers: on entry r1 (rdi) holds the handle and r2 (rsi) the key
// address; the Go helper reads both, so every path to the fallback has
// them: r2 is never written, r1 is replaced by the descriptor only once a
// route is chosen, and the one fallback after that (a hash walk that used
// up its restarts) gets it back from the stack (lookup routine) or from
// the constant (inline code). The routes may clobber r0-r5 (rax,
// rdi, rsi, rdx, rcx, r8: the verifier refuses reads of r1-r5 after a
// call) and the scratch registers r10 and r11, never r6-r10, regFrame or
// regBudget. The result is in rax.

// mapLookupState is the per-pass state of the native lookups.
type mapLookupState struct {
	// stubs are the helper exits of lookups that may fall back to Go.
	stubs []lookupStub
	// routine is the label of the lookup routine when a site calls it.
	routine    label
	hasRoutine bool
	// table is maps.NativeTableAddr(), read once per pass.
	table  uint64
	tabled bool
}

// lookupStub is the helper exit of the lookup at pc: it resumes at resume.
// With reload set it first puts the constant handle back in r1 (which the
// inline code had replaced by the descriptor).
type lookupStub struct {
	l, resume label
	pc        int
	reload    bool
	handle    uint64
}

// mapLookup emits a native route for the helper call at pc when it is
// bpf_map_lookup_elem and a route exists, and reports whether it did.
func (c *compiler) mapLookup(pc int, num int32) bool {
	site, ok := mapLookupAt(c.p, c.insns, c.second, c.target, pc, num)
	if !ok {
		return false
	}
	if site.Const {
		if site.Route == maps.RouteNone {
			return false
		}
		c.constLookup(pc, site)
		c.inlined++
		return true
	}
	ml := &c.ml
	if !ml.tabled {
		ml.table, ml.tabled = uint64(maps.NativeTableAddr()), true
	}
	if ml.table == 0 {
		return false
	}
	if !ml.hasRoutine {
		ml.routine, ml.hasRoutine = c.newLabel(), true
	}
	a := &c.a
	fb, done := c.newLabel(), c.newLabel()
	c.fix(a.call32(), ml.routine)
	ne := condNE
	c.br(&ne, fb)
	c.place(done)
	ml.stubs = append(ml.stubs, lookupStub{l: fb, resume: done, pc: pc})
	return true
}

// constLookup emits the route of a constant map inline.
func (c *compiler) constLookup(pc int, site jit.MapLookupSite) {
	a := &c.a
	done, fb := c.newLabel(), c.newLabel()
	if perCPURoute(site.Route) || !arrayRoute(site.Route) {
		// Go decides when the CPU is not the map's, and when a hash
		// walk used up its restarts (Go then walks under the map's lock).
		c.ml.stubs = append(c.ml.stubs, lookupStub{l: fb, resume: done, pc: pc, reload: true, handle: site.Handle})
	}
	a.movabs(regTmp, uint64(site.Desc))
	if perCPURoute(site.Route) {
		c.cpuCheck(fb)
	}
	a.movRR(true, rdi, regTmp)
	keySize := int(site.KeySize)
	if keySize > maxUnrolledKey {
		keySize = 0 // the loops that read the size from the descriptor
	}
	c.routeBody(site.Route, keySize, done, fb)
	c.place(done)
}

// commonKeySizes are the key sizes of plain hash maps (RouteHash) that
// the lookup routine's general path has unrolled code for (u32 and u64 keys, and two u64s or IPv6
// addresses).
var commonKeySizes = []int{4, 8, 16}

// maxUnrolledKey is the largest key whose hash and comparison are
// unrolled at a constant site (about 40 bytes of code per 8 key bytes).
const maxUnrolledKey = 64

// perCPURoute reports whether route reads per-CPU values.
func perCPURoute(route uint32) bool {
	return route == maps.RoutePerCPUArray || route == maps.RoutePerCPUHash || route == maps.RouteLRUPerCPUHash
}

// cpuCheck branches to fb unless Frame.CPU < desc.NCPU (desc in regTmp);
// it clobbers rax only.
func (c *compiler) cpuCheck(fb label) {
	a := &c.a
	a.load(4, rax, regTmp, maps.NativeOffNCPU)
	a.aluRM(aluCmp, true, rax, regFrame, jit.OffCPU)
	be := condBE
	c.br(&be, fb)
}

// routeBody emits route's code with the descriptor in rdi and the key
// address in rsi; it leaves the result in rax and jumps to done, or (hash
// routes whose walk used up its restarts) to fb. keySize is the map's key
// size, or 0 when only the descriptor knows it.
func (c *compiler) routeBody(route uint32, keySize int, done, fb label) {
	if arrayRoute(route) {
		c.arrayBody(route, done)
		return
	}
	c.hashBody(route, keySize, done, fb)
}

// arrayRoute reports whether route indexes an array (the others walk a
// hash index).
func arrayRoute(route uint32) bool {
	return route == maps.RouteArray || route == maps.RoutePerCPUArray || route == maps.RouteArrayOfMaps
}

// arrayBody: key u32 i < MaxEntries; rax = Values + i*Stride (+ cpu*Elem),
// or the inner map's handle for arrays of maps; 0 when out of range.
func (c *compiler) arrayBody(route uint32, done label) {
	a := &c.a
	miss := c.newLabel()
	a.load(4, rax, rsi, 0)
	a.aluRM(aluCmp, false, rax, rdi, maps.NativeOffMaxEntries)
	ae := condAE
	c.br(&ae, miss)
	a.imulRM(rax, rdi, maps.NativeOffStride)
	a.aluRM(aluAdd, true, rax, rdi, maps.NativeOffValues)
	c.valueTail(route, done)
	c.place(miss)
	a.aluRR(aluXor, false, rax, rax)
	c.br(nil, done)
}

// valueTail turns the address of slot/index's value (or inner map ID) in
// rax into the result and jumps to done: + cpu*Elem for per-CPU routes,
// MapHandle(id) (or 0) for maps of maps.
func (c *compiler) valueTail(route uint32, done label) {
	a := &c.a
	switch {
	case perCPURoute(route):
		a.load(8, regTmp, regFrame, jit.OffCPU)
		a.imulRM(regTmp, rdi, maps.NativeOffElem)
		a.aluRR(aluAdd, true, rax, regTmp)
	case route == maps.RouteArrayOfMaps || route == maps.RouteHashOfMaps:
		a.load(4, rax, rax, 0)
		a.testRR(false, rax, rax)
		e := condE
		c.br(&e, done)
		a.movabs(regTmp, vm.MapHandleTag)
		a.aluRR(aluOr, true, rax, regTmp)
	}
	c.br(nil, done)
}

// emitMapLookups places the lookup routine and the lookups' helper exits
// after the body (called once per pass, after the other stubs).
func (c *compiler) emitMapLookups() {
	a := &c.a
	ml := &c.ml
	for _, s := range ml.stubs {
		c.place(s.l)
		if s.reload {
			a.movabs(rdi, s.handle)
		}
		a.storeImm(8, regFrame, jit.OffArg, fnMapLookupElem)
		a.storeImm(8, regFrame, jit.OffArg2, int32(s.pc))
		a.storeImm(8, regFrame, jit.OffExit, jit.ExitHelper)
		c.fix(a.leaRIP(regAux), s.resume)
		c.br(nil, c.exit)
	}
	if ml.hasRoutine {
		c.place(ml.routine)
		c.lookupRoutine()
	}
}

// mapLookupAt is jit.MapLookupAt; tests substitute descriptors they build
// by hand for constant maps.
var mapLookupAt = jit.MapLookupAt

// fnMapLookupElem is bpf_map_lookup_elem's helper number.
const fnMapLookupElem = 1

// lookupRoutine emits the routine that dynamic lookups call: it checks
// the handle's tag as vm.MapFromHandle does, reads the global table entry,
// checks the descriptor's ID and dispatches on its route. It returns with
// ZF set and the result in rax, or with ZF clear (r1 and r2 intact) when
// the Go helper must decide.
func (c *compiler) lookupRoutine() {
	a := &c.a
	fail, done := c.newLabel(), c.newLabel()
	// Hash routes keep the handle on the stack: a walk that used up its
	// restarts gives it back to r1 and fails (Go decides).
	hashDone, hashFail := c.newLabel(), c.newLabel()
	ne, e := condNE, condE
	// if h>>32 != MapHandleHigh: fail
	a.movRR(true, regTmp, rdi)
	a.shiftRI(shShr, true, regTmp, 32)
	hi := jit.MapHandleHigh
	a.aluRI(aluCmp, false, regTmp, int32(hi))
	c.br(&ne, fail)
	// desc := table[h & mask]; if desc == 0 || desc.ID != uint32(h): fail
	a.movRR(false, regTmp, rdi)
	a.aluRI(aluAnd, false, regTmp, maps.NativeTableMask)
	a.movabs(regAux, c.ml.table)
	a.loadX(8, regTmp, regAux, regTmp, 8, 0)
	a.testRR(true, regTmp, regTmp)
	c.br(&e, fail)
	a.aluRM(aluCmp, false, rdi, regTmp, maps.NativeOffID)
	c.br(&ne, fail)
	a.load(4, regAux, regTmp, maps.NativeOffRoute)
	// First the shapes the program's inner maps are expected to have,
	// with code specialised for their route and key size.
	for _, sh := range jit.InnerLookupShapes(c.p, c.insns, c.second) {
		other := c.newLabel()
		a.aluRI(aluCmp, false, regAux, int32(sh.Route))
		c.br(&ne, other)
		a.cmpMI32(regTmp, maps.NativeOffKeySize, int32(sh.KeySize))
		c.br(&ne, other)
		if perCPURoute(sh.Route) {
			c.cpuCheck(fail)
		}
		a.push(rdi)
		a.movRR(true, rdi, regTmp)
		c.hashBody(sh.Route, int(sh.KeySize), hashDone, hashFail)
		c.place(other)
	}
	routes := []uint32{maps.RouteHash, maps.RouteArray, maps.RoutePerCPUArray, maps.RouteArrayOfMaps,
		maps.RoutePerCPUHash, maps.RouteLRUHash, maps.RouteLRUPerCPUHash, maps.RouteHashOfMaps}
	ls := make([]label, len(routes))
	for i, r := range routes {
		ls[i] = c.newLabel()
		a.aluRI(aluCmp, false, regAux, int32(r))
		c.br(&e, ls[i])
	}
	c.place(fail)
	a.movRI32(regAux, 1)
	a.testRR(false, regAux, regAux)
	a.ret()
	hash := c.newLabel()
	for i, r := range routes {
		c.place(ls[i])
		if perCPURoute(r) {
			c.cpuCheck(fail)
		}
		if !arrayRoute(r) {
			c.br(nil, hash)
			continue
		}
		a.movRR(true, rdi, regTmp)
		c.arrayBody(r, done)
	}
	// The hash routes share one body that reads the route (kept in
	// regAux) where they differ.
	// Common key sizes get unrolled hashing and comparison; the others
	// loop over the size in the descriptor.
	c.place(hash)
	general := c.newLabel()
	a.aluRI(aluCmp, false, regAux, maps.RouteHash)
	c.br(&ne, general)
	for _, k := range commonKeySizes {
		other := c.newLabel()
		a.cmpMI32(regTmp, maps.NativeOffKeySize, int32(k))
		c.br(&ne, other)
		a.push(rdi)
		a.movRR(true, rdi, regTmp)
		c.hashBody(maps.RouteHash, k, hashDone, hashFail)
		c.place(other)
	}
	c.place(general)
	a.push(rdi)
	a.movRR(true, rdi, regTmp)
	c.hashBody(0, 0, hashDone, hashFail)
	c.place(hashFail)
	a.pop(rdi)
	c.br(nil, fail)
	c.place(hashDone)
	a.aluRI(aluAdd, true, rsp, 8) // drop the saved handle
	c.place(done)
	a.aluRR(aluXor, false, regAux, regAux)
	a.ret()
}
