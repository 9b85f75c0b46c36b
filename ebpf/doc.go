// Package ebpf is bpfhost's public Go API, shaped like cilium/ebpf's: load
// an object file built with clang -target bpf into a CollectionSpec, adjust
// it (global variables, map sizes), create a Collection of maps and
// programs, then run programs (Program.Run, the BPF_PROG_TEST_RUN
// equivalent) and read or write maps from Go.
//
//	spec, err := ebpf.LoadCollectionSpec("prog.o")
//	spec.Variables["cfg"].Set(uint32(3)) // const volatile, before load
//	coll, err := ebpf.NewCollection(spec)
//	defer coll.Close()
//	ret, err := coll.Programs["xdp_prog"].Run(&ebpf.RunOptions{Data: pkt})
//	err = coll.Maps["counters"].Lookup(uint32(0), &count)
//
// Keys and values are marshalled like cilium/ebpf's: byte slices as they
// are, encoding.BinaryMarshaler/Unmarshaler, or fixed-size values (and
// pointers to them) through encoding/binary in host byte order. Per-CPU
// maps take and return slices with one value per possible CPU.
//
// Programs run in the interpreter (a JIT when one exists): choose with
// CollectionOptions.Engine or the BPFHOST_ENGINE environment variable
// ("interpreter", "jit", "auto"). Maps are reference counted: a map lives
// until its handles are closed and no loaded program uses it.
//
// Every program is verified when it is loaded (NewCollection,
// NewProgramFromXlated), in its linked form, with its maps and its
// attach-type-specific program type; a refusal is a *VerifierError whose
// message reads like the kernel's log (CollectionOptions.LogLevel for the
// full log). Verified programs run without per-access checks, natively
// where the JIT exists. UnsafeSkipVerifier (or BPFHOST_UNSAFE_SKIP_VERIFIER=1)
// loads a program unverified into the bounds-checked interpreter only.
// VerifySpec verifies a spec's programs without loading anything.
//
// Malformed object files are reported as errors; a panic inside the ELF/BTF
// parser is recovered and returned as an error too, so bad input cannot
// crash the host.
package ebpf
