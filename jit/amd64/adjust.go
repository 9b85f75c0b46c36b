package amd64

import (
	"github.com/bpfhost/bpfhost/jit"
)

// adjustJumps collects the rel32 branches of one adjustment: to its
// error returns and to its end.
type adjustJumps struct {
	einval, eacces, enotsupp, done []int
}

// adjust compiles the XDP packet adjustment call num at pc natively when
// jit.AdjustFor says so, and reports whether it did (see jit/adjust.go for
// the contract). Scratch: rax, r10, r11 and r1-r5 (the verifier makes
// r1-r5 unreadable after a call). A success falls through with
// r0 = 0; the error returns follow it.
func (c *compiler) adjust(pc int, num int32) bool {
	var j adjustJumps
	switch jit.AdjustFor(c.p, num) {
	case jit.AdjustHead:
		c.adjustHead(&j)
	case jit.AdjustMeta:
		c.adjustMeta(&j)
	case jit.AdjustTail:
		c.adjustTail(&j)
	default:
		return false
	}
	a := &c.a
	j.done = append(j.done, a.jmp32())
	c.adjustRet(j.einval, jit.AdjustEINVAL, &j.done)
	c.adjustRet(j.eacces, jit.AdjustEACCES, &j.done)
	c.adjustRet(j.enotsupp, jit.AdjustENOTSUPP, &j.done)
	for _, d := range j.done {
		a.patch32(d, a.pos())
	}
	c.inlined++
	return true
}

// adjustRet emits "r0 = v; jmp done" as the target of the branches from.
func (c *compiler) adjustRet(from []int, v int32, done *[]int) {
	if len(from) == 0 {
		return
	}
	a := &c.a
	for _, f := range from {
		a.patch32(f, a.pos())
	}
	a.movRIsx(rax, v)
	*done = append(*done, a.jmp32())
}

// adjustCtx loads the run's vm.Context into r11; without a packet the
// helpers return -EINVAL.
func (c *compiler) adjustCtx(j *adjustJumps) {
	a := &c.a
	a.load(8, regAux, regFrame, jit.OffCtx)
	a.load(1, regTmp, regAux, jit.CtxHasPacket)
	a.testRR(false, regTmp, regTmp)
	j.einval = append(j.einval, a.jcc32(condE))
}

// adjustSync writes syncXDP's three words into the context block (address
// in vm.Context.Ctx): data, data_end and data_meta. Clobbers r1.
func (c *compiler) adjustSync(data, end, meta reg) {
	a := &c.a
	blk := regs[1]
	a.load(8, blk, regAux, jit.CtxCtx)
	a.store(8, blk, jit.XDPBlockData, data)
	a.store(8, blk, jit.XDPBlockDataEnd, end)
	a.store(8, blk, jit.XDPBlockMeta, meta)
}

// adjustHead is bpf_xdp_adjust_head(r1 = ctx, r2 = delta). The metadata
// (metalen bytes before data) moves with the frame, as Go's copy does: a
// byte loop, forward when it moves down, backward when it moves up.
//
//	    <ctx in r11; no packet: -EINVAL>
//	    mov r10, [r11+data]; mov rdx, r10; sub rdx, [r11+meta] ; metalen
//	    movsxd rcx, esi; add r10, rcx                          ; new data
//	    mov rax, [r11+hard]; add rax, 40; add rax, rdx; cmp r10, rax; jb einval
//	    mov rax, [r11+end]; sub rax, 14; cmp r10, rax; ja einval
//	    mov rsi, [r11+meta]; mov rdi, rsi; add rdi, rcx        ; from, to
//	    mov [r11+meta], rdi; mov [r11+data], r10
//	    test rdx, rdx; je moved; test rcx, rcx; jg up
//	down: movzx eax, byte [rsi]; mov [rdi], al; add rsi, 1; add rdi, 1; sub rdx, 1; jne down; jmp moved
//	up: add rsi, rdx; add rdi, rdx
//	upl: sub rsi, 1; sub rdi, 1; movzx eax, byte [rsi]; mov [rdi], al; sub rdx, 1; jne upl
//	moved: mov rdx, [r11+end]; mov rsi, [r11+meta]
//	    <block: data = r10, data_end = rdx, meta = rsi>; xor eax, eax
func (c *compiler) adjustHead(j *adjustJumps) {
	a := &c.a
	from, to, n, off := regs[2], regs[1], regs[3], regs[4]
	c.adjustCtx(j)
	a.load(8, regTmp, regAux, jit.CtxPktData)
	a.movRR(true, n, regTmp)
	a.aluRM(aluSub, true, n, regAux, jit.CtxPktMeta)
	a.movsxRR(32, true, off, regs[2])
	a.aluRR(aluAdd, true, regTmp, off)
	a.load(8, rax, regAux, jit.CtxPktHardStart)
	a.aluRI(aluAdd, true, rax, jit.AdjustFrameSize)
	a.aluRR(aluAdd, true, rax, n)
	a.aluRR(aluCmp, true, regTmp, rax)
	j.einval = append(j.einval, a.jcc32(condB))
	a.load(8, rax, regAux, jit.CtxPktEnd)
	a.aluRI(aluSub, true, rax, jit.AdjustMinFrame)
	a.aluRR(aluCmp, true, regTmp, rax)
	j.einval = append(j.einval, a.jcc32(condA))
	a.load(8, from, regAux, jit.CtxPktMeta)
	a.movRR(true, to, from)
	a.aluRR(aluAdd, true, to, off)
	a.store(8, regAux, jit.CtxPktMeta, to)
	a.store(8, regAux, jit.CtxPktData, regTmp)
	a.testRR(true, n, n)
	none := a.jcc8(condE)
	a.testRR(true, off, off)
	up := a.jcc8(condG)
	down := a.pos()
	c.adjustMoveByte(from, to, 0)
	a.aluRI(aluAdd, true, from, 1)
	a.aluRI(aluAdd, true, to, 1)
	a.aluRI(aluSub, true, n, 1)
	c.jccBack(condNE, down)
	moved := a.jmp8()
	a.patch8(up)
	a.aluRR(aluAdd, true, from, n)
	a.aluRR(aluAdd, true, to, n)
	upl := a.pos()
	a.aluRI(aluSub, true, from, 1)
	a.aluRI(aluSub, true, to, 1)
	c.adjustMoveByte(from, to, 0)
	a.aluRI(aluSub, true, n, 1)
	c.jccBack(condNE, upl)
	a.patch8(none)
	a.patch8(moved)
	a.load(8, n, regAux, jit.CtxPktEnd)
	a.load(8, from, regAux, jit.CtxPktMeta)
	c.adjustSync(regTmp, n, from)
	a.aluRR(aluXor, false, rax, rax)
}

// adjustMoveByte copies the byte at [from+disp] to [to+disp] through al.
func (c *compiler) adjustMoveByte(from, to reg, disp int32) {
	c.a.load(1, rax, from, disp)
	c.a.store(1, to, disp, rax)
}

// jccBack emits a short conditional branch back to target.
func (c *compiler) jccBack(cc cond, target int) {
	a := &c.a
	a.byte1(0x70|byte(cc), byte(int8(target-(a.pos()+2))))
}

// adjustMeta is bpf_xdp_adjust_meta(r1 = ctx, r2 = delta).
//
//	<ctx in r11; no packet: -EINVAL>
//	mov r10, [r11+data]; mov rax, [r11+meta]; cmp rax, r10; ja enotsupp
//	movsxd rsi, esi; add rax, rsi                     ; new meta
//	mov rsi, [r11+hard]; add rsi, 40; cmp rax, rsi; jb einval
//	cmp rax, r10; ja einval
//	mov rsi, r10; sub rsi, rax; test esi, 3; jne eacces
//	cmp rsi, 252; ja eacces
//	mov [r11+meta], rax
//	<block: data = r10, data_end = [r11+end], meta = rax>; xor eax, eax
func (c *compiler) adjustMeta(j *adjustJumps) {
	a := &c.a
	r2 := regs[2]
	c.adjustCtx(j)
	a.load(8, regTmp, regAux, jit.CtxPktData)
	a.load(8, rax, regAux, jit.CtxPktMeta)
	a.aluRR(aluCmp, true, rax, regTmp)
	j.enotsupp = append(j.enotsupp, a.jcc32(condA))
	a.movsxRR(32, true, r2, r2)
	a.aluRR(aluAdd, true, rax, r2)
	a.load(8, r2, regAux, jit.CtxPktHardStart)
	a.aluRI(aluAdd, true, r2, jit.AdjustFrameSize)
	a.aluRR(aluCmp, true, rax, r2)
	j.einval = append(j.einval, a.jcc32(condB))
	a.aluRR(aluCmp, true, rax, regTmp)
	j.einval = append(j.einval, a.jcc32(condA))
	a.movRR(true, r2, regTmp)
	a.aluRR(aluSub, true, r2, rax)
	a.testRI(false, r2, 3)
	j.eacces = append(j.eacces, a.jcc32(condNE))
	a.aluRI(aluCmp, true, r2, jit.AdjustMaxMeta)
	j.eacces = append(j.eacces, a.jcc32(condA))
	a.store(8, regAux, jit.CtxPktMeta, rax)
	a.load(8, r2, regAux, jit.CtxPktEnd)
	c.adjustSync(regTmp, r2, rax)
	a.aluRR(aluXor, false, rax, rax)
}

// adjustTail is bpf_xdp_adjust_tail(r1 = ctx, r2 = delta); growth
// zero-fills the new bytes with rep stosb (rdi = r1, rcx = r4, both dead).
//
//	    <ctx in r11; no packet: -EINVAL>
//	    movsxd r10, esi; mov rax, [r11+end]; add rax, r10  ; new end
//	    cmp rax, [r11+bufend]; ja einval
//	    mov rsi, [r11+data]; add rsi, 14; cmp rax, rsi; jb einval
//	    test r10, r10; jle set
//	    mov rdi, [r11+end]; mov rcx, r10; mov rsi, rax; xor eax, eax; rep stosb; mov rax, rsi
//	set: mov [r11+end], rax
//	    <block: data = [r11+data], data_end = rax, meta = [r11+meta]>; xor eax, eax
func (c *compiler) adjustTail(j *adjustJumps) {
	a := &c.a
	r2 := regs[2]
	c.adjustCtx(j)
	a.movsxRR(32, true, regTmp, r2)
	a.load(8, rax, regAux, jit.CtxPktEnd)
	a.aluRR(aluAdd, true, rax, regTmp)
	a.aluRM(aluCmp, true, rax, regAux, jit.CtxPktBufEnd)
	j.einval = append(j.einval, a.jcc32(condA))
	a.load(8, r2, regAux, jit.CtxPktData)
	a.aluRI(aluAdd, true, r2, jit.AdjustMinFrame)
	a.aluRR(aluCmp, true, rax, r2)
	j.einval = append(j.einval, a.jcc32(condB))
	a.testRR(true, regTmp, regTmp)
	set := a.jcc32(condLE)
	a.load(8, rdi, regAux, jit.CtxPktEnd)
	a.movRR(true, rcx, regTmp)
	a.movRR(true, r2, rax)
	a.aluRR(aluXor, false, rax, rax)
	a.byte1(0xf3, 0xaa) // rep stosb
	a.movRR(true, rax, r2)
	a.patch32(set, a.pos())
	a.store(8, regAux, jit.CtxPktEnd, rax)
	a.load(8, regTmp, regAux, jit.CtxPktData)
	a.load(8, r2, regAux, jit.CtxPktMeta)
	c.adjustSync(regTmp, rax, r2)
	a.aluRR(aluXor, false, rax, rax)
}
