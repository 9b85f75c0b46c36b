# Direct packet access: missing bounds checks, checks in the wrong
# direction or one byte short, variable offsets, stale pointers, stores
# where the type forbids them, and misuse of data_end and data_meta.

=== packet read without bounds check
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxb %r0, [%r2]
	exit

=== packet write without bounds check
@want invalid access to packet
	ldxw %r2, [%r1]
	stb [%r2], 1
	mov %r0, 0
	exit

=== packet read checked with the wrong comparison (jlt instead of jgt)
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 14
	jlt %r4, %r3, out
	ldxb %r0, [%r2+13]
	exit
out:
	mov %r0, 0
	exit

=== packet read checked with swapped operands in the wrong direction
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 14
	jgt %r3, %r4, out
	ldxb %r0, [%r2+13]
	exit
out:
	mov %r0, 0
	exit

=== packet read one byte past the checked range
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 14
	jgt %r4, %r3, out
	ldxb %r0, [%r2+14]
	exit
out:
	mov %r0, 0
	exit

=== packet word read straddling the checked end
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 8
	jgt %r4, %r3, out
	ldxw %r0, [%r2+6]
	exit
out:
	mov %r0, 0
	exit

=== packet off by one using jge (data+6 < data_end proves 7 bytes)
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 6
	jge %r4, %r3, out
	ldxdw %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet equality comparison with data_end proves nothing
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 4
	jeq %r4, %r3, out
	ldxw %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet inequality comparison with data_end proves nothing
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 4
	jne %r4, %r3, go
	mov %r0, 0
	exit
go:
	ldxw %r0, [%r2]
	exit

=== packet read below data after a check
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 8
	jgt %r4, %r3, out
	ldxh %r0, [%r2-2]
	exit
out:
	mov %r0, 0
	exit

=== packet pointer moved below data then read
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 8
	jgt %r4, %r3, out
	add %r2, -4
	ldxb %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet unbounded variable offset
@want unbounded variable offset makes pkt pointer
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 8
	jgt %r4, %r3, out
	ldxdw %r5, [%r2]
	add %r2, %r5
	ldxb %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet variable offset added after the check
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 64
	jgt %r4, %r3, out
	ldxb %r5, [%r2]
	and %r5, 15
	add %r2, %r5
	ldxb %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet variable offset checked but read past the checked bytes
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 1
	jgt %r4, %r3, out
	ldxb %r5, [%r2]
	and %r5, 63
	add %r2, %r5
	mov %r4, %r2
	add %r4, 2
	jgt %r4, %r3, out
	ldxw %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet signed variable offset may be negative
@want min value is negative
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	ldxw %r5, [%r1+12]
	lsh %r5, 56
	arsh %r5, 56
	add %r2, %r5
	mov %r4, %r2
	add %r4, 1
	jgt %r4, %r3, out
	ldxb %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet pointer plus an unbounded helper result
@want unbounded
	mov %r6, %r1
	call 7
	ldxw %r2, [%r6]
	ldxw %r3, [%r6+4]
	add %r2, %r0
	mov %r4, %r2
	add %r4, 1
	jgt %r4, %r3, out
	ldxb %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet pointer stale after xdp_adjust_tail
@want invalid mem access 'scalar'
	mov %r6, %r1
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r7, %r2
	mov %r4, %r2
	add %r4, 8
	jgt %r4, %r3, out
	mov %r1, %r6
	mov %r2, -4
	call 65
	ldxb %r0, [%r7]
	exit
out:
	mov %r0, 0
	exit

=== packet pointer stale after skb_pull_data
@type sched_cls
@want invalid mem access 'scalar'
	mov %r6, %r1
	ldxw %r7, [%r1+76]
	ldxw %r3, [%r1+80]
	mov %r4, %r7
	add %r4, 8
	jgt %r4, %r3, out
	mov %r1, %r6
	mov %r2, 14
	call 39
	ldxb %r0, [%r7]
	exit
out:
	mov %r0, 0
	exit

=== packet pointer spilled then stale after skb_change_tail
@type sched_cls
@want invalid mem access 'scalar'
	mov %r6, %r1
	ldxw %r7, [%r1+76]
	ldxw %r3, [%r1+80]
	mov %r4, %r7
	add %r4, 8
	jgt %r4, %r3, out
	stxdw [%r10-8], %r7
	mov %r1, %r6
	mov %r2, 100
	mov %r3, 0
	call 38
	ldxdw %r7, [%r10-8]
	ldxb %r0, [%r7]
	exit
out:
	mov %r0, 0
	exit

=== sched_cls packet read without bounds check
@type sched_cls
@want invalid access to packet
	ldxw %r2, [%r1+76]
	ldxh %r0, [%r2+12]
	exit

=== sched_act packet read one byte past the checked range
@type sched_act
@want invalid access to packet
	ldxw %r2, [%r1+76]
	ldxw %r3, [%r1+80]
	mov %r4, %r2
	add %r4, 14
	jgt %r4, %r3, out
	ldxh %r0, [%r2+13]
	exit
out:
	mov %r0, 0
	exit

=== cgroup_skb packet read without bounds check
@type cgroup_skb
@want invalid access to packet
	ldxw %r2, [%r1+76]
	ldxb %r0, [%r2]
	exit

=== cgroup_skb packet store is not allowed
@type cgroup_skb
@want cannot write into packet
	ldxw %r2, [%r1+76]
	ldxw %r3, [%r1+80]
	mov %r4, %r2
	add %r4, 4
	jgt %r4, %r3, out
	stw [%r2], 0
out:
	mov %r0, 0
	exit

=== cgroup_skb helper writing into the packet is not allowed
@type cgroup_skb
@want helper access to the packet is not allowed
	mov %r6, %r1
	ldxw %r3, [%r1+76]
	ldxw %r4, [%r1+80]
	mov %r5, %r3
	add %r5, 4
	jgt %r5, %r4, out
	mov %r1, %r6
	mov %r2, 0
	mov %r4, 4
	call 26
out:
	mov %r0, 0
	exit

=== packet data_end dereferenced
@want invalid mem access 'pkt_end'
	ldxw %r3, [%r1+4]
	ldxb %r0, [%r3-1]
	exit

=== packet data_end moved by a constant
@want pointer arithmetic on pkt_end
	ldxw %r3, [%r1+4]
	add %r3, -8
	mov %r0, 0
	exit

=== packet data_end stored through
@want invalid mem access 'pkt_end'
	ldxw %r3, [%r1+4]
	stb [%r3], 0
	mov %r0, 0
	exit

=== packet metadata read without check against data
@want invalid access to packet
	ldxw %r2, [%r1+8]
	ldxb %r0, [%r2]
	exit

=== packet metadata read past the checked range
@want invalid access to packet
	ldxw %r2, [%r1+8]
	ldxw %r3, [%r1]
	mov %r4, %r2
	add %r4, 4
	jgt %r4, %r3, out
	ldxdw %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet data checked against data_meta proves nothing
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+8]
	mov %r4, %r2
	add %r4, 4
	jgt %r4, %r3, out
	ldxw %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet range from a check of another packet pointer copy moved later
@want invalid access to packet
	ldxw %r2, [%r1]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 4
	jgt %r4, %r3, out
	add %r2, 4
	ldxw %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet pointer returned
@kernel-skip bpfhost requires a scalar return value; privileged Linux accepts returning a pointer from XDP
@want R0 is not a known value
	ldxw %r0, [%r1]
	exit

=== packet pointers compared for different packets (data vs meta checks)
@want invalid access to packet
	ldxw %r2, [%r1+8]
	ldxw %r3, [%r1+4]
	mov %r4, %r2
	add %r4, 4
	jgt %r4, %r3, out
	ldxw %r0, [%r2]
	exit
out:
	mov %r0, 0
	exit

=== packet 32-bit pointer arithmetic
@want 32-bit pointer arithmetic
	ldxw %r2, [%r1]
	add32 %r2, 4
	mov %r0, 0
	exit
