package helpers

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// putString places s and a NUL in program memory (the stack) at offset off
// below the top and returns its address.
func putString(ctx *vm.Context, off int, s string) uint64 {
	addr := ctx.CPU.StackTop() - uint64(off)
	for i := 0; i < len(s); i++ {
		vm.Store8(addr+uint64(i), uint64(s[i]))
	}
	vm.Store8(addr+uint64(len(s)), 0)
	return addr
}

func TestTracePrintk(t *testing.T) {
	ctx := newCtx(t)
	var out bytes.Buffer
	ctx.Trace = &out
	str := putString(ctx, 480, "hello")
	ip4 := stackBuf(ctx, []byte{192, 168, 1, 20})
	cases := []struct {
		fmt  string
		args [3]uint64
		want string
	}{
		{"plain\n", [3]uint64{}, "plain\n"},
		{"no newline", [3]uint64{}, "no newline"},
		{"%d %i %u", [3]uint64{0xffffffff, 0x1_0000_0007, 0xffffffff}, "-1 7 4294967295"},
		{"%ld %lu %lld", [3]uint64{^uint64(0), ^uint64(0), 1 << 40}, "-1 18446744073709551615 1099511627776"},
		{"%x %lx %llX", [3]uint64{0xdeadbeefcafe, 0xdeadbeefcafe, 0xabcdef}, "beefcafe deadbeefcafe ABCDEF"},
		{"[%5d|%-5d|%05d]", [3]uint64{42, 42, 42}, "[   42|42   |00042]"},
		{"[%+d|% d|%+05d]", [3]uint64{7, 7, uint64(1<<32 - 7)}, "[+7| 7|-0007]"},
		{"%s! %c%%", [3]uint64{str, 'x'}, "hello! x%"},
		{"[%8s|%-8s]", [3]uint64{str, str}, "[   hello|hello   ]"},
		{"%p %px", [3]uint64{0x1234, 0xffff8880abcd}, "0000000000001234 0000ffff8880abcd"},
		{"%pI4 %pi4", [3]uint64{ip4, ip4}, "192.168.1.20 192.168.001.020"},
		{"%s|", [3]uint64{0x10}, "|"}, // unreadable strings print empty
		{"%pks %pus", [3]uint64{str, str}, "hello hello"},
		{"%pI4c|%pxyz", [3]uint64{ip4, 0xab}, "192.168.1.20|00000000000000ab"}, // letters after %p are swallowed
	}
	tab := Generic()
	for _, c := range cases {
		out.Reset()
		f := putString(ctx, 256, c.fmt)
		r := call(t, tab, FnTracePrintk, ctx, f, uint64(len(c.fmt)+1), c.args[0], c.args[1], c.args[2])
		want := c.want
		if !strings.HasSuffix(want, "\n") {
			want += "\n"
		}
		if out.String() != want {
			t.Errorf("trace_printk(%q) wrote %q, want %q", c.fmt, out.String(), want)
		}
		if r != uint64(len(c.want)) {
			t.Errorf("trace_printk(%q) = %d, want %d", c.fmt, int64(r), len(c.want))
		}
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
}

func TestTracePrintkErrors(t *testing.T) {
	ctx := newCtx(t)
	var out bytes.Buffer
	ctx.Trace = &out
	tab := Generic()
	for _, f := range []string{
		"%d %d %d %d", // more than 3 conversions
		"%q",          // unknown conversion
		"%.3d",        // precision is not supported
		"%lf",         // not an integer conversion
		"tab\x01",     // not printable
		"bad %pZ",     // unknown pointer format
		"%",           // conversion cut short
	} {
		addr := putString(ctx, 256, f)
		if r := call(t, tab, FnTracePrintk, ctx, addr, uint64(len(f)+1), 1, 2, 3); r != errno(maps.EINVAL) {
			t.Errorf("trace_printk(%q) = %d, want -EINVAL", f, int64(r))
		}
	}
	// fmt_size must cover the NUL.
	addr := putString(ctx, 256, "abc")
	if r := call(t, tab, FnTracePrintk, ctx, addr, 3); r != errno(maps.EINVAL) {
		t.Errorf("trace_printk without NUL in fmt_size = %d, want -EINVAL", int64(r))
	}
	if out.Len() != 0 {
		t.Errorf("failed calls wrote %q", out.String())
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
	// A fmt pointer outside program memory aborts.
	call(t, tab, FnTracePrintk, ctx, 0x1000, 8)
	if ctx.Err() == nil {
		t.Fatal("trace_printk with a bad fmt pointer did not abort")
	}
}

func TestTracePrintkTruncates(t *testing.T) {
	ctx := newCtx(t)
	var out bytes.Buffer
	ctx.Trace = &out
	f := putString(ctx, 256, "%01200d")
	r := call(t, Generic(), FnTracePrintk, ctx, f, 8, 5)
	if r != 1200 {
		t.Fatalf("return = %d, want the untruncated length 1200", r)
	}
	if out.Len() != printfBufSize-1+1 { // 1023 characters and the line's newline
		t.Fatalf("wrote %d bytes, want 1024", out.Len())
	}
}

func TestSnprintf(t *testing.T) {
	ctx := newCtx(t)
	tab := Generic()
	f := putString(ctx, 200, "%s=%d,%x")
	name := putString(ctx, 100, "key")
	// (Built with bytes.Join: nested appends of the u64 results here crash
	// the Go 1.26.8 compiler, "disjointTypes: one of arguments is not a pointer".)
	data := stackBuf(ctx, bytes.Join([][]byte{u64(name), u64(1<<32 - 5), u64(255)}, nil))
	str := ctx.CPU.StackTop() - 300

	r := call(t, tab, FnSnprintf, ctx, str, 64, f, data, 24)
	if got := string(vm.Bytes(str, int(r))); r != 10 || got != "key=-5,ff\x00" {
		t.Fatalf("snprintf = %d %q, want 10 %q", r, got, "key=-5,ff\x00")
	}
	// Truncated: str_size 5 keeps 4 characters and the NUL; the return value
	// still counts everything.
	r = call(t, tab, FnSnprintf, ctx, str, 5, f, data, 24)
	if got := string(vm.Bytes(str, 5)); r != 10 || got != "key=\x00" {
		t.Fatalf("truncated snprintf = %d %q, want 10 %q", r, got, "key=\x00")
	}
	// Unaligned, too long, NULL data, too few arguments for the format.
	badLens := []uint64{7, 13 * 8, 8, 16}
	badData := []uint64{data, data, 0, data}
	for i, n := range badLens {
		if r := call(t, tab, FnSnprintf, ctx, str, 64, f, badData[i], n); r != errno(maps.EINVAL) {
			t.Errorf("snprintf with data_len %d, data %#x = %d, want -EINVAL", n, badData[i], int64(r))
		}
	}
	// str_size 0: nothing written, the length is still reported.
	if r := call(t, tab, FnSnprintf, ctx, 0, 0, f, data, 24); r != 10 {
		t.Fatalf("snprintf into nothing = %d, want 10", r)
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
}

func TestPrintfDoesNotAllocate(t *testing.T) {
	ctx := newCtx(t)
	var out bytes.Buffer
	out.Grow(1 << 20)
	ctx.Trace = &out
	f := putString(ctx, 256, "v=%d %s %c %pI4\n")
	s := putString(ctx, 100, "abc")
	h := Generic().Lookup(FnTracePrintk)
	h(ctx, f, 20, 1, s, 'x') // warm the per-CPU state
	allocs := testing.AllocsPerRun(100, func() { h(ctx, f, 20, 1, s, 'x') })
	if allocs != 0 {
		t.Fatalf("trace_printk allocates %.1f times per call", allocs)
	}
}
