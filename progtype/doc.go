// Package progtype defines eBPF program types: how a run's context is built
// from BPF_PROG_TEST_RUN-style input (Setup), how outputs are collected
// afterwards (Finish), which helpers a type offers, and how a program's
// accesses to the Linux context structure map onto bpfhost's host context
// block (ContextAccess, used by the loader to rewrite them).
//
// Types, by bpftool's name:
//
//   - "xdp": struct xdp_md over a frame in the virtual CPU's packet buffer.
//   - "sched_cls", "sched_act", "socket_filter", "cgroup_skb", "lwt_in",
//     "lwt_out", "lwt_xmit": struct __sk_buff. The host block keeps Linux's layout, with the packet
//     pointers (data, data_end, data_meta) as 64-bit addresses after it.
//     Test runs follow the kernel's bpf_prog_test_run_skb: the frame
//     arrives on the loopback device, tc programs see it from the Ethernet
//     header, the others from the network header (and get it back with a
//     zeroed Ethernet header); ctx_in/ctx_out are struct __sk_buff with
//     the fields the kernel accepts (mark, priority, ingress_ifindex,
//     ifindex, cb, tstamp, wire_len, gso_segs, gso_size, hwtstamp).
//   - "raw_tracepoint": up to 12 u64 arguments; test runs take them as ctx_in.
//   - "cgroup_sock" (struct bpf_sock), "cgroup_sock_addr" (struct
//     bpf_sock_addr), "sock_ops" (struct bpf_sock_ops), "kprobe" (x86-64
//     struct pt_regs), "tracepoint" (the raw trace record) and "perf_event"
//     (struct bpf_perf_event_data): programs load, with their context
//     accesses checked and kept at Linux's offsets, but cannot be test-run,
//     as in the kernel (Setup fails with ENOTSUPP).
//   - "raw": the conformance suite's convention: r1 points to a writable
//     copy of the input, r2 is its length.
//
// ContextAccess follows the kernel's *_is_valid_access functions field by
// field (ctxfields.go): which fields a type may read and write, in which
// sizes, with errors naming the field. Where the rules depend on the attach
// type (cgroup_sock's sock_create or post_bind4, cgroup_sock_addr's
// connect4 or sendmsg6, ...), ForSection returns the type restricted to the
// attach type its section names and ByName one that allows what any attach
// type allows.
//
// The socket-buffer helpers (helpers.TC and friends) keep the sk_buff state
// the kernel keeps beside the packet — protocol, pkt_type, hash, VLAN tag,
// header offsets, checksum level — and refresh the context block when they
// change it. Every test run of testdata/skb.c is compared with the kernel's
// (kernel_skb_test.go), and ContextAccess and the helper tables with the
// kernel's verifier for every offset and helper (kernel_ctx_test.go,
// kernel_helpers_test.go).
//
// Known differences from the kernel: __sk_buff.sk reads as NULL (the kernel's
// test run has a dummy socket); a store to queue_mapping keeps its low 16
// bits where the kernel ignores values of 0xffff and above; with a ctx_in
// ifindex above 1 the frame is still classified as on the loopback device
// (pkt_type), and no device lookup fails; bpf_get_hash_recalc's flow hash is
// deterministic where the kernel's is keyed with a per-boot secret.
package progtype
