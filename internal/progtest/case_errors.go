package progtest

// Linux error numbers, negated as helpers return them.
const (
	enoent = -2
	e2big  = -7
	eexist = -17
)

func errorsCase() *Case {
	f := udp4("10.0.0.1", "10.0.0.2", 9, 0) // 60 bytes (padded)
	want := map[int]int64{
		0: 0, 1: 0, 2: e2big, 3: eexist, 4: enoent, 5: einval, 6: enoent, 7: e2big, 8: einval, 9: eexist,
		// Queue of 2: the third push fails, BPF_EXIST drops the oldest (100).
		10: 0, 11: 0, 12: e2big, 13: 0, 14: 0, 15: 101, 16: 0, 17: 103, 18: enoent, 19: enoent,
		// Ring buffer: 8192 bytes cannot be reserved in 4096 (slot 20 stays
		// 0); a discarded 8-byte record still advances the producer by its
		// 8-byte header plus 8.
		20: 0, 21: 4096, 22: 2, 23: 16, 24: 0,
		// bpf_csum_diff, since Linux 6.12 folded to 16 bits and
		// arch-independent (any size): the one's complement sums of the
		// bytes as little-endian words: ~(0x020304 + ~0), folded, is 0xfcf9;
		// 0x01020304+0x05060708+0x1234 = 0x06081c40 folds to 0x2248;
		// 0x05060708 - 0x01020304 = 0x04040404 folds to 0x0808.
		25: 0xfcf9, 26: 0x2248, 27: 0x0808,
		// errors.c keeps the low 32 bits of bpf_loop's -E2BIG: the kernel
		// inlines bpf_loop, and its inlined limit check sets -E2BIG with a
		// 32-bit move, so the program sees 0xfffffff9, not -7.
		28: e2big, 29: einval, 30: 0,
		// "123456789/-42/c0a80001" is 22 bytes: 23 with the NUL.
		31: 23,
		39: einval, 40: 0, 41: 0, 42: 5, 43: 0, 44: enoent,
	}
	var rets []Entry
	for i := 0; i < 48; i++ {
		rets = append(rets, E(U32(uint32(i)), I64(want[i])))
	}
	return &Case{
		Name:      "errors",
		KernelMin: "6.12", // bpf_csum_diff folds to 16 bits since 6.12
		Object:    "testdata/progs/errors.o",
		Steps:     []Step{{Prog: "xdp_errors", In: f, Ret: Pass}},
		Maps: map[string][]Entry{
			"rets":        rets,
			"small_hash":  {E(U32(1), U64(7)), E(U32(2), U64(7))},
			"small_array": {E(U32(0), U64(0)), E(U32(1), U64(0)), E(U32(2), U64(0)), E(U32(3), U64(0))},
			"small_queue": nil,
			"small_ring":  nil,
			"small_lpm":   nil,
			// text[16]: the output cut to 15 bytes and a NUL.
			".bss": {E(U32(0), B([]byte("123456789/-42/c"), []byte{0}))},
		},
	}
}

func recentCase() *Case {
	f := udp4("10.0.0.1", "10.0.0.2", 9, 0) // 60 bytes (padded)
	mac := []byte{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}
	return &Case{
		Name:      "recent",
		KernelMin: "5.18",
		Object:    "testdata/progs/recent.o",
		// Bench needs a step that leaves the frame alone; this one does not.
		Bench: -1,
		Steps: []Step{{Prog: "xdp_recent", In: f, Ret: TX, Out: B(mac, f[6:])}},
		Maps: map[string][]Entry{
			// Length; loads: in bounds 0, then 0 + 100 * -EINVAL for a load
			// one byte past the end; stores: in bounds, past the end;
			// per-CPU lookups on CPU 0 (found) and on CPU 100000 (not).
			"rets": {
				E(U32(0), I64(int64(len(f)))), E(U32(1), I64(0)), E(U32(2), I64(100*einval)), E(U32(3), I64(0)), E(U32(4), I64(einval)),
				E(U32(5), I64(1)), E(U32(6), I64(0)),
			},
			// The MAC and the last two bytes as loaded, before the store.
			".bss": {E(U32(0), B(f[:6], f[len(f)-2:]))},
		},
	}
}
