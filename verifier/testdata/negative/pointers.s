# Pointer rules: forbidden arithmetic (map handles, variable context
# offsets, pointer with pointer, bitwise and 32-bit operations), pointer
# leaks (into maps, through helpers, as return values for unprivileged
# loaders), comparisons of pointers, and acquired references (ring buffer
# records) leaked, released twice or used after release; spin locks and
# callbacks misused; tail calls with references or locks held.

=== add to a map handle
@maps hash
@want pointer arithmetic on map_ptr
	ldmap %r1, hash
	add %r1, 8
	mov %r0, 0
	exit

=== subtract from a map handle
@maps hash
@want pointer arithmetic on map_ptr
	ldmap %r1, hash
	sub %r1, 8
	mov %r0, 0
	exit

=== register added to a map handle
@maps hash
@want pointer arithmetic on map_ptr
	ldmap %r1, hash
	mov %r2, 8
	add %r1, %r2
	mov %r0, 0
	exit

=== map handle added to a scalar
@maps hash
@want pointer arithmetic on map_ptr
	ldmap %r2, hash
	mov %r1, 8
	add %r1, %r2
	mov %r0, 0
	exit

=== arithmetic on a maybe-null map value
@maps hash
@want null-check it first
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	add %r0, 8
	mov %r0, 0
	exit

=== arithmetic on a maybe-null ringbuf record
@maps ringbuf
@want null-check it first
	ldmap %r1, ringbuf
	mov %r2, 8
	mov %r3, 0
	call 131
	add %r0, 8
	mov %r0, 0
	exit

=== arithmetic on a maybe-null inner map
@maps mapofmaps
@want pointer arithmetic on map_ptr_or_null
	stw [%r10-8], 0
	ldmap %r1, mapofmaps
	mov %r2, %r10
	add %r2, -8
	call 1
	add %r0, 8
	mov %r0, 0
	exit

=== arithmetic on a non-null inner map
@maps mapofmaps
@want pointer arithmetic on map_ptr
	stw [%r10-8], 0
	ldmap %r1, mapofmaps
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	add %r0, 8
out:
	mov %r0, 0
	exit

=== variable offset added to the context then loaded
@want dereference of modified ctx ptr
	ldxw %r2, [%r1+12]
	and %r2, 4
	add %r1, %r2
	ldxw %r0, [%r1]
	exit

=== context pointer plus context pointer
@want pointer += pointer prohibited
	mov %r2, %r1
	add %r2, %r1
	mov %r0, 0
	exit

=== stack pointer plus stack pointer
@want pointer += pointer prohibited
	mov %r2, %r10
	add %r2, %r10
	mov %r0, 0
	exit

=== packet pointer plus packet pointer
@want pointer += pointer prohibited
	ldxw %r2, [%r1]
	ldxw %r3, [%r1]
	add %r2, %r3
	mov %r0, 0
	exit

=== map value pointer plus stack pointer
@maps hash
@want pointer += pointer prohibited
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	add %r0, %r10
out:
	mov %r0, 0
	exit

=== multiply a pointer by a constant
@want pointer arithmetic with *= operator
	mov %r2, %r10
	mul %r2, 2
	mov %r0, 0
	exit

=== divide a pointer
@want pointer arithmetic with /= operator
	mov %r2, %r1
	div %r2, 2
	mov %r0, 0
	exit

=== multiply a scalar by a pointer
@want pointer arithmetic with *= operator
	mov %r2, 3
	mul %r2, %r10
	mov %r0, 0
	exit

=== shift a pointer
@want pointer arithmetic with <<= operator
	mov %r2, %r10
	lsh %r2, 1
	mov %r0, 0
	exit

=== modulo of a pointer
@want pointer arithmetic with %= operator
	mov %r2, %r10
	mod %r2, 7
	mov %r0, 0
	exit

=== unprivileged negate a pointer
@unpriv
@want pointer arithmetic
	mov %r2, %r10
	neg %r2
	mov %r0, 0
	exit

=== unprivileged byte swap a pointer
@unpriv
@want pointer
	mov %r2, %r10
	be64 %r2
	mov %r0, 0
	exit

=== or on a pointer
@want bitwise operator |= on pointer
	mov %r2, %r10
	or %r2, 1
	mov %r0, 0
	exit

=== and of a map value pointer
@maps hash
@want bitwise operator &= on pointer
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	and %r0, -8
out:
	mov %r0, 0
	exit

=== xor of two pointers
@want pointer ^= pointer prohibited
	mov %r2, %r10
	xor %r2, %r1
	mov %r0, 0
	exit

=== 32-bit add on a context pointer
@want 32-bit pointer arithmetic
	add32 %r1, 4
	mov %r0, 0
	exit

=== 32-bit move of a stack pointer then used
@want invalid mem access 'scalar'
	mov32 %r2, %r10
	ldxdw %r0, [%r2-8]
	exit

=== unprivileged 32-bit sub on a map value pointer
@maps hash
@unpriv
@want 32-bit pointer arithmetic
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	sub32 %r0, 1
out:
	mov %r0, 0
	exit

=== 32-bit add of a pointer to a scalar
@want 32-bit pointer arithmetic
	mov %r2, 1
	add32 %r2, %r10
	mov %r0, 0
	exit

=== sign-extending move of a pointer then used
@want invalid mem access 'scalar'
	movsx3264 %r2, %r1
	ldxw %r0, [%r2]
	exit

=== pointer minus a pointer of another region then used
@want invalid mem access 'scalar'
	mov %r2, %r10
	sub %r2, %r1
	ldxb %r0, [%r2]
	exit

=== unprivileged pointer stored into a map value
@maps hash
@unpriv
@want leaks addr
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	stxdw [%r0], %r10
out:
	mov %r0, 0
	exit

=== unprivileged context pointer stored into a map value
@maps hash
@unpriv
@want leaks addr
	mov %r6, %r1
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	stxdw [%r0+8], %r6
out:
	mov %r0, 0
	exit

=== unprivileged pointer written by an atomic exchange into a map
@maps hash
@unpriv
@want leaks addr
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r1, %r10
	lock xchg [%r0], %r1
out:
	mov %r0, 0
	exit

=== unprivileged pointer passed to map_update as the value
@maps hash
@unpriv
@want leaking pointer from stack
	stw [%r10-4], 0
	stxdw [%r10-16], %r10
	stxdw [%r10-24], %r10
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -4
	mov %r3, %r10
	add %r3, -24
	mov %r4, 0
	call 2
	mov %r0, 0
	exit

=== unprivileged pointer compared with a pointer
@unpriv
@want pointer comparison prohibited
	ldxw %r2, [%r1]
	ldxw %r3, [%r1]
	jeq %r2, %r10, +0
	mov %r0, 0
	exit

=== unprivileged pointer compared with a scalar
@unpriv
@want pointer comparison prohibited
	mov %r2, %r10
	jgt %r2, 100, +0
	mov %r0, 0
	exit

=== unprivileged pointer as a helper scalar argument
@unpriv
@want leaks addr into helper function
	mov %r1, %r10
	mov %r2, 0
	call 23
	mov %r0, 0
	exit

=== unprivileged pointer subtraction
@unpriv
@want pointer
	mov %r2, %r10
	mov %r3, %r10
	sub %r2, %r3
	mov %r0, %r2
	exit

=== packet pointer compared with a stack pointer then used
@want invalid access to packet
	ldxw %r2, [%r1]
	mov %r3, %r10
	mov %r4, %r2
	add %r4, 8
	jgt %r4, %r3, out
	ldxdw %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet pointer compared with the context then used
@want invalid access to packet
	ldxw %r2, [%r1]
	mov %r4, %r2
	add %r4, 8
	jgt %r4, %r1, out
	ldxdw %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet pointer compared with a scalar then used
@want invalid access to packet
	ldxw %r2, [%r1]
	mov %r4, %r2
	add %r4, 8
	jgt %r4, 1000, out
	ldxdw %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== null check against a nonzero constant
@maps hash
@want invalid mem access 'map_value_or_null'
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 1, out
	ldxdw %r0, [%r0]
	exit
out:
	mov %r0, 0
	exit

=== null check through a 32-bit comparison
@maps hash
@want invalid mem access 'map_value_or_null'
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq32 %r0, 0, out
	ldxdw %r0, [%r0]
	exit
out:
	mov %r0, 0
	exit

=== ringbuf record never released
@maps ringbuf
@want Unreleased reference
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	mov %r0, 0
	exit

=== ringbuf record released on one branch only
@maps ringbuf
@want Unreleased reference
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r6, %r0
	call 7
	jgt %r0, 100, out
	mov %r1, %r6
	mov %r2, 0
	call 132
out:
	mov %r0, 0
	exit

=== ringbuf record released in a callee on one path only
@maps ringbuf
@want Unreleased reference
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r1, %r0
	call local f
out:
	mov %r0, 0
	exit
f:
	mov %r6, %r1
	call 7
	jeq %r0, 0, skip
	mov %r1, %r6
	mov %r2, 0
	call 132
skip:
	mov %r0, 0
	exit

=== ringbuf record submitted twice
@maps ringbuf
@want expected=ringbuf_mem
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r6, %r0
	mov %r1, %r6
	mov %r2, 0
	call 132
	mov %r1, %r6
	mov %r2, 0
	call 132
out:
	mov %r0, 0
	exit

=== ringbuf record discarded after submit
@maps ringbuf
@want expected=ringbuf_mem
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r6, %r0
	mov %r1, %r6
	mov %r2, 0
	call 132
	mov %r1, %r6
	mov %r2, 0
	call 133
out:
	mov %r0, 0
	exit

=== ringbuf record written after submit
@maps ringbuf
@want invalid mem access 'scalar'
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r6, %r0
	mov %r1, %r6
	mov %r2, 0
	call 132
	stdw [%r6], 0
out:
	mov %r0, 0
	exit

=== ringbuf record read after discard through a spilled copy
@maps ringbuf
@want invalid mem access 'scalar'
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	stxdw [%r10-8], %r0
	mov %r1, %r0
	mov %r2, 0
	call 133
	ldxdw %r1, [%r10-8]
	ldxdw %r0, [%r1]
	exit
out:
	mov %r0, 0
	exit

=== ringbuf record leaked by overwriting its only copy
@maps ringbuf
@want Unreleased reference
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r0, 0
	exit
out:
	mov %r0, 0
	exit

=== ringbuf record held across a tail call
@maps progs ringbuf
@want reference leak
	mov %r6, %r1
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r7, %r0
	mov %r1, %r6
	ldmap %r2, progs
	mov %r3, 0
	call 12
	mov %r1, %r7
	mov %r2, 0
	call 132
out:
	mov %r0, 0
	exit

=== tail call from a bpf-to-bpf callee holding a reference
@maps progs ringbuf
@want reference leak
	mov %r6, %r1
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r7, %r0
	mov %r1, %r6
	call local f
	mov %r1, %r7
	mov %r2, 0
	call 132
out:
	mov %r0, 0
	exit
f:
	ldmap %r2, progs
	mov %r3, 0
	call 12
	mov %r0, 0
	exit

=== tail call context is a modified context
@maps progs
@want dereference of modified ctx ptr
	add %r1, 4
	ldmap %r2, progs
	mov %r3, 0
	call 12
	mov %r0, 0
	exit

=== spin lock never released
@maps array
@kernel-skip Linux finds the lock through the map's BTF, which the suite's maps lack: it refuses every spin lock use here for that reason
@want bpf_spin_unlock is missing
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r6, %r0
	mov %r1, %r0
	call 93
out:
	mov %r0, 0
	exit

=== spin lock released on one path only
@maps array
@kernel-skip Linux finds the lock through the map's BTF, which the suite's maps lack: it refuses every spin lock use here for that reason
@want bpf_spin_unlock is missing
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r6, %r0
	mov %r1, %r0
	call 93
	ldxdw %r1, [%r6+8]
	jeq %r1, 0, out
	mov %r1, %r6
	call 94
out:
	mov %r0, 0
	exit

=== spin lock taken twice
@maps array
@kernel-skip Linux finds the lock through the map's BTF, which the suite's maps lack: it refuses every spin lock use here for that reason
@want Locks nested
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r6, %r0
	mov %r1, %r0
	call 93
	mov %r1, %r6
	call 93
	mov %r1, %r6
	call 94
	mov %r1, %r6
	call 94
out:
	mov %r0, 0
	exit

=== spin unlock without a lock
@maps array
@kernel-skip Linux finds the lock through the map's BTF, which the suite's maps lack: it refuses every spin lock use here for that reason
@want without taking a lock
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r1, %r0
	call 94
out:
	mov %r0, 0
	exit

=== spin unlock of a different lock
@maps array
@kernel-skip Linux finds the lock through the map's BTF, which the suite's maps lack: it refuses every spin lock use here for that reason
@want different lock
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r6, %r0
	mov %r1, %r0
	call 93
	mov %r1, %r6
	add %r1, 8
	call 94
out:
	mov %r0, 0
	exit

=== helper call while holding a spin lock
@maps array
@kernel-skip Linux finds the lock through the map's BTF, which the suite's maps lack: it refuses every spin lock use here for that reason
@want not allowed while holding a lock
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r6, %r0
	mov %r1, %r0
	call 93
	call 7
	mov %r1, %r6
	call 94
out:
	mov %r0, 0
	exit

=== bpf-to-bpf call while holding a spin lock
@maps array
@kernel-skip Linux finds the lock through the map's BTF, which the suite's maps lack: it refuses every spin lock use here for that reason
@want while holding a lock
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r6, %r0
	mov %r1, %r0
	call 93
	call local f
	mov %r1, %r6
	call 94
out:
	mov %r0, 0
	exit
f:
	mov %r0, 0
	exit

=== exit while holding a spin lock in a callee
@maps array
@kernel-skip Linux finds the lock through the map's BTF, which the suite's maps lack: it refuses every spin lock use here for that reason
@want bpf_spin_unlock is missing
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r1, %r0
	call local f
out:
	mov %r0, 0
	exit
f:
	call 93
	mov %r0, 0
	exit

=== tail call while holding a spin lock
@maps array progs
@kernel-skip Linux finds the lock through the map's BTF, which the suite's maps lack: it refuses every spin lock use here for that reason
@want while holding a lock
	mov %r7, %r1
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r6, %r0
	mov %r1, %r0
	call 93
	mov %r1, %r7
	ldmap %r2, progs
	mov %r3, 0
	call 12
	mov %r1, %r6
	call 94
out:
	mov %r0, 0
	exit

=== spin lock at a misaligned offset
@maps array
@kernel-skip Linux finds the lock through the map's BTF, which the suite's maps lack: it refuses every spin lock use here for that reason
@want spin_lock
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r1, %r0
	add %r1, 2
	call 93
out:
	mov %r0, 0
	exit

=== spin lock on a maybe-null value
@maps array
@want R1 type=map_value_or_null
	call 7
	stxw [%r10-8], %r0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	mov %r1, %r0
	call 93
	mov %r0, 0
	exit

=== bpf_loop callback returns 2
@want should have been in [0, 1]
	mov %r1, 4
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 181
	mov %r0, 0
	exit
cb:
	mov %r0, 2
	exit

=== bpf_loop callback returns an unknown value
@want should have been in [0, 1]
	mov %r1, 4
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 181
	mov %r0, 0
	exit
cb:
	call 7
	exit

=== bpf_loop callback returns a pointer
@maps hash
@want should have been in [0, 1]
	mov %r1, 4
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 181
	mov %r0, 0
	exit
cb:
	ldmap %r0, hash
	exit

=== bpf_loop callback leaves r0 unset
@want R0 !read_ok
	mov %r1, 4
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 181
	mov %r0, 0
	exit
cb:
	exit

=== bpf_loop callback reads past its context
@want invalid read from stack
	stdw [%r10-8], 0
	mov %r1, 4
	ldfunc %r2, cb
	mov %r3, %r10
	add %r3, -8
	mov %r4, 0
	call 181
	mov %r0, 0
	exit
cb:
	ldxdw %r0, [%r2+8]
	mov %r0, 0
	exit

=== bpf_loop callback dereferences a scalar context
@want invalid mem access 'scalar'
	mov %r1, 4
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 181
	mov %r0, 0
	exit
cb:
	ldxdw %r0, [%r2]
	mov %r0, 0
	exit

=== bpf_loop callback writes its index
@want frame pointer is read only
	mov %r1, 4
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 181
	mov %r0, 0
	exit
cb:
	mov %r10, %r1
	mov %r0, 0
	exit

=== bpf_loop callback leaks a ringbuf record
@maps ringbuf
@want Unreleased reference
	mov %r1, 4
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 181
	mov %r0, 0
	exit
cb:
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	mov %r0, 0
	exit

=== bpf_loop callback calls too deep
@want too deep
	mov %r1, 4
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 181
	mov %r0, 0
	exit
cb:
	call local cb
	mov %r0, 0
	exit

=== bpf_loop callback counter grows a map index past the value
@maps array
@want out of bounds
	stdw [%r10-8], 0
	mov %r1, 100
	ldfunc %r2, cb
	mov %r3, %r10
	add %r3, -8
	mov %r4, 0
	call 181
	stw [%r10-16], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -16
	call 1
	jeq %r0, 0, out
	ldxdw %r1, [%r10-8]
	add %r0, %r1
	ldxb %r0, [%r0]
	exit
out:
	mov %r0, 0
	exit
cb:
	ldxdw %r3, [%r2]
	add %r3, 1
	stxdw [%r2], %r3
	mov %r0, 0
	exit

=== for_each_map_elem callback writes past the value
@maps hash
@want invalid access to map value
	ldmap %r1, hash
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 164
	mov %r0, 0
	exit
cb:
	stdw [%r3+16], 0
	mov %r0, 0
	exit

=== for_each_map_elem callback writes the key of an array
@maps array
@want cannot write into
	ldmap %r1, array
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 164
	mov %r0, 0
	exit
cb:
	stw [%r2], 0
	mov %r0, 0
	exit

=== for_each_map_elem callback returns 5
@maps hash
@want should have been in [0, 1]
	ldmap %r1, hash
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 164
	mov %r0, 0
	exit
cb:
	mov %r0, 5
	exit

=== for_each_map_elem on a ring buffer
@maps ringbuf
@want cannot pass map_type 27
	ldmap %r1, ringbuf
	ldfunc %r2, cb
	mov %r3, 0
	mov %r4, 0
	call 164
	mov %r0, 0
	exit
cb:
	mov %r0, 0
	exit

