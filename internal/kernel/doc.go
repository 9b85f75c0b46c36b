// Package kernel loads eBPF objects into the running Linux kernel with
// github.com/cilium/ebpf and runs them with BPF_PROG_TEST_RUN, so that tests
// and the benchmark can compare bpfhost against the real thing on the same
// objects, frames and map contents.
//
// Map dumps use one canonical form shared with the bpfhost side (see Entry):
// entries sorted by key; per-CPU values summed lane by lane as little-endian
// u64s (the CPU a test run lands on is the scheduler's choice, the sum is
// not); queues and stacks popped empty in pop order; ring buffers drained in
// submission order; perf event arrays drained (perf readers are attached
// at load) and sorted by sample bytes, as samples of different CPUs have no
// common order. Dumping is therefore destructive for those kinds.
package kernel
