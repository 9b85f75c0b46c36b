//go:build !linux

package service

import "testing"

// benchKernel: the kernel comparison runs on Linux only.
func benchKernel(b *testing.B, keys, vals [][]byte) {}
