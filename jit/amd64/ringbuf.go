package amd64

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/maps"
)

// ringBuf compiles the ring buffer helper call num at pc natively when
// jit.RingBufAt says it qualifies, and reports whether it did (see
// jit/ringbuf.go for what each route does). Scratch: rax, r10, r11; r1-r4
// stay intact for the Go helper exit.
func (c *compiler) ringBuf(pc int, num int32) bool {
	site, ok := jit.RingBufAt(c.p, c.insns, c.second, c.target, pc, num)
	if !ok {
		return false
	}
	switch site.Kind {
	case jit.RingReserve:
		c.ringReserve(pc, site.Ring)
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

// ringReserve is bpf_ringbuf_reserve(r1 = ring, r2 = size, r3 = flags)'s
// refusals; anything else exits to the Go helper, which reserves.
//
//	    test rdx, rdx; jne zero
//	    <ringFull(rsi): zero>
//	    <exit to the Go helper>; jmp done
//	zero: xor eax, eax
//	done:
func (c *compiler) ringReserve(pc int, r maps.NativeRing) {
	a := &c.a
	size, flags := regs[2], regs[3]
	a.testRR(true, flags, flags)
	zero := []int{a.jcc32(condNE)}
	zero = append(zero, c.ringFull(size, r)...)
	a.storeImm(8, regFrame, jit.OffArg, helpers.FnRingbufReserve)
	c.helperExit(pc)
	done := a.jmp32()
	for _, p := range zero {
		a.patch32(p, a.pos())
	}
	a.aluRR(aluXor, false, rax, rax)
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
