// Package loader turns eBPF object files, as parsed by cilium/ebpf's
// LoadCollectionSpec, into bpfhost programs.
//
// The pipeline has three steps, each usable on its own:
//
//   - Convert takes a cilium/ebpf ProgramSpec (entry function followed by the
//     subprograms it reaches) to isa instruction slots: ld_imm64 becomes two
//     slots, bpf-to-bpf calls and ld_imm64 pseudo-func loads get relative
//     offsets, and map references (map handles and direct value references
//     to global data sections) are recorded symbolically. Things bpfhost
//     cannot honour are errors: kfunc calls, __ksym and __kconfig externs,
//     CO-RE relocations (there is no kernel BTF to relocate against), legacy
//     LD_ABS/LD_IND, programs above one million instructions.
//   - Link gives the map references their registry IDs, producing the
//     *linked form* (ld_imm64 src=PseudoMapFD imm=ID, or src=PseudoMapValue
//     imm=ID and the offset in the second slot) that bpftool-style dumps
//     print and that is persisted; it validates the program structurally and
//     rewrites context accesses for the host layout (RewriteContext).
//   - Finalize turns linked instructions into a runnable vm.Program: map
//     handles, addresses of global data, subprogram handles.
//
// Context rewriting needs to know which registers hold the context pointer.
// A forward dataflow analysis over the control-flow graph tracks it through
// register copies, constant offsets, 8-byte stack spills and calls to
// subprograms; every load or store through the context is then rewritten
// with the program type's ContextAccess (Linux's u32 pointer fields become
// u64 loads of host addresses). An instruction that accesses the context on
// one path and other memory on another is refused, as the kernel refuses it.
package loader
