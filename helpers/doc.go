// Package helpers implements the eBPF helper functions bpfhost offers, by
// their Linux numbers and with the kernel's semantics: the same argument
// conventions, the same limits and the same return values (-errno as a
// uint64 where the kernel returns an error).
//
// Helpers receive the run's vm.Context and r1-r5. Map arguments arrive as
// vm.MapHandle values and are resolved through the maps registry; a value
// that is not a live map handle is answered with -EINVAL (or NULL for the
// helpers returning pointers) instead of crashing, because an unverified
// program can pass anything. In checked mode (vm.Program.Checked) every
// pointer argument is tested with ctx.Check before a helper touches it, and a
// bad pointer aborts the run with an error naming the helper and the argument.
//
// Program types compose their helper tables from the builders here: Generic
// for the helpers every type offers (maps, clocks, ring buffers, spin locks,
// ...), XDP for the packet helpers of XDP programs, TC, SocketFilter and
// CgroupSKB for the socket-buffer helpers of those types, following the
// kernel's func_proto sets for the helpers bpfhost has. Tables are built
// once and shared; dispatch is an array index and an indirect call, and no
// helper allocates on its success path.
package helpers
