//go:build !linux && !darwin && !freebsd && !windows

package execmem

func mapRW(n int) ([]byte, error) { return nil, ErrUnsupported }

func protectRX(mem []byte) error { return ErrUnsupported }

func unmap(mem []byte) error { return nil }
