package helpers

import (
	"bytes"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// cString returns the NUL-terminated string at addr without its NUL, testing
// every byte in checked mode; ok is false (and the run aborted) for an
// unreadable byte, or false with no abort when no NUL comes within max bytes.
func cString(ctx *vm.Context, fn int32, arg string, addr uint64, max int) (s []byte, ok bool) {
	if ctx.Prog.Checked {
		n, ok := strLen(ctx, addr, max)
		if !ok {
			ctx.Abort("helper bpf_%s: %s %#x is not readable program memory at byte %d", name(fn), arg, addr, n)
			return nil, false
		}
		if n == max {
			return nil, false
		}
		return vm.Bytes(addr, n), true
	}
	// A verified program's string is readable up to its NUL. Scan a page
	// at a time: IndexByte may read around the bytes it is given, but
	// never outside their page, and a page holding a readable byte is
	// mapped whole.
	for n := 0; n < max; {
		a := addr + uint64(n)
		chunk := min(max-n, int(minPage-a%minPage))
		if i := bytes.IndexByte(vm.Bytes(a, chunk), 0); i >= 0 {
			return vm.Bytes(addr, n+i), true
		}
		n += chunk
	}
	return nil, false
}

// minPage is the smallest page size of the supported platforms.
const minPage = 4096

// tracePrintk is bpf_trace_printk(fmt, fmt_size, arg1, arg2, arg3). The
// message goes to ctx.Trace as one line (a newline is added when the format
// does not end with one, as trace_pipe shows every event on its own line);
// the return value is the length of the formatted message, as bstr_printf
// reports it.
func tracePrintk(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
	size := int(uint32(r2))
	if size == 0 {
		return neg(maps.EINVAL)
	}
	f, ok := mem(ctx, FnTracePrintk, "fmt", r1, size, false)
	if !ok {
		return 0
	}
	end := bytes.IndexByte(f, 0)
	if end < 0 {
		return neg(maps.EINVAL)
	}
	s := state(ctx)
	args := [maxTraceArgs]uint64{r3, r4, r5}
	p := printer{out: s.text[:0], limit: printfBufSize - 1}
	if e := bprintf(ctx, &p, f[:end], args[:]); e != 0 {
		return neg(e)
	}
	s.text = p.out
	if ctx.Trace != nil {
		line := p.out
		if len(line) == 0 || line[len(line)-1] != '\n' {
			line = append(line, '\n')
			s.text = line
		}
		ctx.Trace.Write(line)
	}
	return uint64(p.total)
}

// snprintf is bpf_snprintf(str, str_size, fmt, data, data_len): fmt is
// formatted with the u64 array data into str (NUL-terminated, truncated to
// str_size); the return value is the length of the full output plus the NUL.
func snprintf(ctx *vm.Context, r1, r2, r3, r4, r5 uint64) uint64 {
	dataLen := uint32(r5)
	if dataLen&7 != 0 || dataLen > maxPrintfArgs*8 || (dataLen != 0 && r4 == 0) {
		return neg(maps.EINVAL)
	}
	data, ok := mem(ctx, FnSnprintf, "data", r4, int(dataLen), false)
	if !ok {
		return 0
	}
	var args [maxPrintfArgs]uint64
	n := int(dataLen / 8)
	for i := 0; i < n; i++ {
		args[i] = vm.Load64(vm.AddrOf(data) + uint64(i*8))
	}
	f, ok := cString(ctx, FnSnprintf, "fmt", r3, maxFormatBytes)
	if !ok {
		if ctx.Err() != nil {
			return 0
		}
		return neg(maps.EINVAL)
	}
	size := int(uint32(r2))
	str, ok := mem(ctx, FnSnprintf, "str", r1, size, true)
	if !ok {
		return 0
	}
	s := state(ctx)
	p := printer{out: s.text[:0], limit: max(size-1, 0)}
	if e := bprintf(ctx, &p, f, args[:n]); e != 0 {
		return neg(e)
	}
	s.text = p.out
	if size > 0 {
		copy(str, p.out)
		str[len(p.out)] = 0
	}
	return uint64(p.total) + 1
}
