// Command bpfhost-conformance is a plugin for the upstream bpf_conformance
// runner (bpf_conformance_runner --plugin_path bpfhost-conformance).
//
// Protocol: the program's bytes arrive on standard input as hex (the runner
// writes them as space-separated two-digit bytes); the input memory, when
// the test has some, is the first argument in the same form; plugin options
// follow. The plugin prints r0 in hex on standard output and exits 0, or
// prints the error on standard error and exits 1.
//
// Options:
//
//	--engine=interpreter|jit|auto   engine to run on (default: $BPFHOST_ENGINE, else auto;
//	                                until the JIT lands, jit and auto use the interpreter)
package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bpfhost/bpfhost/conformance/harness"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/vm"
)

func main() {
	r0, err := run(os.Args[1:], os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%x\n", r0)
}

// run executes the plugin protocol: args as passed by the runner, program
// hex on stdin.
func run(args []string, stdin io.Reader) (uint64, error) {
	var mem []byte
	engine := ""
	for i, a := range args {
		switch {
		case i == 0 && !strings.HasPrefix(a, "--"):
			m, err := decodeHex(a)
			if err != nil {
				return 0, fmt.Errorf("memory argument: %w", err)
			}
			mem = m
		case strings.HasPrefix(a, "--engine="):
			engine = strings.TrimPrefix(a, "--engine=")
		case a == "--elf":
			return 0, fmt.Errorf("ELF input (--elf) is not supported; run the runner without --elf")
		default:
			return 0, fmt.Errorf("unknown option %q (usage: bpfhost-conformance [memory-hex] [--engine=interpreter|jit|auto] < program-hex)", a)
		}
	}
	eng, err := harness.Engine(engine)
	if err != nil {
		return 0, err
	}
	in, err := io.ReadAll(stdin)
	if err != nil {
		return 0, fmt.Errorf("reading the program: %w", err)
	}
	code, err := decodeHex(string(in))
	if err != nil {
		return 0, fmt.Errorf("program: %w", err)
	}
	insns, err := isa.Decode(code)
	if err != nil {
		return 0, fmt.Errorf("program: %w", err)
	}
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		return 0, err
	}
	defer cpus.Close()
	return harness.Run(eng, cpus, "conformance", insns, mem)
}

// decodeHex reads hex digits, ignoring whitespace between them (the runner
// separates bytes with spaces).
func decodeHex(s string) ([]byte, error) {
	var b strings.Builder
	for _, f := range strings.Fields(s) {
		f = strings.TrimPrefix(strings.TrimPrefix(f, "0x"), "0X")
		if len(f)%2 == 1 {
			f = "0" + f // a single-digit byte
		}
		b.WriteString(f)
	}
	out, err := hex.DecodeString(b.String())
	if err != nil {
		return nil, fmt.Errorf("invalid hex: %w", err)
	}
	return out, nil
}
