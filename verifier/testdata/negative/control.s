# Control flow and termination: malformed encodings, bad jumps, falling
# off the end, unreachable code, infinite and unbounded loops, loops over
# the budget, and bpf-to-bpf calls (depth, stack, returned pointers).

=== jump past the end
@want jump out of range
	ja +5
	mov %r0, 0
	exit

=== jump before the start
@want jump out of range
	ja -3
	mov %r0, 0
	exit

=== conditional jump past the end
@want jump out of range
	mov %r0, 0
	jeq %r0, 0, +7
	exit

=== 32-bit conditional jump before the start
@want jump out of range
	mov %r0, 0
	jne32 %r0, 1, -5
	exit

=== gotol past the end
@want jump out of range
	ja32 +100
	mov %r0, 0
	exit

=== jump into the second slot of ld_imm64
@want middle of ldimm64
	ja +1
	lddw %r0, 0x100000001
	exit

=== conditional jump into the second slot of ld_imm64
@want middle of ldimm64
	mov %r0, 0
	jeq %r0, 0, +1
	lddw %r0, 5
	exit

=== backward jump into the second slot of ld_imm64
@want middle of ldimm64
	lddw %r0, 5
	jeq %r0, 5, -2
	exit

=== falls off the end after an instruction
@want last insn is not an exit or jmp
	mov %r0, 0

=== falls off the end after a conditional jump
@want last insn is not an exit or jmp
	mov %r0, 0
	jeq %r0, 1, -2

=== subprogram falls into the next one
@want last insn is not an exit or jmp
	call local f
	exit
f:
	mov %r0, 0
	call local g
g:
	mov %r0, 1
	exit

=== unreachable instruction after exit
@want unreachable insn
	mov %r0, 0
	exit
	mov %r0, 1
	exit

=== unreachable block skipped by an unconditional jump
@want unreachable insn
	mov %r0, 0
	ja +2
	mov %r0, 1
	mov %r0, 2
	exit

=== unreachable subprogram-like tail
@want unreachable insn
	mov %r0, 0
	exit
f:
	mov %r0, 1
	exit

=== empty program
@want no instructions

=== unknown opcode
@want unknown opcode
	raw 0xff 0 0 0 0
	mov %r0, 0
	exit

=== unknown ALU operation
@want unknown opcode
	raw 0xe7 0 0 0 0
	mov %r0, 0
	exit

=== register number 11
@want invalid register
	raw 0xb7 11 0 0 0
	mov %r0, 0
	exit

=== source register 12
@want invalid register
	raw 0xbf 0 12 0 0
	mov %r0, 0
	exit

=== ld_imm64 missing its second slot
@want missing second slot
	mov %r0, 0
	raw 0x18 0 0 0 0

=== ld_imm64 second slot with an opcode
@want reserved fields
	raw 0x18 0 0 0 0
	raw 0x07 0 0 0 0
	mov %r0, 0
	exit

=== ld_imm64 unknown pseudo source
@want pseudo source
	raw 0x18 1 3 0 0
	raw 0 0 0 0 0
	mov %r0, 0
	exit

=== legacy packet load ld_abs
@want legacy packet access
	raw 0x30 0 0 0 0
	mov %r0, 0
	exit

=== legacy packet load ld_ind
@want legacy packet access
	mov %r1, 0
	raw 0x50 0 1 0 0
	mov %r0, 0
	exit

=== kfunc call
@want kernel function
	raw 0x85 0 2 0 1
	mov %r0, 0
	exit

=== ALU with a nonzero offset
@want reserved fields
	raw 0x07 0 0 1 1
	mov %r0, 0
	exit

=== store immediate with a source register
@want reserved fields
	raw 0x7a 10 1 -8 0
	mov %r0, 0
	exit

=== load with a nonzero immediate
@want reserved fields
	raw 0x79 0 10 -8 1
	exit

=== exit with operands
@want reserved fields
	mov %r0, 0
	raw 0x95 0 0 0 1

=== shift by 64
@want invalid shift 64
	mov %r0, 1
	lsh %r0, 64
	exit

=== 32-bit shift by 32
@want invalid shift 32
	mov %r0, 1
	rsh32 %r0, 32
	exit

=== negative arithmetic shift
@want invalid shift
	mov %r0, 1
	arsh %r0, -1
	exit

=== division by constant zero
@want div by zero
	mov %r0, 1
	div %r0, 0
	exit

=== modulo by constant zero
@want div by zero
	mov %r0, 1
	mod32 %r0, 0
	exit

=== invalid 32-bit movsx width
@want invalid movsx offset
	raw 0xbc 0 1 32 0
	mov %r0, 0
	exit

=== atomic on a byte
@want invalid atomic operand size
	stdw [%r10-8], 0
	mov %r1, 1
	raw 0xd3 10 1 -8 0
	mov %r0, 0
	exit

=== unknown atomic operation
@want invalid atomic opcode
	stdw [%r10-8], 0
	mov %r1, 1
	raw 0xdb 10 1 -8 0x10
	mov %r0, 0
	exit

=== call to a local target out of range
@want out of range
	call local +10
	mov %r0, 0
	exit

=== infinite loop on one instruction
@want infinite loop detected
	mov %r0, 0
	ja -1

=== infinite loop through a conditional that never exits
@want infinite loop detected
	mov %r0, 0
l:
	mov %r1, 0
	jeq %r1, 0, l
	exit

=== infinite loop through a subprogram
@want infinite loop detected
	mov %r0, 0
l:
	call local f
	ja l
f:
	mov %r0, 0
	exit

=== loop counting the wrong way
@want too large
	mov %r1, 0
l:
	add %r1, -1
	jne %r1, 10, l
	mov %r0, 0
	exit

=== loop with an unknown bound
@maxproc 50000
@want too large
	call 7
	mov %r6, %r0
	mov %r1, 0
l:
	add %r1, 1
	jne %r1, %r6, l
	mov %r0, 0
	exit

=== loop over a map value bound
@maps hash
@maxproc 50000
@want too large
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxdw %r6, [%r0]
	mov %r1, 0
l:
	add %r1, 1
	jlt %r1, %r6, l
out:
	mov %r0, 0
	exit

=== bounded loop exceeding the instruction budget
@want too large
	mov %r1, 0
l:
	add %r1, 1
	jlt %r1, 2000000, l
	mov %r0, 0
	exit

=== nested loops exceeding the budget
@want too large
	mov %r1, 0
o:
	mov %r2, 0
i:
	add %r2, 1
	jlt %r2, 2000, i
	add %r1, 1
	jlt %r1, 2000, o
	mov %r0, 0
	exit

=== loop whose exit depends on a never-changing register
@want infinite loop detected
	ldxw %r6, [%r1+12]
	mov %r0, 0
l:
	add %r0, 0
	jne %r6, 7, l
	exit

=== unprivileged back edge
@unpriv
@want back-edge
	mov %r0, 0
l:
	add %r0, 1
	jlt %r0, 3, l
	exit

=== recursion
@want too deep
	call local f
	exit
f:
	call local f
	exit

=== mutual recursion
@want too deep
	call local f
	exit
f:
	call local g
	exit
g:
	call local f
	exit

=== calls 9 frames deep
@want too deep
	call local f1
	exit
f1:
	call local f2
	exit
f2:
	call local f3
	exit
f3:
	call local f4
	exit
f4:
	call local f5
	exit
f5:
	call local f6
	exit
f6:
	call local f7
	exit
f7:
	call local f8
	exit
f8:
	mov %r0, 0
	exit

=== combined stack of two frames over 512 bytes
@want combined stack size
	stdw [%r10-512], 0
	call local f
	exit
f:
	stdw [%r10-8], 0
	mov %r0, 0
	exit

=== combined stack of three frames over 512 bytes
@want combined stack size
	stdw [%r10-200], 0
	call local f
	exit
f:
	stdw [%r10-200], 0
	call local g
	exit
g:
	stdw [%r10-120], 0
	mov %r0, 0
	exit

=== combined stack counted on the deepest path only once over
@want combined stack size
	stdw [%r10-16], 0
	call local f
	call local g
	exit
f:
	stdw [%r10-496], 0
	mov %r0, 0
	exit
g:
	stdw [%r10-504], 0
	mov %r0, 0
	exit

=== callee returns a pointer to its stack
@want cannot return stack pointer
	call local f
	mov %r0, 0
	exit
f:
	mov %r0, %r10
	add %r0, -8
	exit

=== callee stores its stack pointer into the caller's stack
@want invalid mem access 'scalar'
	mov %r1, %r10
	add %r1, -8
	call local f
	ldxdw %r1, [%r10-8]
	ldxdw %r0, [%r1]
	exit
f:
	mov %r2, %r10
	add %r2, -16
	stdw [%r2], 0
	stxdw [%r1], %r2
	mov %r0, 0
	exit

=== main program returns a stack pointer
@kernel-skip bpfhost requires a scalar return value; privileged Linux accepts returning a pointer from XDP
@want R0 is not a known value
	mov %r0, %r10
	exit

=== main program returns the context
@kernel-skip bpfhost requires a scalar return value; privileged Linux accepts returning a pointer from XDP
@want R0 is not a known value
	mov %r0, %r1
	exit

=== callee reads past the caller's frame through a pointer
@want invalid read from stack
	mov %r1, %r10
	add %r1, -8
	call local f
	exit
f:
	ldxdw %r0, [%r1+8]
	exit

=== callee writes below the caller's pointer into its frame
@want invalid write to stack
	stdw [%r10-8], 0
	mov %r1, %r10
	add %r1, -512
	call local f
	mov %r0, 0
	exit
f:
	stdw [%r1-8], 0
	mov %r0, 0
	exit

=== unprivileged bpf-to-bpf call
@unpriv
@want allowed for CAP_BPF only
	call local f
	exit
f:
	mov %r0, 0
	exit

=== callx through a register
@want invalid func
	mov %r1, 0
	raw 0x8d 1 0 0 0
	mov %r0, 0
	exit

