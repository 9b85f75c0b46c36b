# Stack accesses: outside the 512-byte frame in each direction, with fixed
# and variable offsets, misaligned, unwritten bytes read by an unprivileged
# loader, and spilled pointers read or overwritten in part.

=== stack read at the frame pointer
@want invalid read from stack
	ldxdw %r0, [%r10]
	exit

=== stack byte read above the frame
@want invalid read from stack
	ldxb %r0, [%r10+8]
	exit

=== stack word read straddling the frame top
@want invalid read from stack
	ldxdw %r0, [%r10-4]
	exit

=== stack write at the frame pointer
@want invalid write to stack
	stdw [%r10], 0
	mov %r0, 0
	exit

=== stack register write above the frame
@want invalid write to stack
	mov %r1, 1
	stxw [%r10+4], %r1
	mov %r0, 0
	exit

=== stack read below the frame
@want invalid read from stack
	ldxdw %r0, [%r10-520]
	exit

=== stack byte write one below the frame
@want invalid write to stack
	stb [%r10-513], 0
	mov %r0, 0
	exit

=== stack read through a pointer moved below the frame
@want invalid read from stack
	mov %r2, %r10
	add %r2, -512
	ldxdw %r0, [%r2-8]
	exit

=== stack write through a pointer moved above the frame
@want invalid write to stack
	mov %r2, %r10
	add %r2, 8
	stdw [%r2], 0
	mov %r0, 0
	exit

=== stack misaligned 8-byte store
@want misaligned stack access
	stdw [%r10-12], 0
	mov %r0, 0
	exit

=== stack misaligned 4-byte load
@want misaligned stack access
	stw [%r10-8], 0
	ldxw %r0, [%r10-6]
	exit

=== stack misaligned 2-byte store
@want misaligned stack access
	sth [%r10-7], 0
	mov %r0, 0
	exit

=== stack misaligned access through a moved pointer
@want misaligned stack access
	mov %r2, %r10
	add %r2, -3
	sth [%r2-2], 0
	mov %r0, 0
	exit

=== stack variable offset unbounded
@want unbounded variable offset makes fp pointer
	call 7
	mov %r1, %r10
	add %r1, -16
	add %r1, %r0
	ldxb %r0, [%r1]
	exit

=== stack variable offset with a 10-bit bound reaching far below the frame
@want variable-offset write to stack
	call 7
	and %r0, 1023
	neg %r0
	mov %r1, %r10
	add %r1, -8
	add %r1, %r0
	stb [%r1], 0
	mov %r0, 0
	exit

=== stack variable offset bounded but reaching above the frame
@want invalid variable-offset read from stack
	call 7
	and %r0, 15
	mov %r1, %r10
	add %r1, -8
	add %r1, %r0
	ldxb %r0, [%r1]
	exit

=== stack variable offset bounded but reaching below the frame
@want invalid variable-offset read from stack
	call 7
	and %r0, 15
	neg %r0
	mov %r1, %r10
	add %r1, -504
	add %r1, %r0
	ldxb %r0, [%r1]
	exit

=== stack variable offset write then read of uninitialized bytes unprivileged
@unpriv
@want variable stack access prohibited
	call 7
	and %r0, 7
	mov %r1, %r10
	add %r1, -16
	add %r1, %r0
	stb [%r1], 0
	mov %r0, 0
	exit

=== stack unprivileged read of a never written slot
@unpriv
@want invalid read from stack
	ldxdw %r0, [%r10-16]
	exit

=== stack unprivileged read of a partly written slot
@unpriv
@want invalid read from stack
	stw [%r10-8], 0
	ldxdw %r0, [%r10-8]
	exit

=== stack unprivileged byte read next to a written byte
@unpriv
@want invalid read from stack
	stb [%r10-8], 1
	ldxb %r0, [%r10-7]
	exit

=== stack unprivileged read written on one path only
@unpriv
@want invalid read from stack
	ldxw %r2, [%r1+12]
	jeq %r2, 0, skip
	stdw [%r10-8], 1
skip:
	ldxdw %r0, [%r10-8]
	exit

=== stack unprivileged read of a callee's unwritten slot through a pointer
@unpriv
@want allowed for CAP_BPF only
	mov %r1, %r10
	add %r1, -8
	call local fn
	exit
fn:
	ldxdw %r0, [%r1]
	exit

=== stack unprivileged helper key from unwritten stack
@unpriv
@maps hash
@want invalid indirect read from stack
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -4
	call 1
	mov %r0, 0
	exit

=== stack unprivileged helper memory partly written
@unpriv
@maps ringbuf
@want invalid indirect read from stack
	stw [%r10-8], 0
	ldmap %r1, ringbuf
	mov %r2, %r10
	add %r2, -16
	mov %r3, 16
	mov %r4, 0
	call 130
	mov %r0, 0
	exit

=== stack unprivileged spilled pointer passed to a helper as bytes
@unpriv
@maps ringbuf
@want leaking pointer from stack
	stxdw [%r10-8], %r1
	ldmap %r1, ringbuf
	mov %r2, %r10
	add %r2, -8
	mov %r3, 8
	mov %r4, 0
	call 130
	mov %r0, 0
	exit

=== stack 4-byte fill of a spilled pointer
@want invalid size of register fill
	stxdw [%r10-16], %r10
	ldxw %r0, [%r10-16]
	exit

=== stack byte fill of a spilled ctx pointer at its high half
@want invalid size of register fill
	stxdw [%r10-8], %r1
	ldxb %r0, [%r10-4]
	exit

=== stack 4-byte spill of a pointer
@want invalid size of register spill
	stxw [%r10-8], %r10
	mov %r0, 0
	exit

=== stack 2-byte spill of a ctx pointer
@want invalid size of register spill
	stxh [%r10-8], %r1
	mov %r0, 0
	exit

=== stack spilled pointer with one byte overwritten is a scalar
@want invalid mem access 'scalar'
	stxdw [%r10-8], %r1
	stb [%r10-1], 0
	ldxdw %r1, [%r10-8]
	ldxw %r0, [%r1]
	exit

=== stack spilled pointer overwritten by a helper is a scalar
@maps queue
@want invalid mem access 'scalar'
	mov %r6, %r1
	stxdw [%r10-8], %r6
	ldmap %r1, queue
	mov %r2, %r10
	add %r2, -8
	call 88
	ldxdw %r1, [%r10-8]
	ldxw %r0, [%r1]
	exit

=== stack pointer subtraction of a constant via sub
@want subtraction from stack pointer
	mov %r2, %r10
	sub %r2, 16
	mov %r0, 0
	exit

=== stack frame pointer overwritten
@want frame pointer is read only
	mov %r10, %r1
	mov %r0, 0
	exit

=== stack frame pointer incremented
@want frame pointer is read only
	add %r10, -8
	mov %r0, 0
	exit

=== stack frame pointer written by a 32-bit move
@want frame pointer is read only
	mov32 %r10, 0
	mov %r0, 0
	exit

=== stack frame pointer loaded from the stack
@want frame pointer is read only
	stdw [%r10-8], 0
	ldxdw %r10, [%r10-8]
	mov %r0, 0
	exit

=== stack frame pointer negated
@want frame pointer is read only
	neg %r10
	mov %r0, 0
	exit

=== stack frame pointer byte swapped
@want frame pointer is read only
	be64 %r10
	mov %r0, 0
	exit

=== stack atomic fetch into the frame pointer
@want frame pointer is read only
	stdw [%r10-8], 0
	mov %r0, 0
	raw 0xdb 10 10 -8 1
	exit

=== stack atomic exchange into the frame pointer
@want frame pointer is read only
	stdw [%r10-8], 0
	raw 0xdb 10 10 -8 0xe1
	mov %r0, 0
	exit
