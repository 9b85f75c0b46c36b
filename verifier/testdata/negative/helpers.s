# Helper calls: helpers the program type does not offer, and every kind
# of wrong argument (map, key, value, memory and size, context, record,
# lock, callback).

=== xdp: helper 26 not offered
@want cannot call helper
	mov %r2, 0
	mov %r3, %r10
	add %r3, -8
	mov %r4, 4
	call 26
	mov %r0, 0
	exit

=== sched_cls: helper 44 not offered
@type sched_cls
@want cannot call helper
	mov %r2, 0
	call 44
	mov %r0, 0
	exit

=== sched_act: helper 65 not offered
@type sched_act
@want cannot call helper
	mov %r2, 0
	call 65
	mov %r0, 0
	exit

=== socket_filter: helper 9 not offered
@type socket_filter
@want cannot call helper
	call 9
	mov %r0, 0
	exit

=== cgroup_skb: helper 23 not offered
@type cgroup_skb
@want cannot call helper
	mov %r1, 1
	mov %r2, 0
	call 23
	mov %r0, 0
	exit

=== cgroup_sock: helper 26 not offered
@type cgroup_sock
@want cannot call helper
	call 26
	mov %r0, 0
	exit

=== cgroup_sock_addr: helper 65 not offered
@type cgroup_sock_addr
@want cannot call helper
	call 65
	mov %r0, 0
	exit

=== sock_ops: helper 28 not offered
@type sock_ops
@want cannot call helper
	call 28
	mov %r0, 0
	exit

=== kprobe: helper 44 not offered
@type kprobe
@want cannot call helper
	call 44
	mov %r0, 0
	exit

=== tracepoint: helper 9 not offered
@type tracepoint
@want cannot call helper
	call 9
	mov %r0, 0
	exit

=== raw_tracepoint: helper 23 not offered
@type raw_tracepoint
@want cannot call helper
	mov %r1, 1
	mov %r2, 0
	call 23
	mov %r0, 0
	exit

=== perf_event: helper 51 not offered
@type perf_event
@want cannot call helper
	call 51
	mov %r0, 0
	exit

=== xdp: helper 39 not offered
@want cannot call helper
	call 39
	mov %r0, 0
	exit

=== helper number that does not exist
@want invalid func unknown#9999
	call 9999
	mov %r0, 0
	exit

=== helper number 0 (unspec)
@want invalid func
	call 0
	mov %r0, 0
	exit

=== negative helper number
@want invalid func
	call -1
	mov %r0, 0
	exit

=== map argument is the context
@want R1 type=ctx expected=map_ptr
	stw [%r10-8], 0
	mov %r2, %r10
	add %r2, -8
	call 1
	mov %r0, 0
	exit

=== map argument is a stack pointer
@want R1 type=fp expected=map_ptr
	stw [%r10-8], 0
	mov %r2, %r10
	add %r2, -8
	mov %r1, %r10
	call 1
	mov %r0, 0
	exit

=== map argument is a map value
@maps hash
@want expected=map_ptr
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r1, %r0
	mov %r2, %r10
	add %r2, -8
	call 1
out:
	mov %r0, 0
	exit

=== map argument is a 64-bit constant
@want R1 type=scalar expected=map_ptr
	lddw %r1, 0xffff888000000000
	stw [%r10-8], 0
	mov %r2, %r10
	add %r2, -8
	call 3
	mov %r0, 0
	exit

=== key from stack shorter than the key size
@maps hash8
@want invalid indirect access to stack
	stw [%r10-8], 0
	ldmap %r1, hash8
	mov %r2, %r10
	add %r2, -4
	call 1
	mov %r0, 0
	exit

=== key pointer past the frame
@maps hash
@want invalid read from stack R2 off=0
	ldmap %r1, hash
	mov %r2, %r10
	call 1
	mov %r0, 0
	exit

=== key is a scalar
@maps hash
@want R2 type=scalar
	ldmap %r1, hash
	mov %r2, 16
	call 3
	mov %r0, 0
	exit

=== key is the context
@maps hash
@want R2 type=ctx
	mov %r2, %r1
	ldmap %r1, hash
	call 1
	mov %r0, 0
	exit

=== key is a map handle
@maps hash
@want R2 type=map_ptr
	ldmap %r1, hash
	mov %r2, %r1
	call 1
	mov %r0, 0
	exit

=== key unwritten for an unprivileged delete
@maps hash
@unpriv
@want invalid indirect read from stack
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 3
	mov %r0, 0
	exit

=== key in the packet without a bounds check
@maps hash
@want invalid access to packet
	ldxw %r2, [%r1]
	ldmap %r1, hash
	call 1
	mov %r0, 0
	exit

=== key in the packet one byte short
@maps hash
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 3
	jgt %r4, %r3, out
	ldmap %r1, hash
	call 1
out:
	mov %r0, 0
	exit

=== key in a map value too small for it
@maps array1 hash8
@want invalid access to map value
	stw [%r10-8], 0
	ldmap %r1, array1
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r2, %r0
	add %r2, 4
	ldmap %r1, hash8
	call 1
out:
	mov %r0, 0
	exit

=== update value smaller than the value size
@maps hash
@want invalid indirect access to stack
	stdw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	mov %r4, 0
	mov %r3, %r10
	add %r3, -8
	call 2
	mov %r0, 0
	exit

=== update value is a scalar
@maps hash
@want R3 type=scalar
	stdw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	mov %r4, 0
	mov %r3, 0
	call 2
	mov %r0, 0
	exit

=== update value unwritten for an unprivileged loader
@maps hash
@unpriv
@want invalid indirect read from stack
	stdw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	mov %r4, 0
	mov %r3, %r10
	add %r3, -24
	call 2
	mov %r0, 0
	exit

=== update value from a map value too small for it
@maps array1 hash
@want invalid access to map value
	stdw [%r10-8], 0
	ldmap %r1, array1
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r3, %r0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	mov %r4, 0
	call 2
out:
	mov %r0, 0
	exit

=== update value is the context
@maps hash
@want R3 type=ctx
	stdw [%r10-8], 0
	mov %r3, %r1
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	mov %r4, 0
	call 2
	mov %r0, 0
	exit

=== push value smaller than the queue value
@maps queue
@want invalid indirect access to stack
	stw [%r10-4], 0
	ldmap %r1, queue
	mov %r2, %r10
	add %r2, -4
	mov %r3, 0
	call 87
	mov %r0, 0
	exit

=== pop into a read-only map value
@maps queue rdonly
@want write into map forbidden
	stw [%r10-8], 0
	ldmap %r1, rdonly
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r2, %r0
	ldmap %r1, queue
	call 88
out:
	mov %r0, 0
	exit

=== ringbuf_output size unbounded
@maps ringbuf
@want unbounded memory access
	stdw [%r10-8], 0
	stdw [%r10-16], 0
	call 7
	mov %r3, %r0
	ldmap %r1, ringbuf
	mov %r2, %r10
	add %r2, -16
	mov %r4, 0
	call 130
	mov %r0, 0
	exit

=== ringbuf_output size bounded past the buffer
@maps ringbuf
@want invalid indirect access to stack
	stdw [%r10-8], 0
	stdw [%r10-16], 0
	call 7
	and %r0, 31
	mov %r3, %r0
	ldmap %r1, ringbuf
	mov %r2, %r10
	add %r2, -16
	mov %r4, 0
	call 130
	mov %r0, 0
	exit

=== ringbuf_output size may be negative
@maps ringbuf
@want min value is negative
	stdw [%r10-8], 0
	stdw [%r10-16], 0
	ldxw %r3, [%r1+12]
	lsh %r3, 56
	arsh %r3, 60
	ldmap %r1, ringbuf
	mov %r2, %r10
	add %r2, -16
	mov %r4, 0
	call 130
	mov %r0, 0
	exit

=== ringbuf_output data is a scalar
@maps ringbuf
@want R2 type=scalar
	ldmap %r1, ringbuf
	mov %r2, 0
	mov %r3, 8
	mov %r4, 0
	call 130
	mov %r0, 0
	exit

=== ringbuf_output data is the context
@maps ringbuf
@want R2 type=ctx
	mov %r2, %r1
	ldmap %r1, ringbuf
	mov %r3, 8
	mov %r4, 0
	call 130
	mov %r0, 0
	exit

=== ringbuf_output from a map value past its end
@maps hash ringbuf
@want invalid access to map value
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r2, %r0
	ldmap %r1, ringbuf
	mov %r3, 17
	mov %r4, 0
	call 130
out:
	mov %r0, 0
	exit

=== ringbuf_output from the packet past the checked range
@maps ringbuf
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 8
	jgt %r4, %r3, out
	ldmap %r1, ringbuf
	mov %r3, 9
	mov %r4, 0
	call 130
out:
	mov %r0, 0
	exit

=== ringbuf_output to a hash map
@maps hash
@want cannot pass map_type 1
	stdw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	mov %r3, 8
	mov %r4, 0
	call 130
	mov %r0, 0
	exit

=== trace_printk size zero
@want invalid zero-sized read
	stdw [%r10-8], 0
	mov %r1, %r10
	add %r1, -8
	mov %r2, 0
	call 6
	mov %r0, 0
	exit

=== trace_printk format past the frame
@want invalid indirect access to stack
	stdw [%r10-8], 0
	mov %r1, %r10
	add %r1, -8
	mov %r2, 9
	call 6
	mov %r0, 0
	exit

=== skb_load_bytes length zero
@type sched_cls
@want invalid zero-sized read
	mov %r2, 0
	mov %r3, %r10
	add %r3, -8
	mov %r4, 0
	call 26
	mov %r0, 0
	exit

=== skb_load_bytes length unbounded
@type sched_cls
@want unbounded memory access
	mov %r6, %r1
	call 7
	mov %r4, %r0
	mov %r1, %r6
	mov %r2, 0
	mov %r3, %r10
	add %r3, -8
	call 26
	mov %r0, 0
	exit

=== skb_load_bytes into a read-only map value
@type sched_cls
@maps rdonly
@want write into map forbidden
	mov %r6, %r1
	stw [%r10-8], 0
	ldmap %r1, rdonly
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r3, %r0
	mov %r1, %r6
	mov %r2, 0
	mov %r4, 8
	call 26
out:
	mov %r0, 0
	exit

=== skb_load_bytes length past the destination
@type sched_cls
@want invalid indirect access to stack
	mov %r2, 0
	mov %r3, %r10
	add %r3, -8
	mov %r4, 16
	call 26
	mov %r0, 0
	exit

=== skb_load_bytes destination is a scalar
@type sched_cls
@want R3 type=scalar
	mov %r2, 0
	mov %r3, 0
	mov %r4, 8
	call 26
	mov %r0, 0
	exit

=== csum_diff size not a constant multiple bound
@want unbounded memory access
	stdw [%r10-8], 0
	call 7
	mov %r2, %r0
	mov %r1, %r10
	add %r1, -8
	mov %r3, 0
	mov %r4, 0
	mov %r5, 0
	call 28
	mov %r0, 0
	exit

=== csum_diff non-null pointer with size from a scalar pointer
@want R1 type=scalar
	mov %r1, 8
	mov %r2, 4
	mov %r3, 0
	mov %r4, 0
	mov %r5, 0
	call 28
	mov %r0, 0
	exit

=== context argument is a stack pointer
@want R1 type=fp expected=ctx
	mov %r1, %r10
	call 188
	mov %r0, 0
	exit

=== context argument is a modified context pointer
@want dereference of modified ctx ptr
	add %r1, 8
	mov %r2, 0
	call 44
	mov %r0, 0
	exit

=== context argument is a scalar
@want R1 type=scalar expected=ctx
	mov %r1, 0
	mov %r2, 0
	call 65
	mov %r0, 0
	exit

=== context argument is a packet pointer
@want expected=ctx
	ldxw %r1, [%r1]
	call 188
	mov %r0, 0
	exit

=== ringbuf_submit of a stack pointer
@want expected=ringbuf_mem
	mov %r1, %r10
	add %r1, -8
	mov %r2, 0
	call 132
	mov %r0, 0
	exit

=== ringbuf_discard of a map value
@maps hash
@want expected=ringbuf_mem
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r1, %r0
	mov %r2, 0
	call 133
out:
	mov %r0, 0
	exit

=== ringbuf_submit of a record plus an offset
@maps ringbuf
@want must have zero offset
	ldmap %r1, ringbuf
	mov %r2, 16
	mov %r3, 0
	call 131
	jeq %r0, 0, out
	mov %r1, %r0
	add %r1, 8
	mov %r2, 0
	call 132
out:
	mov %r0, 0
	exit

=== tail_call with a hash map
@maps hash
@want cannot pass map_type 1
	ldmap %r2, hash
	mov %r3, 0
	call 12
	mov %r0, 0
	exit

=== tail_call with a stack pointer as context
@maps progs
@want R1 type=fp expected=ctx
	mov %r1, %r10
	ldmap %r2, progs
	mov %r3, 0
	call 12
	mov %r0, 0
	exit

=== tail_call index is a pointer
@maps progs
@unpriv
@want R3
	ldmap %r2, progs
	mov %r3, %r10
	call 12
	mov %r0, 0
	exit

=== redirect_map with a ring buffer
@maps ringbuf
@want cannot pass map_type 27
	ldmap %r1, ringbuf
	mov %r2, 0
	mov %r3, 0
	call 51
	mov %r0, 0
	exit

=== perf_event_output with a hash map
@maps hash
@want cannot pass map_type 1
	stdw [%r10-8], 0
	ldmap %r2, hash
	mov %r3, 0
	mov %r4, %r10
	add %r4, -8
	mov %r5, 8
	call 25
	mov %r0, 0
	exit

=== perf_event_output size past the data
@maps perfarray
@want invalid indirect access to stack
	stdw [%r10-8], 0
	ldmap %r2, perfarray
	mov %r3, 0
	mov %r4, %r10
	add %r4, -8
	mov %r5, 16
	call 25
	mov %r0, 0
	exit

=== map_push_elem on a hash map
@maps hash
@want cannot pass map_type 1
	stdw [%r10-16], 0
	stdw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -16
	mov %r3, 0
	call 87
	mov %r0, 0
	exit

=== map_lookup_elem on a prog array
@maps progs
@want cannot pass map_type 3
	stw [%r10-8], 0
	mov %r2, %r10
	add %r2, -8
	ldmap %r1, progs
	call 1
	mov %r0, 0
	exit

=== map_lookup_elem on a perf event array
@maps perfarray
@want cannot pass map_type 4
	stw [%r10-8], 0
	mov %r2, %r10
	add %r2, -8
	ldmap %r1, perfarray
	call 1
	mov %r0, 0
	exit

=== map_lookup_elem on a queue
@maps queue
@want cannot pass map_type 22
	stw [%r10-8], 0
	mov %r2, %r10
	add %r2, -8
	ldmap %r1, queue
	call 1
	mov %r0, 0
	exit

=== map_delete_elem on a perf event array
@maps perfarray
@want cannot pass map_type 4
	stdw [%r10-8], 0
	ldmap %r1, perfarray
	mov %r2, %r10
	add %r2, -8
	call 3
	mov %r0, 0
	exit

=== ringbuf_query on an array
@maps array
@want cannot pass map_type 2
	ldmap %r1, array
	mov %r2, 0
	call 134
	mov %r0, 0
	exit

=== map_lookup_percpu_elem on a plain array
@maps array
@want cannot pass map_type 2
	stw [%r10-8], 0
	mov %r2, %r10
	add %r2, -8
	ldmap %r1, array
	mov %r3, 0
	call 195
	mov %r0, 0
	exit

=== snprintf format not in a read-only map
@want R3
	stdw [%r10-8], 0
	stdw [%r10-16], 0
	mov %r1, %r10
	add %r1, -8
	mov %r2, 8
	mov %r3, %r10
	add %r3, -16
	mov %r4, 0
	mov %r5, 0
	call 165
	mov %r0, 0
	exit

=== strncmp string is a writable map value
@maps array1
@want R3
	stdw [%r10-8], 0
	ldmapval %r3, array1, 0
	mov %r1, %r10
	add %r1, -8
	mov %r2, 8
	call 182
	mov %r0, 0
	exit

=== bpf_loop callback is a scalar
@want R2 type=scalar expected=func
	mov %r1, 4
	mov %r2, 0
	mov %r3, 0
	mov %r4, 0
	call 181
	mov %r0, 0
	exit

=== for_each_map_elem callback is a stack pointer
@maps array
@want expected=func
	ldmap %r1, array
	mov %r2, %r10
	mov %r3, 0
	mov %r4, 0
	call 164
	mov %r0, 0
	exit

=== spin_lock argument is a stack pointer
@want R1 type=fp
	mov %r1, %r10
	add %r1, -8
	call 93
	mov %r0, 0
	exit

=== spin_lock argument is a map value without a lock
@maps hash
@want spin_lock
	stw [%r10-8], 0
	ldmap %r1, hash
	mov %r2, %r10
	add %r2, -8
	call 1
	jeq %r0, 0, out
	mov %r1, %r0
	add %r1, 2
	call 93
	mov %r1, %r0
	call 94
out:
	mov %r0, 0
	exit

