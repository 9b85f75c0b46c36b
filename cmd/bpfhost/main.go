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
//
// `bpfhost serve [--root DIR] [--socket PATH] [--group NAME]
// [--idle-timeout D] [--metrics-addr ADDR]` runs the service that owns a
// state directory; while it runs, the other commands are sent to it.
// `bpfhost service install|uninstall` registers it with the OS.
package main

import (
	"os"

	"github.com/bpfhost/bpfhost/internal/cli"
	"github.com/bpfhost/bpfhost/service"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "serve":
			os.Exit(service.Main(os.Args[2:], os.Stderr))
		case "service":
			os.Exit(service.InstallMain(os.Args[2:], os.Stdout, os.Stderr))
		}
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
