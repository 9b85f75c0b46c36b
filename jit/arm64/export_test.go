package arm64

// SetLSE chooses LSE atomics (true) or LDAXR/STLXR loops (false) for code
// compiled from now on and returns the previous choice, so tests can run
// both forms on one CPU (qemu implements LSE).
func SetLSE(v bool) bool {
	old := useLSE
	useLSE = v
	return old
}
