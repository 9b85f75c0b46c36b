package helpers

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/bpfhost/bpfhost/vm"
)

// TestNumBuf compares the digit writers with strconv at the edges of every
// digit count and of the types.
func TestNumBuf(t *testing.T) {
	vals := []uint64{0, 1, 9, 10, 15, 16, 99, 100, 255, 256, 1<<32 - 1, 1 << 32, 1<<63 - 1, 1 << 63, 1<<64 - 1}
	for p := uint64(1); p < 1e19; p *= 10 {
		vals = append(vals, p-1, p, p+1)
	}
	for _, v := range vals {
		var b numBuf
		if got, want := string(b.decimal(v)), strconv.FormatUint(v, 10); got != want {
			t.Errorf("decimal(%d) = %q, want %q", v, got, want)
		}
		if got, want := string(b.hex(v, hexDigits)), strconv.FormatUint(v, 16); got != want {
			t.Errorf("hex(%#x) = %q, want %q", v, got, want)
		}
		if got, want := string(b.hex(v, upperHexDigits)), string(bytes.ToUpper([]byte(strconv.FormatUint(v, 16)))); got != want {
			t.Errorf("upper hex(%#x) = %q, want %q", v, got, want)
		}
	}
}

// TestOctet checks every byte value in both IPv4 forms.
func TestOctet(t *testing.T) {
	for v := 0; v < 256; v++ {
		var b [3]byte
		n := octet(b[:], byte(v), false)
		if got, want := string(b[:n]), strconv.Itoa(v); got != want {
			t.Errorf("octet(%d) = %q, want %q", v, got, want)
		}
		n = octet(b[:], byte(v), true)
		if got, want := string(b[:n]), string([]byte{'0' + byte(v/100), '0' + byte(v/10%10), '0' + byte(v%10)}); got != want {
			t.Errorf("octet(%d) with zeros = %q, want %q", v, got, want)
		}
	}
}

// TestSnprintfConversions formats the conversions whose digits bprintf
// writes itself, with exact expected text (as the kernel prints them).
func TestSnprintfConversions(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	v4 := putString(ctx, 200, "\xc0\x00\x02\x0a")
	v6 := putString(ctx, 240, "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\x00\x01")
	cases := []struct {
		f    string
		args []uint64
		want string
	}{
		{"%d %i %u", []uint64{1<<32 - 5, 1<<32 - 6, 7}, "-5 -6 7"},
		{"%5d|%-5d|%05d|%+d|% d", []uint64{42, 42, 42, 42, 42}, "   42|42   |00042|+42| 42"},
		{"%x %X %lx %llX", []uint64{255, 255, 0xdeadbeefcafe, 1<<64 - 1}, "ff FF deadbeefcafe FFFFFFFFFFFFFFFF"},
		{"%lld %llu %u %d", []uint64{1 << 63, 1<<64 - 1, 0, 1 << 31}, "-9223372036854775808 18446744073709551615 0 -2147483648"},
		{"%pI4 %pi4", []uint64{v4, v4}, "192.0.2.10 192.000.002.010"},
		{"%pI6", []uint64{v6}, "2001:0db8:0000:0000:0000:0000:00ff:0001"},
		{"%pi6", []uint64{v6}, "20010db8000000000000000000ff0001"},
		{"%pS|%8ps|%px|%p", []uint64{0xabc, 0x1f, 0x12, 0}, "0xabc|    0x1f|0000000000000012|0000000000000000"},
		{"%pS", []uint64{1<<64 - 1}, "0xffffffffffffffff"},
		{"a\tb%%c", nil, "a\tb%c"},
	}
	f := 300
	str := ctx.CPU.StackTop() - 100
	for _, c := range cases {
		fa := putString(ctx, f, c.f)
		var data []byte
		for _, a := range c.args {
			data = append(data, u64(a)...)
		}
		d := uint64(0)
		if len(data) > 0 {
			d = stackBuf(ctx, data)
		}
		r := call(t, tab, FnSnprintf, ctx, str, 64, fa, d, uint64(len(data)))
		if got := string(vm.Bytes(str, len(c.want))); r != uint64(len(c.want)+1) || got != c.want {
			t.Errorf("snprintf(%q) = %d %q, want %d %q", c.f, int64(r), got, len(c.want)+1, c.want)
		}
	}
	// A control character in the literal text is refused.
	if r := call(t, tab, FnSnprintf, ctx, str, 64, putString(ctx, f, "ab\x01%d"), stackBuf(ctx, u64(1)), 8); r != errno(22) {
		t.Errorf("snprintf with a control character = %d, want -EINVAL", int64(r))
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
}
