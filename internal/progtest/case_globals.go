package progtest

import "github.com/bpfhost/bpfhost/internal/progtest/pkt"

func globalsCase() *Case {
	t := tcp4("10.0.0.1", "10.0.0.2", 80, 0) // 60 bytes (padded)
	u6 := pkt.Build(pkt.Spec{Src: "2001:db8::1", Dst: "2001:db8::2", Proto: udp, SPort: 1, DPort: 2})
	line := []byte("62 bytes, ethertype 86dd (ipv6)")
	digest := (uint64(0)^7)*31 + 60
	digest = (digest^7)*31 + 62
	return &Case{
		Name:   "globals",
		Object: "testdata/progs/globals.o",
		Vars:   map[string]any{"min_len": uint32(50), "salt": uint64(7)},
		Steps: []Step{
			{Prog: "xdp_globals", In: t, Ret: Pass},
			{Prog: "xdp_globals", In: t[:40], Ret: Drop},
			{Prog: "xdp_globals", In: u6, Ret: Pass},
		},
		Maps: map[string][]Entry{
			".data": {E(U32(0), U64(102))},
			// In clang's layout (llvm-objdump -t globals.o): bytes, digest,
			// printk_ret ("globals: len 62 class 3" is 23 bytes), line[64],
			// snprintf_ret (the length with the NUL).
			".bss": {E(U32(0), B(U64(60+62), U64(digest), I64(23), line, Zero(64-len(line)), I64(int64(len(line)+1))))},
		},
	}
}
