# Map values, ring buffer records and helper-returned memory: missing NULL
# checks, accesses outside the object in each direction with fixed and
# variable offsets, read-only maps, and map-in-map inner lookups.

=== map value read without null check
@maps hash
@want invalid mem access 'map_value_or_null'
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	ldxdw %r0, [%r0]
	exit

=== map value write without null check (array, unknown key)
@maps array
@want invalid mem access 'map_value_or_null'
	call 7
	stxw [%r10-8], %r0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	stdw [%r0], 1
	mov %r0, 0
	exit

=== map value null check on a copy that was then modified
@maps hash
@want invalid mem access 'map_value_or_null'
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	mov %r6, %r0
	call 5
	jeq %r0, 0, out
	ldxdw %r0, [%r6]
	exit
out:
	mov %r0, 0
	exit

=== map value null check of a different lookup
@maps hash
@want invalid mem access 'map_value_or_null'
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	mov %r6, %r0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxdw %r0, [%r6]
	exit
out:
	mov %r0, 0
	exit

=== map value percpu lookup without null check (key past max_entries)
@maps percpu
@want invalid mem access 'map_value_or_null'
	stw [%r10-8], 4
	ldmap %r1, percpu
	mov %r2, %r10
	add %r2, -8
	call 1
	ldxw %r0, [%r0]
	exit

=== map value read past the end
@maps hash
@want invalid access to map value
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxw %r0, [%r0+16]
	exit
out:
	mov %r0, 0
	exit

=== map value 8-byte read straddling the end
@maps array
@want invalid access to map value
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxdw %r0, [%r0+60]
	exit
out:
	mov %r0, 0
	exit

=== map value write below the start
@maps array
@want invalid access to map value
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	stw [%r0-4], 1
out:
	mov %r0, 0
	exit

=== map value pointer moved past the end then read
@maps hash
@want invalid access to map value
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	add %r0, 16
	ldxb %r0, [%r0]
	exit
out:
	mov %r0, 0
	exit

=== map value unbounded variable index
@maps array
@want unbounded variable offset makes map_value pointer
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxdw %r1, [%r0]
	add %r0, %r1
	ldxb %r0, [%r0]
	exit
out:
	mov %r0, 0
	exit

=== map value variable index one past the end
@maps array
@want max value is outside
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxdw %r1, [%r0]
	and %r1, 63
	add %r0, %r1
	ldxw %r0, [%r0+1]
	exit
out:
	mov %r0, 0
	exit

=== map value variable index bounded above only
@maps array
@want unbounded variable offset
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxdw %r1, [%r0]
	jsgt %r1, 32, out
	add %r0, %r1
	ldxb %r0, [%r0]
	exit
out:
	mov %r0, 0
	exit

=== map value variable index checked with the wrong branch
@maps array
@want unbounded variable offset
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxdw %r1, [%r0]
	jlt %r1, 32, out
	add %r0, %r1
	ldxb %r0, [%r0]
	exit
out:
	mov %r0, 0
	exit

=== map value variable index misaligned word access
@maps array
@want max value is outside
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxdw %r1, [%r0]
	and %r1, 62
	add %r0, %r1
	ldxw %r0, [%r0]
	exit
out:
	mov %r0, 0
	exit

=== map value negative constant offset then variable index
@maps array
@want min value is outside
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxdw %r1, [%r0]
	and %r1, 7
	add %r0, -8
	add %r0, %r1
	ldxb %r0, [%r0]
	exit
out:
	mov %r0, 0
	exit

=== map value index from 32-bit check used as 64-bit
@maps array
@want unbounded variable offset
	stw [%r10-8], 0
	ldmap %r1, array
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxdw %r1, [%r0]
	jgt32 %r1, 63, out
	add %r0, %r1
	ldxb %r0, [%r0]
	exit
out:
	mov %r0, 0
	exit

=== map value write to a read-only map
@maps rdonly
@want write into map forbidden
	stw [%r10-8], 0
	ldmap %r1, rdonly
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	stw [%r0], 1
out:
	mov %r0, 0
	exit

=== map value atomic add to a read-only map
@maps rdonly
@want write into map forbidden
	stw [%r10-8], 0
	ldmap %r1, rdonly
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r1, 1
	lock add [%r0], %r1
out:
	mov %r0, 0
	exit

=== map value direct address of a read-only map written
@maps rdonly
@want write into map forbidden
	ldmapval %r1, rdonly, 0
	stdw [%r1], 1
	mov %r0, 0
	exit

=== map value direct address read past the end
@maps array1
@want invalid access to map value
	ldmapval %r1, array1, 0
	ldxdw %r0, [%r1+8]
	exit

=== map value direct address below the start
@maps array1
@want invalid access to map value
	ldmapval %r1, array1, 4
	ldxdw %r0, [%r1-8]
	exit

=== map value direct address offset past the value
@maps array1
@want invalid access to map value pointer
	ldmapval %r1, array1, 9
	mov %r0, 0
	exit

=== map value direct address of a multi-entry array
@maps array
@want does not support direct value access
	ldmapval %r1, array, 0
	mov %r0, 0
	exit

=== map value direct address of a ring buffer
@maps ringbuf
@want does not support direct value access
	ldmapval %r1, ringbuf, 0
	mov %r0, 0
	exit

=== map value queue pop into a too small stack buffer
@maps queue
@want invalid indirect access to stack
	ldmap %r1, queue
	mov %r2, %r10
	add %r2, -4
	call 88
	mov %r0, 0
	exit

=== map in map inner lookup result used without null check
@maps mapofmaps
@want R1 type=map_ptr_or_null expected=map_ptr
	stw [%r10-8], 0
	ldmap %r1, mapofmaps
	mov %r2, %r10
	add %r2, -8
	call 1
	mov %r1, %r0
	mov %r2, %r10
	add %r2, -8
	call 1
	mov %r0, 0
	exit

=== map in map inner value used without null check
@maps hashofmaps
@want invalid mem access 'map_value_or_null'
	stw [%r10-8], 0
	ldmap %r1, hashofmaps
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r1, %r0
	mov %r2, %r10
	add %r2, -8
	call 1
	ldxdw %r0, [%r0]
	exit
out:
	mov %r0, 0
	exit

=== map in map inner value read past its end
@maps mapofmaps
@want invalid access to map value
	stw [%r10-8], 0
	ldmap %r1, mapofmaps
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r1, %r0
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxdw %r0, [%r0+64]
	exit
out:
	mov %r0, 0
	exit

=== map in map outer value dereferenced
@kernel-skip Linux lets programs read struct bpf_map fields through map pointers (BTF); bpfhost has no such structure (see doc.go)
@maps mapofmaps
@want invalid mem access 'map_ptr'
	stw [%r10-8], 0
	ldmap %r1, mapofmaps
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxw %r0, [%r0]
	exit
out:
	mov %r0, 0
	exit

=== map in map hash of maps inner value read past its end
@maps hashofmaps
@want invalid access to map value
	stw [%r10-8], 0
	ldmap %r1, hashofmaps
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r1, %r0
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	ldxdw %r0, [%r0+12]
	exit
out:
	mov %r0, 0
	exit

=== map handle dereferenced
@kernel-skip Linux lets programs read struct bpf_map fields through map pointers (BTF); bpfhost has no such structure (see doc.go)
@maps hash
@want invalid mem access 'map_ptr'
	ldmap %r1, hash
	ldxdw %r0, [%r1]
	exit

=== map handle stored through
@maps hash
@want invalid mem access 'map_ptr'
	ldmap %r1, hash
	stdw [%r1], 0
	mov %r0, 0
	exit

=== ringbuf record written without null check
@maps ringbuf
@want invalid mem access 'mem_or_null'
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	stdw [%r0], 1
	mov %r0, 0
	exit

=== ringbuf record read below the start
@maps ringbuf
@want invalid access to mem
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r6, %r0
	ldxdw %r7, [%r0-8]
	mov %r1, %r6
	mov %r2, 0
	call 132
out:
	mov %r0, 0
	exit

=== ringbuf record 8-byte write straddling the end
@maps ringbuf
@want invalid access to mem
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r6, %r0
	stdw [%r0+12], 1
	mov %r1, %r6
	mov %r2, 0
	call 132
out:
	mov %r0, 0
	exit

=== ringbuf record unbounded variable index
@maps ringbuf
@want unbounded variable offset makes
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r6, %r0
	call 7
	mov %r1, %r6
	add %r1, %r0
	stb [%r1], 0
	mov %r1, %r6
	mov %r2, 0
	call 132
out:
	mov %r0, 0
	exit

=== ringbuf record variable index past the end
@maps ringbuf
@want max value is outside
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r6, %r0
	call 7
	and %r0, 15
	mov %r1, %r6
	add %r1, %r0
	stw [%r1], 0
	mov %r1, %r6
	mov %r2, 0
	call 132
out:
	mov %r0, 0
	exit

=== ringbuf record of a variable size
@maps ringbuf
@want R2 is not a known constant
	call 7
	and %r0, 63
	mov %r2, %r0
	ldmap %r1, ringbuf
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r1, %r0
	mov %r2, 0
	call 133
out:
	mov %r0, 0
	exit

=== ringbuf reserve from a hash map
@maps hash
@want cannot pass map_type 1
	ldmap %r1, hash
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r1, %r0
	mov %r2, 0
	call 133
out:
	mov %r0, 0
	exit

