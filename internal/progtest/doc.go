// Package progtest is the exact-result test corpus for the execution core:
// the C programs of testdata/progs (and the xdp-firewall example), the
// frames they run on, the map contents they start from, and what they must
// return, output and leave in their maps.
//
// A Case is run on a Target: bpfhost (through the public ebpf API) or the
// Linux kernel (internal/kernel, BPF_PROG_TEST_RUN). The expectations were
// written from the programs' logic and frames built independently with
// gopacket, then confirmed on the kernel: TestKernelCorpus checks that the
// kernel meets them and TestKernelDifferential compares every map of every
// object between the two targets, so the tests cannot drift from Linux.
package progtest
