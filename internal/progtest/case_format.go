package progtest

// formatResult is struct result of format.c: the return value and the
// 56-byte buffer (the text, NUL-terminated, zero-filled after).
func formatResult(ret int64, text string) []byte {
	buf := make([]byte, 56)
	copy(buf, text)
	return B(I64(ret), buf)
}

func formatCase() *Case {
	// bpf_snprintf returns the length of the whole output with its NUL,
	// even when the buffer cut it (result 11).
	results := []struct {
		ret  int64
		text string
	}{
		{8, "-5 -6 7"},
		{19, "   42|42   |00042|"},
		{36, "ff FF deadbeefcafe ffffffffffffffff"},
		{15, "ab|   ab|ab  |"},
		{4, "xyz"},
		{26, "192.0.2.1 192.000.002.001"},
		{40, "2001:0db8:0000:0000:0000:0000:0000:0001"},
		{33, "20010db8000000000000000000000001"},
		{17, "100% -9000000000"},
		{11, "4294967295"}, // %u and %d take 32 bits
		{2, "5"},
		{73, "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghi"},
		{24, "18446744073709551615 -1"},
		{11, "1223334444"},
	}
	var bss []byte
	for _, r := range results {
		bss = append(bss, formatResult(r.ret, r.text)...)
	}
	// bpf_trace_printk returns the length written, without a NUL:
	// "format: -1 2", "format: beef ab", "format: 192.0.2.1".
	bss = append(bss, B(I64(12), I64(15), I64(17))...)
	return &Case{
		Name:   "format",
		Object: "testdata/progs/format.o",
		Steps:  []Step{{Prog: "xdp_format", In: tcp4("10.0.0.1", "10.0.0.2", 80, 0), Ret: Pass}},
		Maps:   map[string][]Entry{".bss": {E(U32(0), bss)}},
	}
}
