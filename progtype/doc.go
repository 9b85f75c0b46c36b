// Package progtype defines eBPF program types: how a run's context is built
// from BPF_PROG_TEST_RUN-style input (Setup), how outputs are collected
// afterwards (Finish), which helpers a type offers, and how a program's
// accesses to the Linux context structure map onto bpfhost's host context
// block (ContextAccess, used by the loader to rewrite them).
//
// Types: XDP ("xdp", struct xdp_md over a frame in the virtual CPU's packet
// buffer) and Raw ("raw", the conformance suite's convention: r1 points to a
// writable copy of the input, r2 is its length).
package progtype
