package amd64

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
)

// ringBuf compiles the ring buffer helper call num at pc natively when
// jit.RingBufAt says it qualifies, and reports whether it did (see
// jit/ringbuf.go for what each route does). Scratch: rax, rcx, r8, r10,
// r11 (and r1 where the fallback reloads it); the Go helper exits get
// their arguments intact.
func (c *compiler) ringBuf(pc int, num int32) bool {
	site, ok := jit.RingBufAt(c.p, c.insns, c.second, c.target, pc, num)
	if !ok {
		return false
	}
	switch site.Kind {
	case jit.RingReserve:
		c.ringReserve(pc, site)
	case jit.RingSubmit, jit.RingDiscard:
		c.ringCommit(pc, site, site.Kind == jit.RingDiscard)
	case jit.RingQuery:
		c.ringQuery(site.Ring)
	case jit.RingOutput:
		c.ringOutput(pc, site.Ring)
	default:
		return false
	}
	c.inlined++
	return true
}

// cmpConst compares the 64-bit r with the unsigned constant k (through
// regAux when k does not fit a sign-extended imm32).
func (c *compiler) cmpConst(r reg, k uint64) {
	if k <= 0x7fffffff {
		c.a.aluRI(aluCmp, true, r, int32(k))
		return
	}
	c.a.movabs(regAux, k)
	c.a.aluRR(aluCmp, true, r, regAux)
}

// ringFull emits maps.RingReserveFails' tests after its flags test, for
// the record size in register size, and returns the rel32 offsets of the
// branches taken when the reservation fails. Clobbers rax, r10, r11.
//
//	cmp size, RingBufMaxRecord; ja fail
//	lea rax, [size+15]; and rax, -8          ; span
//	cmp rax, Size; ja fail
//	mov r10, Cons; mov r10, [r10]
//	mov r11, Prod; mov r11, [r11]
//	add r11, rax; sub r11, r10; cmp r11, Mask; ja fail
func (c *compiler) ringFull(size reg, r maps.NativeRing) []int {
	a := &c.a
	var fail []int
	c.cmpConst(size, maps.RingBufMaxRecord)
	fail = append(fail, a.jcc32(condA))
	a.lea(rax, size, maps.RingBufHdrSize+7)
	a.aluRI(aluAnd, true, rax, -8)
	c.cmpConst(rax, r.Size)
	fail = append(fail, a.jcc32(condA))
	a.movabs(regTmp, uint64(r.Cons))
	a.load(8, regTmp, regTmp, 0)
	a.movabs(regAux, uint64(r.Prod))
	a.load(8, regAux, regAux, 0)
	a.aluRR(aluAdd, true, regAux, rax)
	a.aluRR(aluSub, true, regAux, regTmp)
	if r.Mask <= 0x7fffffff {
		a.aluRI(aluCmp, true, regAux, int32(r.Mask))
	} else {
		a.movabs(regTmp, r.Mask)
		a.aluRR(aluCmp, true, regAux, regTmp)
	}
	return append(fail, a.jcc32(condA))
}

// ringReserve is bpf_ringbuf_reserve(r1 = ring, r2 = size, r3 = flags):
// its refusals, then, when the program may hold native records
// (site.Records), the reservation itself under the producer lock; anything
// else exits to the Go helper, which reserves.
//
//	    test rdx, rdx; jne zero
//	    <ringFull(rsi): zero>                    ; rax = span, r10 = cons
//	    [Records:]
//	    mov rdi, rax; mov r8, Lock; xor eax, eax; mov ecx, 1
//	    lock cmpxchg [r8], ecx; jne slow          ; held: go to Go
//	    mov r11, Prod; mov r11, [r11]             ; prod
//	    mov rax, r11; add rax, rdi                ; newProd
//	    mov rcx, rax; sub rcx, r10; cmp rcx, Mask; ja unlock0
//	    mov rcx, Pend; mov rcx, [rcx]; mov r10, rax; sub r10, rcx
//	    cmp r10, Mask; ja unlockslow              ; Go advances pend
//	    mov rcx, r11; and rcx, Mask               ; off
//	    mov r10, Data; add r10, rcx               ; header
//	    shr rcx, 12; or ecx, NativeBit; mov [r10+4], ecx
//	    mov ecx, esi; or ecx, BUSY; mov [r10], ecx
//	    mov r11, Prod; mov [r11], rax             ; publish (release)
//	    mov dword [r8], 0; lea rax, [r10+8]; jmp done
//	unlock0: mov dword [r8], 0; jmp zero
//	unlockslow: mov dword [r8], 0
//	slow: mov rdi, handle
//	    [end Records]
//	    <exit to the Go helper>; jmp done
//	zero: xor eax, eax
//	done:
func (c *compiler) ringReserve(pc int, site jit.RingSite) {
	a := &c.a
	r := site.Ring
	size, flags := regs[2], regs[3]
	a.testRR(true, flags, flags)
	zero := []int{a.jcc32(condNE)}
	zero = append(zero, c.ringFull(size, r)...)
	var done []int
	if site.Records {
		span, lock := regs[1], r8
		a.movRR(true, span, rax)
		a.movabs(lock, uint64(r.Lock))
		a.aluRR(aluXor, false, rax, rax)
		a.movRI32(rcx, 1)
		a.lockCmpxchg(false, lock, 0, rcx)
		slow := a.jcc32(condNE)
		a.movabs(regAux, uint64(r.Prod))
		a.load(8, regAux, regAux, 0)
		a.movRR(true, rax, regAux)
		a.aluRR(aluAdd, true, rax, span)
		a.movRR(true, rcx, rax)
		a.aluRR(aluSub, true, rcx, regTmp)
		c.cmpMask(rcx, r.Mask)
		unlock0 := a.jcc32(condA)
		a.movabs(rcx, uint64(r.Pend))
		a.load(8, rcx, rcx, 0)
		a.movRR(true, regTmp, rax)
		a.aluRR(aluSub, true, regTmp, rcx)
		c.cmpMask(regTmp, r.Mask)
		unlockSlow := a.jcc32(condA)
		a.movRR(true, rcx, regAux)
		if r.Mask <= 0x7fffffff {
			a.aluRI(aluAnd, true, rcx, int32(r.Mask))
		} else {
			a.movabs(regTmp, r.Mask)
			a.aluRR(aluAnd, true, rcx, regTmp)
		}
		a.movabs(regTmp, uint64(r.Data))
		a.aluRR(aluAdd, true, regTmp, rcx)
		a.shiftRI(shShr, true, rcx, 12)
		a.aluRI(aluOr, false, rcx, int32(-0x80000000)) // RingBufNativeBit
		a.store(4, regTmp, 4, rcx)
		a.movRR(false, rcx, size)
		a.aluRI(aluOr, false, rcx, int32(-0x80000000)) // RingBufBusyBit
		a.store(4, regTmp, 0, rcx)
		a.movabs(regAux, uint64(r.Prod))
		a.store(8, regAux, 0, rax)
		a.storeImm(4, lock, 0, 0)
		a.lea(rax, regTmp, maps.RingBufHdrSize)
		done = append(done, a.jmp32())
		a.patch32(unlock0, a.pos())
		a.storeImm(4, lock, 0, 0)
		zero = append(zero, a.jmp32())
		a.patch32(unlockSlow, a.pos())
		a.storeImm(4, lock, 0, 0)
		a.patch32(slow, a.pos())
		a.movabs(regs[1], site.Handle)
	}
	a.storeImm(8, regFrame, jit.OffArg, helpers.FnRingbufReserve)
	c.helperExit(pc)
	done = append(done, a.jmp32())
	for _, p := range zero {
		a.patch32(p, a.pos())
	}
	a.aluRR(aluXor, false, rax, rax)
	for _, p := range done {
		a.patch32(p, a.pos())
	}
}

// cmpMask compares the 64-bit r with the ring mask m (through r11 when m
// does not fit an imm32; r11 is then clobbered).
func (c *compiler) cmpMask(r reg, m uint64) {
	if m <= 0x7fffffff {
		c.a.aluRI(aluCmp, true, r, int32(m))
		return
	}
	c.a.movabs(regAux, m)
	c.a.aluRR(aluCmp, true, r, regAux)
}

// ringCommit is bpf_ringbuf_submit/discard(r1 = record, r2 = flags) of a
// record native code reserved (RingBufNativeBit in its header) in the
// program's ring: clear BUSY (and set DISCARD) with a compare-and-swap as
// maps' commit does; then, unless BPF_RB_NO_WAKEUP, if BPF_RB_FORCE_WAKEUP
// or the consumer has reached this record (the kernel's test), ask for a
// wakeup (Wake = 1) and exit to the Go bpf_ringbuf_query, which delivers
// it. Any other record (out of the ring, misaligned, or the Go helper's)
// exits to the Go helper with r1 and r2 intact.
//
//	    mov r10, Data+8; mov r11, rdi; sub r11, r10      ; off
//	    cmp r11, Size; jae slow; test r11d, 7; jne slow
//	    test dword [rdi-4], NativeBit; je slow
//	retry: mov eax, [rdi-8]; test eax, BUSY; je ret0
//	    mov ecx, eax; and ecx, ~BUSY; [or ecx, DISCARD]
//	    lock cmpxchg [rdi-8], ecx; jne retry
//	    test rsi, 1; jne ret0; test rsi, 2; jne wake
//	    mov r10, Cons; mov r10, [r10]; and r10, Mask; cmp r10, r11; jne ret0
//	wake: mov r10, Wake; mov dword [r10], 1
//	    mov rdi, handle; xor esi, esi; <exit to Go bpf_ringbuf_query>
//	ret0: xor eax, eax; jmp done
//	slow: <exit to the Go helper>
//	done:
func (c *compiler) ringCommit(pc int, site jit.RingSite, discard bool) {
	a := &c.a
	r := site.Ring
	rec, flags := regs[1], regs[2]
	a.movabs(regTmp, uint64(r.Data)+maps.RingBufHdrSize)
	a.movRR(true, regAux, rec)
	a.aluRR(aluSub, true, regAux, regTmp)
	c.cmpConst(regAux, r.Size)
	slow := []int{a.jcc32(condAE)}
	a.testRI(false, regAux, 7)
	slow = append(slow, a.jcc32(condNE))
	a.load(4, rax, rec, -4)
	a.testRI(false, rax, int32(-0x80000000)) // RingBufNativeBit
	slow = append(slow, a.jcc32(condE))
	retry := a.pos()
	a.load(4, rax, rec, -maps.RingBufHdrSize)
	a.testRI(false, rax, int32(-0x80000000)) // RingBufBusyBit
	ret0 := []int{a.jcc32(condE)}
	a.movRR(false, rcx, rax)
	a.aluRI(aluAnd, false, rcx, 0x7fffffff)
	if discard {
		a.aluRI(aluOr, false, rcx, maps.RingBufDiscardBit)
	}
	a.lockCmpxchg(false, rec, -maps.RingBufHdrSize, rcx)
	j := a.jcc32(condNE)
	a.patch32(j, retry)
	a.testRI(true, flags, maps.RingBufNoWakeup)
	ret0 = append(ret0, a.jcc32(condNE))
	a.testRI(true, flags, maps.RingBufForceWakeup)
	wake := a.jcc32(condNE)
	a.movabs(regTmp, uint64(r.Cons))
	a.load(8, regTmp, regTmp, 0)
	if r.Mask <= 0x7fffffff {
		a.aluRI(aluAnd, true, regTmp, int32(r.Mask))
	} else {
		a.movabs(rax, r.Mask)
		a.aluRR(aluAnd, true, regTmp, rax)
	}
	a.aluRR(aluCmp, true, regTmp, regAux)
	ret0 = append(ret0, a.jcc32(condNE))
	a.patch32(wake, a.pos())
	a.movabs(regTmp, uint64(r.Wake))
	a.storeImm(4, regTmp, 0, 1)
	a.movabs(regs[1], site.Handle)
	a.aluRR(aluXor, false, flags, flags)
	a.storeImm(8, regFrame, jit.OffArg, helpers.FnRingbufQuery)
	c.helperExit(pc)
	for _, p := range ret0 {
		a.patch32(p, a.pos())
	}
	a.aluRR(aluXor, false, rax, rax)
	done := a.jmp32()
	for _, p := range slow {
		a.patch32(p, a.pos())
	}
	num := int32(helpers.FnRingbufSubmit)
	if discard {
		num = helpers.FnRingbufDiscard
	}
	a.storeImm(8, regFrame, jit.OffArg, num)
	c.helperExit(pc)
	a.patch32(done, a.pos())
}

// ringOutput is bpf_ringbuf_output(r1 = ring, r2 = data, r3 = size,
// r4 = flags)'s refusals, with the Go helper's errors; anything else exits
// to the Go helper, which copies the record in.
//
//	    test rcx, ~RingOutputFlags; jne einval
//	    mov r11, 1<<32; cmp rdx, r11; ja e2big
//	    <ringFull(rdx): eagain>
//	    <exit to the Go helper>; jmp done
//	einval: mov rax, -EINVAL; jmp done
//	e2big: mov rax, -E2BIG; jmp done
//	eagain: mov rax, -EAGAIN
//	done:
func (c *compiler) ringOutput(pc int, r maps.NativeRing) {
	a := &c.a
	size, flags := regs[3], regs[4]
	a.testRI(true, flags, ^int32(jit.RingOutputFlags))
	einval := a.jcc32(condNE)
	c.cmpConst(size, jit.RingOutputMaxSize)
	e2big := a.jcc32(condA)
	eagain := c.ringFull(size, r)
	a.storeImm(8, regFrame, jit.OffArg, helpers.FnRingbufOutput)
	c.helperExit(pc)
	var done []int
	done = append(done, a.jmp32())
	a.patch32(einval, a.pos())
	a.movRIsx(rax, int32(jit.RingOutputEINVAL))
	done = append(done, a.jmp32())
	a.patch32(e2big, a.pos())
	a.movRIsx(rax, int32(jit.RingOutputE2BIG))
	done = append(done, a.jmp32())
	for _, p := range eagain {
		a.patch32(p, a.pos())
	}
	a.movRIsx(rax, int32(jit.RingOutputEAGAIN))
	for _, p := range done {
		a.patch32(p, a.pos())
	}
}

// ringQuery is bpf_ringbuf_query(r1 = ring, r2 = flags) as maps' Query:
// the consumer position is loaded before the producer position.
//
//	    mov r10, Cons; mov r10, [r10]; mov r11, Prod; mov r11, [r11]
//	    mov rax, r11; sub rax, r10; test rsi, rsi; je done   ; avail
//	    mov rax, Size; cmp rsi, 1; je done
//	    mov rax, r10; cmp rsi, 2; je done
//	    mov rax, r11; cmp rsi, 3; je done
//	    xor eax, eax
//	done:
func (c *compiler) ringQuery(r maps.NativeRing) {
	a := &c.a
	flags := regs[2]
	a.movabs(regTmp, uint64(r.Cons))
	a.load(8, regTmp, regTmp, 0)
	a.movabs(regAux, uint64(r.Prod))
	a.load(8, regAux, regAux, 0)
	var done []int
	a.movRR(true, rax, regAux)
	a.aluRR(aluSub, true, rax, regTmp)
	a.testRR(true, flags, flags)
	done = append(done, a.jcc8(condE))
	a.movabs(rax, r.Size)
	a.aluRI(aluCmp, true, flags, maps.RingBufRingSize)
	done = append(done, a.jcc8(condE))
	a.movRR(true, rax, regTmp)
	a.aluRI(aluCmp, true, flags, maps.RingBufConsPos)
	done = append(done, a.jcc8(condE))
	a.movRR(true, rax, regAux)
	a.aluRI(aluCmp, true, flags, maps.RingBufProdPos)
	done = append(done, a.jcc8(condE))
	a.aluRR(aluXor, false, rax, rax)
	for _, p := range done {
		a.patch8(p)
	}
}
