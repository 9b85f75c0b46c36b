# Context accesses the program type does not allow: past the end, below
# the start, wrong size, misaligned, stores to read-only fields, loads of
# fields the type hides, and modified or variable context pointers.

=== xdp: ctx load past the end
@want invalid bpf_context access off=24
	ldxw %r0, [%r1+24]
	exit

=== xdp: ctx load straddling the end
@want invalid bpf_context access off=20
	ldxdw %r0, [%r1+20]
	exit

=== xdp: ctx load below the start
@want invalid bpf_context access off=-8
	ldxw %r0, [%r1-8]
	exit

=== xdp: ctx store to read-only ingress_ifindex
@want invalid bpf_context access off=12 size=4
	stw [%r1+12], 0
	mov %r0, 0
	exit

=== xdp: ctx register store to read-only ingress_ifindex
@want invalid bpf_context access off=12 size=4
	mov %r2, 1
	stxw [%r1+12], %r2
	mov %r0, 0
	exit

=== xdp: ctx load of forbidden egress_ifindex outside devmap
@want invalid bpf_context access off=20 size=4
	ldxw %r0, [%r1+20]
	exit

=== xdp: ctx load of 4 with the wrong size
@want invalid bpf_context access off=4 size=8
	ldxdw %r0, [%r1+4]
	exit

=== xdp: ctx load through a modified pointer
@want dereference of modified ctx ptr
	add %r1, 8
	ldxw %r0, [%r1+0]
	exit

=== xdp: ctx load at a variable offset
@want dereference of modified ctx ptr
	mov %r6, %r1
	call 7
	and %r0, 8
	add %r6, %r0
	ldxw %r0, [%r6]
	exit

=== xdp: ctx misaligned load
@want invalid bpf_context access off=1
	ldxw %r0, [%r1+1]
	exit

=== sched_cls: ctx load past the end
@type sched_cls
@want invalid bpf_context access off=192
	ldxw %r0, [%r1+192]
	exit

=== sched_cls: ctx load straddling the end
@type sched_cls
@want invalid bpf_context access off=188
	ldxdw %r0, [%r1+188]
	exit

=== sched_cls: ctx load below the start
@type sched_cls
@want invalid bpf_context access off=-8
	ldxw %r0, [%r1-8]
	exit

=== sched_cls: ctx store to read-only len
@type sched_cls
@want invalid bpf_context access off=0 size=4
	stw [%r1+0], 0
	mov %r0, 0
	exit

=== sched_cls: ctx register store to read-only len
@type sched_cls
@want invalid bpf_context access off=0 size=4
	mov %r2, 1
	stxw [%r1+0], %r2
	mov %r0, 0
	exit

=== sched_cls: ctx load of forbidden remote_ip4 (socket field)
@type sched_cls
@want invalid bpf_context access off=92 size=4
	ldxw %r0, [%r1+92]
	exit

=== sched_cls: ctx load of forbidden flow_keys
@type sched_cls
@want invalid bpf_context access off=144 size=8
	ldxdw %r0, [%r1+144]
	exit

=== sched_cls: ctx load of 76 with the wrong size
@type sched_cls
@want invalid bpf_context access off=76 size=8
	ldxdw %r0, [%r1+76]
	exit

=== sched_cls: ctx load through a modified pointer
@type sched_cls
@want dereference of modified ctx ptr
	add %r1, 8
	ldxw %r0, [%r1+0]
	exit

=== sched_cls: ctx load at a variable offset
@type sched_cls
@want dereference of modified ctx ptr
	mov %r6, %r1
	call 7
	and %r0, 8
	add %r6, %r0
	ldxw %r0, [%r6]
	exit

=== sched_cls: ctx misaligned load
@type sched_cls
@want invalid bpf_context access off=1
	ldxw %r0, [%r1+1]
	exit

=== sched_act: ctx load past the end
@type sched_act
@want invalid bpf_context access off=192
	ldxw %r0, [%r1+192]
	exit

=== sched_act: ctx load straddling the end
@type sched_act
@want invalid bpf_context access off=188
	ldxdw %r0, [%r1+188]
	exit

=== sched_act: ctx load below the start
@type sched_act
@want invalid bpf_context access off=-8
	ldxw %r0, [%r1-8]
	exit

=== sched_act: ctx store to read-only pkt_type
@type sched_act
@want invalid bpf_context access off=4 size=4
	stw [%r1+4], 0
	mov %r0, 0
	exit

=== sched_act: ctx register store to read-only pkt_type
@type sched_act
@want invalid bpf_context access off=4 size=4
	mov %r2, 1
	stxw [%r1+4], %r2
	mov %r0, 0
	exit

=== sched_act: ctx load of forbidden local_ip4 (socket field)
@type sched_act
@want invalid bpf_context access off=96 size=4
	ldxw %r0, [%r1+96]
	exit

=== sched_act: ctx load of forbidden flow_keys
@type sched_act
@want invalid bpf_context access off=144 size=8
	ldxdw %r0, [%r1+144]
	exit

=== sched_act: ctx load of 8 with the wrong size
@type sched_act
@want invalid bpf_context access off=8 size=8
	ldxdw %r0, [%r1+8]
	exit

=== sched_act: ctx load through a modified pointer
@type sched_act
@want dereference of modified ctx ptr
	add %r1, 8
	ldxw %r0, [%r1+0]
	exit

=== sched_act: ctx load at a variable offset
@type sched_act
@want dereference of modified ctx ptr
	mov %r6, %r1
	call 7
	and %r0, 8
	add %r6, %r0
	ldxw %r0, [%r6]
	exit

=== sched_act: ctx misaligned load
@type sched_act
@want invalid bpf_context access off=1
	ldxw %r0, [%r1+1]
	exit

=== socket_filter: ctx load past the end
@type socket_filter
@want invalid bpf_context access off=192
	ldxw %r0, [%r1+192]
	exit

=== socket_filter: ctx load straddling the end
@type socket_filter
@want invalid bpf_context access off=188
	ldxdw %r0, [%r1+188]
	exit

=== socket_filter: ctx load below the start
@type socket_filter
@want invalid bpf_context access off=-8
	ldxw %r0, [%r1-8]
	exit

=== socket_filter: ctx store to read-only mark
@type socket_filter
@want invalid bpf_context access off=8 size=4
	stw [%r1+8], 0
	mov %r0, 0
	exit

=== socket_filter: ctx register store to read-only mark
@type socket_filter
@want invalid bpf_context access off=8 size=4
	mov %r2, 1
	stxw [%r1+8], %r2
	mov %r0, 0
	exit

=== socket_filter: ctx load of forbidden data (packet pointer)
@type socket_filter
@want invalid bpf_context access off=76 size=4
	ldxw %r0, [%r1+76]
	exit

=== socket_filter: ctx load of forbidden tc_classid
@type socket_filter
@want invalid bpf_context access off=72 size=4
	ldxw %r0, [%r1+72]
	exit

=== socket_filter: ctx load of forbidden tstamp
@type socket_filter
@want invalid bpf_context access off=152 size=8
	ldxdw %r0, [%r1+152]
	exit

=== socket_filter: ctx load of 0 with the wrong size
@type socket_filter
@want invalid bpf_context access off=0 size=8
	ldxdw %r0, [%r1+0]
	exit

=== socket_filter: ctx load through a modified pointer
@type socket_filter
@want dereference of modified ctx ptr
	add %r1, 8
	ldxw %r0, [%r1+0]
	exit

=== socket_filter: ctx load at a variable offset
@type socket_filter
@want dereference of modified ctx ptr
	mov %r6, %r1
	call 7
	and %r0, 8
	add %r6, %r0
	ldxw %r0, [%r6]
	exit

=== socket_filter: ctx misaligned load
@type socket_filter
@want invalid bpf_context access off=1
	ldxw %r0, [%r1+1]
	exit

=== cgroup_skb: ctx load past the end
@type cgroup_skb
@want invalid bpf_context access off=192
	ldxw %r0, [%r1+192]
	exit

=== cgroup_skb: ctx load straddling the end
@type cgroup_skb
@want invalid bpf_context access off=188
	ldxdw %r0, [%r1+188]
	exit

=== cgroup_skb: ctx load below the start
@type cgroup_skb
@want invalid bpf_context access off=-8
	ldxw %r0, [%r1-8]
	exit

=== cgroup_skb: ctx store to read-only len
@type cgroup_skb
@want invalid bpf_context access off=0 size=4
	stw [%r1+0], 0
	mov %r0, 0
	exit

=== cgroup_skb: ctx register store to read-only len
@type cgroup_skb
@want invalid bpf_context access off=0 size=4
	mov %r2, 1
	stxw [%r1+0], %r2
	mov %r0, 0
	exit

=== cgroup_skb: ctx load of forbidden data_meta
@type cgroup_skb
@want invalid bpf_context access off=140 size=4
	ldxw %r0, [%r1+140]
	exit

=== cgroup_skb: ctx load of forbidden tc_classid
@type cgroup_skb
@want invalid bpf_context access off=72 size=4
	ldxw %r0, [%r1+72]
	exit

=== cgroup_skb: ctx load of forbidden wire_len
@type cgroup_skb
@want invalid bpf_context access off=160 size=4
	ldxw %r0, [%r1+160]
	exit

=== cgroup_skb: ctx load of 80 with the wrong size
@type cgroup_skb
@want invalid bpf_context access off=80 size=8
	ldxdw %r0, [%r1+80]
	exit

=== cgroup_skb: ctx load through a modified pointer
@type cgroup_skb
@want dereference of modified ctx ptr
	add %r1, 8
	ldxw %r0, [%r1+0]
	exit

=== cgroup_skb: ctx load at a variable offset
@type cgroup_skb
@want dereference of modified ctx ptr
	mov %r6, %r1
	call 7
	and %r0, 8
	add %r6, %r0
	ldxw %r0, [%r6]
	exit

=== cgroup_skb: ctx misaligned load
@type cgroup_skb
@want invalid bpf_context access off=1
	ldxw %r0, [%r1+1]
	exit

=== cgroup_sock: ctx load past the end
@type cgroup_sock
@want invalid bpf_context access off=80
	ldxw %r0, [%r1+80]
	exit

=== cgroup_sock: ctx load straddling the end
@type cgroup_sock
@want invalid bpf_context access off=76
	ldxdw %r0, [%r1+76]
	exit

=== cgroup_sock: ctx load below the start
@type cgroup_sock
@want invalid bpf_context access off=-8
	ldxw %r0, [%r1-8]
	exit

=== cgroup_sock: ctx store to read-only family
@type cgroup_sock
@want invalid bpf_context access off=4 size=4
	stw [%r1+4], 0
	mov %r0, 0
	exit

=== cgroup_sock: ctx register store to read-only family
@type cgroup_sock
@want invalid bpf_context access off=4 size=4
	mov %r2, 1
	stxw [%r1+4], %r2
	mov %r0, 0
	exit

=== cgroup_sock: ctx load of forbidden src_ip4 at sock_create
@type cgroup_sock
@want invalid bpf_context access off=24 size=4
	ldxw %r0, [%r1+24]
	exit

=== cgroup_sock: ctx load of forbidden src_port at sock_create
@type cgroup_sock
@want invalid bpf_context access off=44 size=4
	ldxw %r0, [%r1+44]
	exit

=== cgroup_sock: ctx load of 0 with the wrong size
@type cgroup_sock
@want invalid bpf_context access off=0 size=8
	ldxdw %r0, [%r1+0]
	exit

=== cgroup_sock: ctx load through a modified pointer
@type cgroup_sock
@want dereference of modified ctx ptr
	add %r1, 8
	ldxw %r0, [%r1+0]
	exit

=== cgroup_sock: ctx load at a variable offset
@type cgroup_sock
@want dereference of modified ctx ptr
	mov %r6, %r1
	call 7
	and %r0, 8
	add %r6, %r0
	ldxw %r0, [%r6]
	exit

=== cgroup_sock: ctx misaligned load
@type cgroup_sock
@want invalid bpf_context access off=1
	ldxw %r0, [%r1+1]
	exit

=== cgroup_sock_addr: ctx load past the end
@type cgroup_sock_addr
@want invalid bpf_context access off=72
	ldxw %r0, [%r1+72]
	exit

=== cgroup_sock_addr: ctx load straddling the end
@type cgroup_sock_addr
@want invalid bpf_context access off=68
	ldxdw %r0, [%r1+68]
	exit

=== cgroup_sock_addr: ctx load below the start
@type cgroup_sock_addr
@want invalid bpf_context access off=-8
	ldxw %r0, [%r1-8]
	exit

=== cgroup_sock_addr: ctx store to read-only user_family
@type cgroup_sock_addr
@want invalid bpf_context access off=0 size=4
	stw [%r1+0], 0
	mov %r0, 0
	exit

=== cgroup_sock_addr: ctx register store to read-only user_family
@type cgroup_sock_addr
@want invalid bpf_context access off=0 size=4
	mov %r2, 1
	stxw [%r1+0], %r2
	mov %r0, 0
	exit

=== cgroup_sock_addr: ctx load of forbidden user_ip6 in connect4
@type cgroup_sock_addr
@want invalid bpf_context access off=8 size=4
	ldxw %r0, [%r1+8]
	exit

=== cgroup_sock_addr: ctx load of forbidden msg_src_ip4 in connect4
@type cgroup_sock_addr
@want invalid bpf_context access off=40 size=4
	ldxw %r0, [%r1+40]
	exit

=== cgroup_sock_addr: ctx load of 28 with the wrong size
@type cgroup_sock_addr
@want invalid bpf_context access off=28 size=8
	ldxdw %r0, [%r1+28]
	exit

=== cgroup_sock_addr: ctx load through a modified pointer
@type cgroup_sock_addr
@want dereference of modified ctx ptr
	add %r1, 8
	ldxw %r0, [%r1+0]
	exit

=== cgroup_sock_addr: ctx load at a variable offset
@type cgroup_sock_addr
@want dereference of modified ctx ptr
	mov %r6, %r1
	call 7
	and %r0, 8
	add %r6, %r0
	ldxw %r0, [%r6]
	exit

=== cgroup_sock_addr: ctx misaligned load
@type cgroup_sock_addr
@want invalid bpf_context access off=1
	ldxw %r0, [%r1+1]
	exit

=== sock_ops: ctx load past the end
@type sock_ops
@want invalid bpf_context access off=224
	ldxw %r0, [%r1+224]
	exit

=== sock_ops: ctx load straddling the end
@type sock_ops
@want invalid bpf_context access off=220
	ldxdw %r0, [%r1+220]
	exit

=== sock_ops: ctx load below the start
@type sock_ops
@want invalid bpf_context access off=-8
	ldxw %r0, [%r1-8]
	exit

=== sock_ops: ctx store to read-only op
@type sock_ops
@want invalid bpf_context access off=0 size=4
	stw [%r1+0], 0
	mov %r0, 0
	exit

=== sock_ops: ctx register store to read-only op
@type sock_ops
@want invalid bpf_context access off=0 size=4
	mov %r2, 1
	stxw [%r1+0], %r2
	mov %r0, 0
	exit

=== sock_ops: ctx load of 20 with the wrong size
@type sock_ops
@want invalid bpf_context access off=20 size=8
	ldxdw %r0, [%r1+20]
	exit

=== sock_ops: ctx load through a modified pointer
@type sock_ops
@want dereference of modified ctx ptr
	add %r1, 8
	ldxw %r0, [%r1+0]
	exit

=== sock_ops: ctx load at a variable offset
@type sock_ops
@want dereference of modified ctx ptr
	mov %r6, %r1
	call 7
	and %r0, 8
	add %r6, %r0
	ldxw %r0, [%r6]
	exit

=== sock_ops: ctx misaligned load
@type sock_ops
@want invalid bpf_context access off=1
	ldxw %r0, [%r1+1]
	exit

=== kprobe: ctx load past the end
@type kprobe
@want invalid bpf_context access off=168
	ldxdw %r0, [%r1+168]
	exit

=== kprobe: ctx load straddling the end
@type kprobe
@want invalid bpf_context access off=164
	ldxdw %r0, [%r1+164]
	exit

=== kprobe: ctx load below the start
@type kprobe
@want invalid bpf_context access off=-8
	ldxdw %r0, [%r1-8]
	exit

=== kprobe: ctx store to read-only r15
@type kprobe
@want invalid bpf_context access off=0 size=8
	stdw [%r1+0], 0
	mov %r0, 0
	exit

=== kprobe: ctx register store to read-only r15
@type kprobe
@want invalid bpf_context access off=0 size=8
	mov %r2, 1
	stxdw [%r1+0], %r2
	mov %r0, 0
	exit

=== kprobe: ctx load through a modified pointer
@type kprobe
@want dereference of modified ctx ptr
	add %r1, 8
	ldxdw %r0, [%r1+0]
	exit

=== kprobe: ctx load at a variable offset
@type kprobe
@want dereference of modified ctx ptr
	mov %r6, %r1
	call 7
	and %r0, 8
	add %r6, %r0
	ldxw %r0, [%r6]
	exit

=== kprobe: ctx misaligned load
@type kprobe
@want invalid bpf_context access off=2
	ldxw %r0, [%r1+2]
	exit

=== tracepoint: ctx load past the end
@type tracepoint
@want invalid bpf_context access off=8192
	ldxdw %r0, [%r1+8192]
	exit

=== tracepoint: ctx load straddling the end
@type tracepoint
@want invalid bpf_context access off=8188
	ldxdw %r0, [%r1+8188]
	exit

=== tracepoint: ctx load below the start
@type tracepoint
@kernel-skip Linux's tp_prog_is_valid_access compares the negative offset with sizeof(void *) as unsigned and accepts it (see doc.go)
@want invalid bpf_context access off=-8
	ldxdw %r0, [%r1-8]
	exit

=== tracepoint: ctx store to read-only first field
@type tracepoint
@want invalid bpf_context access off=8 size=8
	stdw [%r1+8], 0
	mov %r0, 0
	exit

=== tracepoint: ctx register store to read-only first field
@type tracepoint
@want invalid bpf_context access off=8 size=8
	mov %r2, 1
	stxdw [%r1+8], %r2
	mov %r0, 0
	exit

=== tracepoint: ctx load of forbidden common trace_entry fields
@type tracepoint
@want invalid bpf_context access off=0 size=8
	ldxdw %r0, [%r1+0]
	exit

=== tracepoint: ctx load of forbidden common_pid
@type tracepoint
@want invalid bpf_context access off=4 size=4
	ldxw %r0, [%r1+4]
	exit

=== tracepoint: ctx load through a modified pointer
@type tracepoint
@want dereference of modified ctx ptr
	add %r1, 8
	ldxdw %r0, [%r1+0]
	exit

=== tracepoint: ctx load at a variable offset
@type tracepoint
@want dereference of modified ctx ptr
	mov %r6, %r1
	call 7
	and %r0, 8
	add %r6, %r0
	ldxw %r0, [%r6]
	exit

=== tracepoint: ctx misaligned load
@type tracepoint
@want invalid bpf_context access off=9
	ldxw %r0, [%r1+9]
	exit

=== raw_tracepoint: ctx load past the end
@type raw_tracepoint
@want invalid bpf_context access off=96
	ldxdw %r0, [%r1+96]
	exit

=== raw_tracepoint: ctx load straddling the end
@type raw_tracepoint
@want invalid bpf_context access off=92
	ldxdw %r0, [%r1+92]
	exit

=== raw_tracepoint: ctx load below the start
@type raw_tracepoint
@want invalid bpf_context access off=-8
	ldxdw %r0, [%r1-8]
	exit

=== raw_tracepoint: ctx store to read-only args[0]
@type raw_tracepoint
@want invalid bpf_context access off=0 size=8
	stdw [%r1+0], 0
	mov %r0, 0
	exit

=== raw_tracepoint: ctx register store to read-only args[0]
@type raw_tracepoint
@want invalid bpf_context access off=0 size=8
	mov %r2, 1
	stxdw [%r1+0], %r2
	mov %r0, 0
	exit

=== raw_tracepoint: ctx load through a modified pointer
@type raw_tracepoint
@want dereference of modified ctx ptr
	add %r1, 8
	ldxdw %r0, [%r1+0]
	exit

=== raw_tracepoint: ctx load at a variable offset
@type raw_tracepoint
@want dereference of modified ctx ptr
	mov %r6, %r1
	call 7
	and %r0, 8
	add %r6, %r0
	ldxw %r0, [%r6]
	exit

=== raw_tracepoint: ctx misaligned load
@type raw_tracepoint
@want invalid bpf_context access off=2
	ldxw %r0, [%r1+2]
	exit

=== perf_event: ctx load past the end
@type perf_event
@want invalid bpf_context access off=184
	ldxdw %r0, [%r1+184]
	exit

=== perf_event: ctx load straddling the end
@type perf_event
@want invalid bpf_context access off=180
	ldxdw %r0, [%r1+180]
	exit

=== perf_event: ctx load below the start
@type perf_event
@want invalid bpf_context access off=-8
	ldxdw %r0, [%r1-8]
	exit

=== perf_event: ctx store to read-only sample_period
@type perf_event
@want invalid bpf_context access off=168 size=8
	stdw [%r1+168], 0
	mov %r0, 0
	exit

=== perf_event: ctx register store to read-only sample_period
@type perf_event
@want invalid bpf_context access off=168 size=8
	mov %r2, 1
	stxdw [%r1+168], %r2
	mov %r0, 0
	exit

=== perf_event: ctx load through a modified pointer
@type perf_event
@want dereference of modified ctx ptr
	add %r1, 8
	ldxdw %r0, [%r1+0]
	exit

=== perf_event: ctx load at a variable offset
@type perf_event
@want dereference of modified ctx ptr
	mov %r6, %r1
	call 7
	and %r0, 8
	add %r6, %r0
	ldxw %r0, [%r6]
	exit

=== perf_event: ctx misaligned load
@type perf_event
@want invalid bpf_context access off=2
	ldxw %r0, [%r1+2]
	exit

=== sched_cls: ctx half load of data pointer
@type sched_cls
@want invalid bpf_context access off=76 size=2
	ldxh %r0, [%r1+76]
	exit

=== xdp: ctx byte load of data pointer
@want invalid bpf_context access off=0 size=1
	ldxb %r0, [%r1]
	exit

=== sched_cls: ctx store to data pointer
@type sched_cls
@want invalid bpf_context access off=76 size=4
	stw [%r1+76], 0
	mov %r0, 0
	exit

=== xdp: ctx store to data_end
@want invalid bpf_context access off=4 size=4
	stw [%r1+4], 0
	mov %r0, 0
	exit

=== sock_ops: ctx store to op
@type sock_ops
@want invalid bpf_context access off=0 size=4
	stw [%r1], 0
	mov %r0, 0
	exit

=== sock_ops: ctx narrow load of remote_port
@type sock_ops
@want invalid bpf_context access off=64 size=2
	ldxh %r0, [%r1+64]
	exit

=== sock_ops: ctx partial load of sk pointer
@type sock_ops
@want invalid bpf_context access off=184 size=4
	ldxw %r0, [%r1+184]
	exit

=== cgroup_sock_addr: ctx partial load of sk pointer
@type cgroup_sock_addr
@want invalid bpf_context access off=64 size=4
	ldxw %r0, [%r1+64]
	exit

=== cgroup_sock_addr: ctx store to family
@type cgroup_sock_addr
@want invalid bpf_context access off=28 size=4
	stw [%r1+28], 0
	mov %r0, 0
	exit

=== cgroup_sock: ctx store to protocol
@type cgroup_sock
@want invalid bpf_context access off=12 size=4
	stw [%r1+12], 2
	mov %r0, 0
	exit

=== socket_filter: ctx store to priority
@type socket_filter
@want invalid bpf_context access off=32 size=4
	stw [%r1+32], 0
	mov %r0, 0
	exit

=== cgroup_skb: ctx store to tc_index
@type cgroup_skb
@want invalid bpf_context access off=44 size=4
	stw [%r1+44], 0
	mov %r0, 0
	exit

=== sched_cls: ctx 8-byte store across cb
@type sched_cls
@want invalid bpf_context access off=64 size=8
	stdw [%r1+64], 0
	mov %r0, 0
	exit

=== sched_cls: ctx atomic add to mark
@type sched_cls
@want BPF_ATOMIC stores into R1 ctx
	mov %r2, 1
	lock add32 [%r1+8], %r2
	mov %r0, 0
	exit

=== xdp: ctx load through ctx copied then offset
@want dereference of modified ctx ptr
	mov %r2, %r1
	add %r2, 4
	ldxw %r0, [%r2]
	exit

=== xdp: ctx pointer minus constant
@want dereference of modified ctx ptr
	mov %r2, %r1
	add %r2, -4
	ldxw %r0, [%r2+4]
	exit

=== xdp: sign-extending load of data_end
@want invalid bpf_context access off=4 size=4
	ldxsw %r0, [%r1+4]
	exit
