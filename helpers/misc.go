package helpers

import (
	"math/rand/v2"
	"os"

	"github.com/bpfhost/bpfhost/vm"
)

// getPrandomU32 is bpf_get_prandom_u32(). The runtime's per-thread generator
// is lock-free and does not allocate; like the kernel's, it is not for
// cryptographic use by contract (though it happens to be ChaCha8-based).
func getPrandomU32(*vm.Context, uint64, uint64, uint64, uint64, uint64) uint64 {
	return uint64(rand.Uint32())
}

// getSmpProcessorID is bpf_get_smp_processor_id(): the virtual CPU's number.
func getSmpProcessorID(ctx *vm.Context, _, _, _, _, _ uint64) uint64 {
	return uint64(ctx.CPU.ID)
}

// pidTgid is the value of bpf_get_current_pid_tgid(): the "current task" of
// a hosted program is the host process, so both halves are its process ID
// (tgid in the upper 32 bits, pid in the lower, as the kernel packs them).
var pidTgid = uint64(uint32(os.Getpid()))<<32 | uint64(uint32(os.Getpid()))

// getCurrentPidTgid is bpf_get_current_pid_tgid().
func getCurrentPidTgid(*vm.Context, uint64, uint64, uint64, uint64, uint64) uint64 {
	return pidTgid
}

// strncmp is bpf_strncmp(s1, s1_sz, s2): the kernel's strncmp of at most
// s1_sz bytes, returning -1, 0 or 1 (compared as unsigned chars). s2 must be
// NUL-terminated; in checked mode each byte of it is checked before reading.
func strncmp(ctx *vm.Context, r1, r2, r3, _, _ uint64) uint64 {
	n := int(uint32(r2))
	s1, ok := mem(ctx, FnStrncmp, "s1", r1, n, false)
	if !ok {
		return 0
	}
	for i := 0; i < n; i++ {
		if ctx.Prog.Checked && !ctx.Check(r3+uint64(i), 1, false) {
			ctx.Abort("helper bpf_strncmp: s2 %#x is not readable program memory at byte %d", r3, i)
			return 0
		}
		c1, c2 := s1[i], byte(vm.Load8(r3+uint64(i)))
		if c1 != c2 {
			if c1 < c2 {
				return ^uint64(0) // -1
			}
			return 1
		}
		if c1 == 0 {
			break
		}
	}
	return 0
}
