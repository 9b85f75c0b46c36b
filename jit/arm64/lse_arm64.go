package arm64

import "golang.org/x/sys/cpu"

// detectLSE reports whether this CPU has the ARMv8.1 atomics.
func detectLSE() bool { return cpu.ARM64.HasATOMICS }
