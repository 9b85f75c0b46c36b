package amd64

import (
	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/jit"
	"github.com/bpfhost/bpfhost/vm"
)

// loop compiles bpf_loop(r1 = nr_loops, r2 = callback, r3 = ctx, r4 =
// flags) as a native loop calling the subprogram cb (see jit.InlineLoop
// for the semantics), or with walk bpf_for_each_map_elem(r1 = map, r2 =
// callback, r3 = ctx, r4 = flags) over a constant array (jit.ArrayWalk).
// The count, ctx and i live on the native stack at [rsp+16], [rsp+8] and
// [rsp] while the loop runs; a walk keeps the map handle at [rsp+24] and
// the key (u32 i) at [rsp+32].
//
//	    test rcx, rcx; jne einval
//	    cmp rbp, [r12+stacklimit]; jb goroute
//	    mov edi, edi; cmp rdi, 1<<23; ja e2big
//	    test rdi, rdi; je zero
//	    push rdi; push rdx; xor r11d, r11d; push r11
//	top: mov rdi, [rsp]; mov rsi, [rsp+8]; xor edx, edx; xor ecx, ecx; xor r8d, r8d
//	    push r6-r10; zero r0, r6-r9; sub rbp, 512; call cb; pop r10-r6
//	    mov r11, [rsp]; inc r11; mov [rsp], r11
//	    test rax, rax; jne stop
//	    cmp r11, [rsp+16]; jae stop
//	    dec r9; je preempt(top); jmp top
//	stop: mov rax, r11; add rsp, 24; jmp end
//	zero: xor eax, eax; jmp end
//	einval: mov rax, -EINVAL; jmp end
//	e2big: mov rax, -E2BIG; jmp end
//	goroute: <exit to the Go helper>
//	end:
func (c *compiler) loop(pc, cb int, walk *jit.ArrayWalk) {
	a := &c.a
	r1, r2, r3, r4, r5 := regs[1], regs[2], regs[3], regs[4], regs[5]
	a.testRR(true, r4, r4)
	einval := a.jcc32(condNE)
	a.aluRM(aluCmp, true, rbp, regFrame, jit.OffStackLimit)
	goRoute := a.jcc32(condB)
	big, zero, frame := -1, -1, int32(24)
	if walk == nil {
		a.movRR(false, r1, r1)
		a.aluRI(aluCmp, true, r1, jit.LoopMaxIterations)
		big = a.jcc32(condA)
		a.testRR(true, r1, r1)
		zero = a.jcc32(condE)
		a.push(r1)
	} else {
		frame = 40
		a.aluRR(aluXor, false, regAux, regAux)
		a.push(regAux) // key
		a.push(r1)     // map handle
		a.movRI32(regAux, walk.N)
		a.push(regAux) // count
	}
	a.push(r3)
	a.aluRR(aluXor, false, regAux, regAux)
	a.push(regAux)

	top := c.newLabel()
	c.place(top)
	topPos := a.pos()
	if walk == nil {
		a.load(8, r1, rsp, 0)
		a.load(8, r2, rsp, 8)
		a.aluRR(aluXor, false, r3, r3)
		a.aluRR(aluXor, false, r4, r4)
	} else {
		// r1 = map, r2 = &key, r3 = base + i*elem, r4 = ctx
		a.load(8, r3, rsp, 0)
		a.store(8, rsp, 32, r3)
		a.load(8, r1, rsp, 24)
		a.lea(r2, rsp, 32)
		if walk.Elem&(walk.Elem-1) == 0 {
			n := uint8(0)
			for 1<<n < walk.Elem {
				n++
			}
			if n > 0 {
				a.shiftRI(shShl, true, r3, n)
			}
		} else {
			a.imulRRI(true, r3, r3, int32(walk.Elem))
		}
		a.movabs(regTmp, walk.Base)
		a.aluRR(aluAdd, true, r3, regTmp)
		a.load(8, r4, rsp, 8)
	}
	a.aluRR(aluXor, false, r5, r5)
	saved := []reg{rbx, r13, r14, r15, rbp}
	for _, r := range saved {
		a.push(r)
	}
	// The callback starts with r0 and r6-r9 zero, as through ctx.Call.
	for _, r := range []reg{rax, rbx, r13, r14, r15} {
		a.aluRR(aluXor, false, r, r)
	}
	a.aluRI(aluSub, true, rbp, vm.StackSize)
	c.fix(a.call32(), label(cb))
	for i := len(saved) - 1; i >= 0; i-- {
		a.pop(saved[i])
	}
	a.load(8, regAux, rsp, 0)
	a.aluRI(aluAdd, true, regAux, 1)
	a.store(8, rsp, 0, regAux)
	a.testRR(true, rax, rax)
	stop1 := a.jcc32(condNE)
	a.aluRM(aluCmp, true, regAux, rsp, 16)
	stop2 := a.jcc32(condAE)
	// One back-edge against the preemption budget; a preemption exit
	// resumes at top with the loop state on the native stack.
	a.decR(regBudget)
	pre := c.newLabel()
	c.stubs = append(c.stubs, stub{l: pre, exit: jit.ExitPreempt, resumeTo: top})
	e := condE
	c.br(&e, pre)
	back := a.jmp32()
	a.patch32(back, topPos)

	a.patch32(stop1, a.pos())
	a.patch32(stop2, a.pos())
	a.movRR(true, rax, regAux)
	a.aluRI(aluAdd, true, rsp, frame)
	var ends []int
	ends = append(ends, a.jmp32())
	if walk == nil {
		a.patch32(zero, a.pos())
		a.aluRR(aluXor, false, rax, rax)
		ends = append(ends, a.jmp32())
	}
	a.patch32(einval, a.pos())
	a.movRIsx(rax, jit.LoopEINVAL)
	ends = append(ends, a.jmp32())
	num := int32(helpers.FnForEachMapElem)
	if walk == nil {
		a.patch32(big, a.pos())
		a.movRIsx(rax, jit.LoopE2BIG)
		ends = append(ends, a.jmp32())
		num = helpers.FnLoop
	}
	a.patch32(goRoute, a.pos())
	a.storeImm(8, regFrame, jit.OffArg, num)
	c.helperExit(pc)
	for _, p := range ends {
		a.patch32(p, a.pos())
	}
}
