package jit_test

// Links the arm64 back end into the jit tests, so that they run natively
// on arm64 (and under qemu-aarch64-static from other hosts).
import _ "github.com/bpfhost/bpfhost/jit/arm64"
