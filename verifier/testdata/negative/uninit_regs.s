# Reads of uninitialized registers: every register a program can read
# before writing it (r0 and r2-r9 at entry), in every kind of use.

=== uninitialized r0 as 64-bit mov source
@want R0 !read_ok
	mov %r6, %r0
	mov %r0, 0
	exit

=== uninitialized r0 as 32-bit mov source
@want R0 !read_ok
	mov32 %r6, %r0
	mov %r0, 0
	exit

=== uninitialized r0 as 64-bit add source
@want R0 !read_ok
	mov %r6, 1
	add %r6, %r0
	mov %r0, 0
	exit

=== uninitialized r0 as 32-bit xor source
@want R0 !read_ok
	mov %r6, 1
	xor32 %r6, %r0
	mov %r0, 0
	exit

=== uninitialized r0 as 64-bit add destination
@want R0 !read_ok
	add %r0, 1
	mov %r0, 0
	exit

=== uninitialized r0 as 32-bit and destination
@want R0 !read_ok
	and32 %r0, 1
	mov %r0, 0
	exit

=== uninitialized r0 negated
@want R0 !read_ok
	neg %r0
	mov %r0, 0
	exit

=== uninitialized r0 byte swapped
@want R0 !read_ok
	be16 %r0
	mov %r0, 0
	exit

=== uninitialized r0 as jump operand
@want R0 !read_ok
	jeq %r0, 0, +0
	mov %r0, 0
	exit

=== uninitialized r0 as 32-bit jump operand
@want R0 !read_ok
	jset32 %r0, 1, +0
	mov %r0, 0
	exit

=== uninitialized r0 as jump source operand
@want R0 !read_ok
	mov %r6, 0
	jgt %r6, %r0, +0
	mov %r0, 0
	exit

=== uninitialized r0 as stored value
@want R0 !read_ok
	stxdw [%r10-8], %r0
	mov %r0, 0
	exit

=== uninitialized r0 as load base
@want R0 !read_ok
	ldxdw %r6, [%r0]
	mov %r0, 0
	exit

=== uninitialized r0 as store base
@want R0 !read_ok
	stdw [%r0], 0
	mov %r0, 0
	exit

=== uninitialized r0 as atomic operand
@want R0 !read_ok
	stdw [%r10-8], 0
	lock add [%r10-8], %r0
	mov %r0, 0
	exit

=== uninitialized r2 as 64-bit mov source
@want R2 !read_ok
	mov %r6, %r2
	mov %r0, 0
	exit

=== uninitialized r2 as 32-bit mov source
@want R2 !read_ok
	mov32 %r6, %r2
	mov %r0, 0
	exit

=== uninitialized r2 as 64-bit add source
@want R2 !read_ok
	mov %r6, 1
	add %r6, %r2
	mov %r0, 0
	exit

=== uninitialized r2 as 32-bit xor source
@want R2 !read_ok
	mov %r6, 1
	xor32 %r6, %r2
	mov %r0, 0
	exit

=== uninitialized r2 as 64-bit add destination
@want R2 !read_ok
	add %r2, 1
	mov %r0, 0
	exit

=== uninitialized r2 as 32-bit and destination
@want R2 !read_ok
	and32 %r2, 1
	mov %r0, 0
	exit

=== uninitialized r2 negated
@want R2 !read_ok
	neg %r2
	mov %r0, 0
	exit

=== uninitialized r2 byte swapped
@want R2 !read_ok
	be16 %r2
	mov %r0, 0
	exit

=== uninitialized r2 as jump operand
@want R2 !read_ok
	jeq %r2, 0, +0
	mov %r0, 0
	exit

=== uninitialized r2 as 32-bit jump operand
@want R2 !read_ok
	jset32 %r2, 1, +0
	mov %r0, 0
	exit

=== uninitialized r2 as jump source operand
@want R2 !read_ok
	mov %r6, 0
	jgt %r6, %r2, +0
	mov %r0, 0
	exit

=== uninitialized r2 as stored value
@want R2 !read_ok
	stxdw [%r10-8], %r2
	mov %r0, 0
	exit

=== uninitialized r2 as load base
@want R2 !read_ok
	ldxdw %r6, [%r2]
	mov %r0, 0
	exit

=== uninitialized r2 as store base
@want R2 !read_ok
	stdw [%r2], 0
	mov %r0, 0
	exit

=== uninitialized r2 as atomic operand
@want R2 !read_ok
	stdw [%r10-8], 0
	lock add [%r10-8], %r2
	mov %r0, 0
	exit

=== uninitialized r3 as 64-bit mov source
@want R3 !read_ok
	mov %r6, %r3
	mov %r0, 0
	exit

=== uninitialized r3 as 32-bit mov source
@want R3 !read_ok
	mov32 %r6, %r3
	mov %r0, 0
	exit

=== uninitialized r3 as 64-bit add source
@want R3 !read_ok
	mov %r6, 1
	add %r6, %r3
	mov %r0, 0
	exit

=== uninitialized r3 as 32-bit xor source
@want R3 !read_ok
	mov %r6, 1
	xor32 %r6, %r3
	mov %r0, 0
	exit

=== uninitialized r3 as 64-bit add destination
@want R3 !read_ok
	add %r3, 1
	mov %r0, 0
	exit

=== uninitialized r3 as 32-bit and destination
@want R3 !read_ok
	and32 %r3, 1
	mov %r0, 0
	exit

=== uninitialized r3 negated
@want R3 !read_ok
	neg %r3
	mov %r0, 0
	exit

=== uninitialized r3 byte swapped
@want R3 !read_ok
	be16 %r3
	mov %r0, 0
	exit

=== uninitialized r3 as jump operand
@want R3 !read_ok
	jeq %r3, 0, +0
	mov %r0, 0
	exit

=== uninitialized r3 as 32-bit jump operand
@want R3 !read_ok
	jset32 %r3, 1, +0
	mov %r0, 0
	exit

=== uninitialized r3 as jump source operand
@want R3 !read_ok
	mov %r6, 0
	jgt %r6, %r3, +0
	mov %r0, 0
	exit

=== uninitialized r3 as stored value
@want R3 !read_ok
	stxdw [%r10-8], %r3
	mov %r0, 0
	exit

=== uninitialized r3 as load base
@want R3 !read_ok
	ldxdw %r6, [%r3]
	mov %r0, 0
	exit

=== uninitialized r3 as store base
@want R3 !read_ok
	stdw [%r3], 0
	mov %r0, 0
	exit

=== uninitialized r3 as atomic operand
@want R3 !read_ok
	stdw [%r10-8], 0
	lock add [%r10-8], %r3
	mov %r0, 0
	exit

=== uninitialized r4 as 64-bit mov source
@want R4 !read_ok
	mov %r6, %r4
	mov %r0, 0
	exit

=== uninitialized r4 as 32-bit mov source
@want R4 !read_ok
	mov32 %r6, %r4
	mov %r0, 0
	exit

=== uninitialized r4 as 64-bit add source
@want R4 !read_ok
	mov %r6, 1
	add %r6, %r4
	mov %r0, 0
	exit

=== uninitialized r4 as 32-bit xor source
@want R4 !read_ok
	mov %r6, 1
	xor32 %r6, %r4
	mov %r0, 0
	exit

=== uninitialized r4 as 64-bit add destination
@want R4 !read_ok
	add %r4, 1
	mov %r0, 0
	exit

=== uninitialized r4 as 32-bit and destination
@want R4 !read_ok
	and32 %r4, 1
	mov %r0, 0
	exit

=== uninitialized r4 negated
@want R4 !read_ok
	neg %r4
	mov %r0, 0
	exit

=== uninitialized r4 byte swapped
@want R4 !read_ok
	be16 %r4
	mov %r0, 0
	exit

=== uninitialized r4 as jump operand
@want R4 !read_ok
	jeq %r4, 0, +0
	mov %r0, 0
	exit

=== uninitialized r4 as 32-bit jump operand
@want R4 !read_ok
	jset32 %r4, 1, +0
	mov %r0, 0
	exit

=== uninitialized r4 as jump source operand
@want R4 !read_ok
	mov %r6, 0
	jgt %r6, %r4, +0
	mov %r0, 0
	exit

=== uninitialized r4 as stored value
@want R4 !read_ok
	stxdw [%r10-8], %r4
	mov %r0, 0
	exit

=== uninitialized r4 as load base
@want R4 !read_ok
	ldxdw %r6, [%r4]
	mov %r0, 0
	exit

=== uninitialized r4 as store base
@want R4 !read_ok
	stdw [%r4], 0
	mov %r0, 0
	exit

=== uninitialized r4 as atomic operand
@want R4 !read_ok
	stdw [%r10-8], 0
	lock add [%r10-8], %r4
	mov %r0, 0
	exit

=== uninitialized r5 as 64-bit mov source
@want R5 !read_ok
	mov %r6, %r5
	mov %r0, 0
	exit

=== uninitialized r5 as 32-bit mov source
@want R5 !read_ok
	mov32 %r6, %r5
	mov %r0, 0
	exit

=== uninitialized r5 as 64-bit add source
@want R5 !read_ok
	mov %r6, 1
	add %r6, %r5
	mov %r0, 0
	exit

=== uninitialized r5 as 32-bit xor source
@want R5 !read_ok
	mov %r6, 1
	xor32 %r6, %r5
	mov %r0, 0
	exit

=== uninitialized r5 as 64-bit add destination
@want R5 !read_ok
	add %r5, 1
	mov %r0, 0
	exit

=== uninitialized r5 as 32-bit and destination
@want R5 !read_ok
	and32 %r5, 1
	mov %r0, 0
	exit

=== uninitialized r5 negated
@want R5 !read_ok
	neg %r5
	mov %r0, 0
	exit

=== uninitialized r5 byte swapped
@want R5 !read_ok
	be16 %r5
	mov %r0, 0
	exit

=== uninitialized r5 as jump operand
@want R5 !read_ok
	jeq %r5, 0, +0
	mov %r0, 0
	exit

=== uninitialized r5 as 32-bit jump operand
@want R5 !read_ok
	jset32 %r5, 1, +0
	mov %r0, 0
	exit

=== uninitialized r5 as jump source operand
@want R5 !read_ok
	mov %r6, 0
	jgt %r6, %r5, +0
	mov %r0, 0
	exit

=== uninitialized r5 as stored value
@want R5 !read_ok
	stxdw [%r10-8], %r5
	mov %r0, 0
	exit

=== uninitialized r5 as load base
@want R5 !read_ok
	ldxdw %r6, [%r5]
	mov %r0, 0
	exit

=== uninitialized r5 as store base
@want R5 !read_ok
	stdw [%r5], 0
	mov %r0, 0
	exit

=== uninitialized r5 as atomic operand
@want R5 !read_ok
	stdw [%r10-8], 0
	lock add [%r10-8], %r5
	mov %r0, 0
	exit

=== uninitialized r6 as 64-bit mov source
@want R6 !read_ok
	mov %r7, %r6
	mov %r0, 0
	exit

=== uninitialized r6 as 32-bit mov source
@want R6 !read_ok
	mov32 %r7, %r6
	mov %r0, 0
	exit

=== uninitialized r6 as 64-bit add source
@want R6 !read_ok
	mov %r7, 1
	add %r7, %r6
	mov %r0, 0
	exit

=== uninitialized r6 as 32-bit xor source
@want R6 !read_ok
	mov %r7, 1
	xor32 %r7, %r6
	mov %r0, 0
	exit

=== uninitialized r6 as 64-bit add destination
@want R6 !read_ok
	add %r6, 1
	mov %r0, 0
	exit

=== uninitialized r6 as 32-bit and destination
@want R6 !read_ok
	and32 %r6, 1
	mov %r0, 0
	exit

=== uninitialized r6 negated
@want R6 !read_ok
	neg %r6
	mov %r0, 0
	exit

=== uninitialized r6 byte swapped
@want R6 !read_ok
	be16 %r6
	mov %r0, 0
	exit

=== uninitialized r6 as jump operand
@want R6 !read_ok
	jeq %r6, 0, +0
	mov %r0, 0
	exit

=== uninitialized r6 as 32-bit jump operand
@want R6 !read_ok
	jset32 %r6, 1, +0
	mov %r0, 0
	exit

=== uninitialized r6 as jump source operand
@want R6 !read_ok
	mov %r7, 0
	jgt %r7, %r6, +0
	mov %r0, 0
	exit

=== uninitialized r6 as stored value
@want R6 !read_ok
	stxdw [%r10-8], %r6
	mov %r0, 0
	exit

=== uninitialized r6 as load base
@want R6 !read_ok
	ldxdw %r7, [%r6]
	mov %r0, 0
	exit

=== uninitialized r6 as store base
@want R6 !read_ok
	stdw [%r6], 0
	mov %r0, 0
	exit

=== uninitialized r6 as atomic operand
@want R6 !read_ok
	stdw [%r10-8], 0
	lock add [%r10-8], %r6
	mov %r0, 0
	exit

=== uninitialized r7 as 64-bit mov source
@want R7 !read_ok
	mov %r6, %r7
	mov %r0, 0
	exit

=== uninitialized r7 as 32-bit mov source
@want R7 !read_ok
	mov32 %r6, %r7
	mov %r0, 0
	exit

=== uninitialized r7 as 64-bit add source
@want R7 !read_ok
	mov %r6, 1
	add %r6, %r7
	mov %r0, 0
	exit

=== uninitialized r7 as 32-bit xor source
@want R7 !read_ok
	mov %r6, 1
	xor32 %r6, %r7
	mov %r0, 0
	exit

=== uninitialized r7 as 64-bit add destination
@want R7 !read_ok
	add %r7, 1
	mov %r0, 0
	exit

=== uninitialized r7 as 32-bit and destination
@want R7 !read_ok
	and32 %r7, 1
	mov %r0, 0
	exit

=== uninitialized r7 negated
@want R7 !read_ok
	neg %r7
	mov %r0, 0
	exit

=== uninitialized r7 byte swapped
@want R7 !read_ok
	be16 %r7
	mov %r0, 0
	exit

=== uninitialized r7 as jump operand
@want R7 !read_ok
	jeq %r7, 0, +0
	mov %r0, 0
	exit

=== uninitialized r7 as 32-bit jump operand
@want R7 !read_ok
	jset32 %r7, 1, +0
	mov %r0, 0
	exit

=== uninitialized r7 as jump source operand
@want R7 !read_ok
	mov %r6, 0
	jgt %r6, %r7, +0
	mov %r0, 0
	exit

=== uninitialized r7 as stored value
@want R7 !read_ok
	stxdw [%r10-8], %r7
	mov %r0, 0
	exit

=== uninitialized r7 as load base
@want R7 !read_ok
	ldxdw %r6, [%r7]
	mov %r0, 0
	exit

=== uninitialized r7 as store base
@want R7 !read_ok
	stdw [%r7], 0
	mov %r0, 0
	exit

=== uninitialized r7 as atomic operand
@want R7 !read_ok
	stdw [%r10-8], 0
	lock add [%r10-8], %r7
	mov %r0, 0
	exit

=== uninitialized r8 as 64-bit mov source
@want R8 !read_ok
	mov %r6, %r8
	mov %r0, 0
	exit

=== uninitialized r8 as 32-bit mov source
@want R8 !read_ok
	mov32 %r6, %r8
	mov %r0, 0
	exit

=== uninitialized r8 as 64-bit add source
@want R8 !read_ok
	mov %r6, 1
	add %r6, %r8
	mov %r0, 0
	exit

=== uninitialized r8 as 32-bit xor source
@want R8 !read_ok
	mov %r6, 1
	xor32 %r6, %r8
	mov %r0, 0
	exit

=== uninitialized r8 as 64-bit add destination
@want R8 !read_ok
	add %r8, 1
	mov %r0, 0
	exit

=== uninitialized r8 as 32-bit and destination
@want R8 !read_ok
	and32 %r8, 1
	mov %r0, 0
	exit

=== uninitialized r8 negated
@want R8 !read_ok
	neg %r8
	mov %r0, 0
	exit

=== uninitialized r8 byte swapped
@want R8 !read_ok
	be16 %r8
	mov %r0, 0
	exit

=== uninitialized r8 as jump operand
@want R8 !read_ok
	jeq %r8, 0, +0
	mov %r0, 0
	exit

=== uninitialized r8 as 32-bit jump operand
@want R8 !read_ok
	jset32 %r8, 1, +0
	mov %r0, 0
	exit

=== uninitialized r8 as jump source operand
@want R8 !read_ok
	mov %r6, 0
	jgt %r6, %r8, +0
	mov %r0, 0
	exit

=== uninitialized r8 as stored value
@want R8 !read_ok
	stxdw [%r10-8], %r8
	mov %r0, 0
	exit

=== uninitialized r8 as load base
@want R8 !read_ok
	ldxdw %r6, [%r8]
	mov %r0, 0
	exit

=== uninitialized r8 as store base
@want R8 !read_ok
	stdw [%r8], 0
	mov %r0, 0
	exit

=== uninitialized r8 as atomic operand
@want R8 !read_ok
	stdw [%r10-8], 0
	lock add [%r10-8], %r8
	mov %r0, 0
	exit

=== uninitialized r9 as 64-bit mov source
@want R9 !read_ok
	mov %r6, %r9
	mov %r0, 0
	exit

=== uninitialized r9 as 32-bit mov source
@want R9 !read_ok
	mov32 %r6, %r9
	mov %r0, 0
	exit

=== uninitialized r9 as 64-bit add source
@want R9 !read_ok
	mov %r6, 1
	add %r6, %r9
	mov %r0, 0
	exit

=== uninitialized r9 as 32-bit xor source
@want R9 !read_ok
	mov %r6, 1
	xor32 %r6, %r9
	mov %r0, 0
	exit

=== uninitialized r9 as 64-bit add destination
@want R9 !read_ok
	add %r9, 1
	mov %r0, 0
	exit

=== uninitialized r9 as 32-bit and destination
@want R9 !read_ok
	and32 %r9, 1
	mov %r0, 0
	exit

=== uninitialized r9 negated
@want R9 !read_ok
	neg %r9
	mov %r0, 0
	exit

=== uninitialized r9 byte swapped
@want R9 !read_ok
	be16 %r9
	mov %r0, 0
	exit

=== uninitialized r9 as jump operand
@want R9 !read_ok
	jeq %r9, 0, +0
	mov %r0, 0
	exit

=== uninitialized r9 as 32-bit jump operand
@want R9 !read_ok
	jset32 %r9, 1, +0
	mov %r0, 0
	exit

=== uninitialized r9 as jump source operand
@want R9 !read_ok
	mov %r6, 0
	jgt %r6, %r9, +0
	mov %r0, 0
	exit

=== uninitialized r9 as stored value
@want R9 !read_ok
	stxdw [%r10-8], %r9
	mov %r0, 0
	exit

=== uninitialized r9 as load base
@want R9 !read_ok
	ldxdw %r6, [%r9]
	mov %r0, 0
	exit

=== uninitialized r9 as store base
@want R9 !read_ok
	stdw [%r9], 0
	mov %r0, 0
	exit

=== uninitialized r9 as atomic operand
@want R9 !read_ok
	stdw [%r10-8], 0
	lock add [%r10-8], %r9
	mov %r0, 0
	exit

=== uninitialized r0 at exit
@want R0 !read_ok
	exit

=== r0 uninitialized on one path at exit
@want R0 !read_ok
	ldxw %r2, [%r1+12]
	jeq %r2, 0, skip
	mov %r0, 1
skip:
	exit

=== uninitialized r2 as lookup key argument
@maps hash
@want R2 !read_ok
	ldmap %r1, hash
	call 1
	mov %r0, 0
	exit

=== uninitialized r3 as update value argument
@maps hash
@want R3 !read_ok
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 2
	mov %r0, 0
	exit

=== uninitialized r4 as update flags argument
@maps hash
@want R4 !read_ok
	stdw [%r10-8], 0
	stdw [%r10-16], 0
	stdw [%r10-24], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	mov %r3, %r10
	add %r3, -24
	call 2
	mov %r0, 0
	exit

=== uninitialized r5 as perf_event_output size
@maps perfarray
@want R5 !read_ok
	stdw [%r10-8], 0
	ldmap %r2, perfarray
	mov %r3, 0
	mov %r4, %r10
	add %r4, -8
	call 25
	mov %r0, 0
	exit

=== uninitialized r1 as helper map argument after call
@want R1 !read_ok
	call 5
	stw [%r10-8], 0
	mov %r2, %r10
	add %r2, -8
	call 1
	mov %r0, 0
	exit

=== r1 read after a helper call clobbered it
@want R1 !read_ok
	mov %r6, %r1
	call 7
	mov %r0, %r1
	exit

=== r2 read after a helper call clobbered it
@want R2 !read_ok
	mov %r2, 1
	call 7
	mov %r0, %r2
	exit

=== r3 read after a helper call clobbered it
@want R3 !read_ok
	mov %r3, 1
	call 7
	mov %r0, %r3
	exit

=== r4 read after a helper call clobbered it
@want R4 !read_ok
	mov %r4, 1
	call 7
	mov %r0, %r4
	exit

=== r5 read after a helper call clobbered it
@want R5 !read_ok
	mov %r5, 1
	call 7
	mov %r0, %r5
	exit

=== caller r1 read after a bpf-to-bpf call
@want R1 !read_ok
	mov %r1, 1
	call local fn
	mov %r0, %r1
	exit
fn:
	mov %r0, 0
	exit

=== caller r2 read after a bpf-to-bpf call
@want R2 !read_ok
	mov %r2, 1
	call local fn
	mov %r0, %r2
	exit
fn:
	mov %r0, 0
	exit

=== caller r3 read after a bpf-to-bpf call
@want R3 !read_ok
	mov %r3, 1
	call local fn
	mov %r0, %r3
	exit
fn:
	mov %r0, 0
	exit

=== caller r4 read after a bpf-to-bpf call
@want R4 !read_ok
	mov %r4, 1
	call local fn
	mov %r0, %r4
	exit
fn:
	mov %r0, 0
	exit

=== caller r5 read after a bpf-to-bpf call
@want R5 !read_ok
	mov %r5, 1
	call local fn
	mov %r0, %r5
	exit
fn:
	mov %r0, 0
	exit

=== callee reads caller's r6
@want R6 !read_ok
	mov %r6, 1
	call local fn
	exit
fn:
	mov %r0, %r6
	exit

=== callee reads caller's r7
@want R7 !read_ok
	mov %r7, 1
	call local fn
	exit
fn:
	mov %r0, %r7
	exit

=== callee reads caller's r8
@want R8 !read_ok
	mov %r8, 1
	call local fn
	exit
fn:
	mov %r0, %r8
	exit

=== callee reads caller's r9
@want R9 !read_ok
	mov %r9, 1
	call local fn
	exit
fn:
	mov %r0, %r9
	exit

=== callee returns without setting r0
@want R0 !read_ok
	call local fn
	exit
fn:
	mov %r1, 0
	exit

=== callback reads uninitialized r6
@want R6 !read_ok
	mov %r1, 4
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 181
	mov %r0, 0
	exit
cb:
	mov %r0, %r6
	exit

=== callback reads r3, which bpf_loop does not pass
@want R3 !read_ok
	mov %r1, 4
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 181
	mov %r0, 0
	exit
cb:
	mov %r0, %r3
	exit
