// Command bpfhost is bpftool for eBPF hosted in user space: the same
// command line, output and errors, over programs and maps that live in a
// state directory and run in bpfhost's engines instead of the kernel.
//
//	bpfhost prog loadall prog.o /sys/fs/bpf/progs pinmaps /sys/fs/bpf/maps
//	bpfhost -j prog run pinned /sys/fs/bpf/progs/xdp_main data_in pkt.bin repeat 100
//	bpfhost -j map dump pinned /sys/fs/bpf/maps/counters
//
// Global options (anywhere on the line): -j/--json, -p/--pretty,
// -d/--debug, -f/--bpffs, -V/--version, --engine=interpreter|jit|auto (or
// BPFHOST_ENGINE), --root=DIR (or BPFHOST_ROOT), --cpus=N.
package main

import (
	"os"

	"github.com/bpfhost/bpfhost/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
