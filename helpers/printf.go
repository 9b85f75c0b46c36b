package helpers

import (
	"strconv"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Limits of the kernel's bpf_bprintf_prepare and bstr_printf.
const (
	printfBufSize  = 1024 // MAX_BPRINTF_BUF: trace_printk's output buffer
	printfBinBytes = 512  // MAX_BPRINTF_BIN_ARGS: room for arguments and copied strings
	maxPrintfArgs  = 12   // MAX_BPRINTF_VARARGS: snprintf's data array
	maxTraceArgs   = 3    // MAX_TRACE_PRINTK_VARARGS
	maxFormatBytes = 64 << 10
)

// printer accumulates formatted text the way bstr_printf does into a
// buffer of limit bytes: text beyond the limit is counted, not kept.
type printer struct {
	out   []byte
	limit int
	total int
}

func (p *printer) put(c byte) {
	if len(p.out) < p.limit {
		p.out = append(p.out, c)
	}
	p.total++
}

func (p *printer) puts(s []byte) {
	for _, c := range s {
		p.put(c)
	}
}

func (p *printer) pad(c byte, n int) {
	for ; n > 0; n-- {
		p.put(c)
	}
}

// spec is one conversion's flags and width.
type spec struct {
	left, plus, space, zero bool
	width                   int
}

// field writes s padded to the spec's width with spaces (strings, chars).
func (p *printer) field(sp spec, s []byte) {
	if !sp.left {
		p.pad(' ', sp.width-len(s))
	}
	p.puts(s)
	if sp.left {
		p.pad(' ', sp.width-len(s))
	}
}

// number writes digits with an optional sign, honouring the flags as the
// kernel's vsprintf number() does: '-' left-justifies, '0' pads with zeros
// after the sign, '+' and ' ' give non-negative signed values a sign.
func (p *printer) number(sp spec, sign byte, digits []byte) {
	n := len(digits)
	if sign != 0 {
		n++
	}
	switch {
	case sp.left:
		if sign != 0 {
			p.put(sign)
		}
		p.puts(digits)
		p.pad(' ', sp.width-n)
	case sp.zero:
		if sign != 0 {
			p.put(sign)
		}
		p.pad('0', sp.width-n)
		p.puts(digits)
	default:
		p.pad(' ', sp.width-n)
		if sign != 0 {
			p.put(sign)
		}
		p.puts(digits)
	}
}

func isSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }
func isPrint(c byte) bool { return c >= 0x20 && c < 0x7f }

// strEnd reports whether c may follow a string conversion (%s, %pks, %pus):
// the kernel accepts only the end of the format, a space or punctuation.
func strEnd(c byte) bool { return c == 0 || isSpace(c) || isPunct(c) }

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
}
func isPunct(c byte) bool {
	return isPrint(c) && c != ' ' && !(c >= '0' && c <= '9') && !(c|0x20 >= 'a' && c|0x20 <= 'z')
}

// bprintf formats f with args as the kernel's bpf_bprintf_prepare validates
// and bstr_printf prints: conversions %d %i %u %x %X with l/ll, %c, %s (and
// %pks/%pus), %p (%px %pK %ps %pS %pB) and %pI4 %pi4 %pI6 %pi6, flags "0+- "
// and a width; at most len(args) conversions. Any other conversion, a
// non-printable character or too many conversions is EINVAL, with no output.
// Memory behind %s and %pI arguments is always range-checked (an unreadable
// string prints empty and an unreadable address as zeros, as in the kernel).
func bprintf(ctx *vm.Context, p *printer, f []byte, args []uint64) maps.Errno {
	at := func(i int) byte {
		if i < len(f) {
			return f[i]
		}
		return 0
	}
	var tmp [64]byte
	bin := 0 // bytes of the kernel's binary-argument buffer used
	nspec := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		if !isPrint(c) && !isSpace(c) {
			return maps.EINVAL
		}
		if c != '%' {
			p.put(c)
			continue
		}
		if at(i+1) == '%' {
			p.put('%')
			i++
			continue
		}
		if nspec >= len(args) {
			return maps.EINVAL
		}
		arg := args[nspec]
		nspec++
		i++
		var sp spec
		for ; ; i++ {
			switch at(i) {
			case '-':
				sp.left = true
				continue
			case '+':
				sp.plus = true
				continue
			case ' ':
				sp.space = true
				continue
			case '0':
				sp.zero = true
				continue
			}
			break
		}
		if c := at(i); c >= '1' && c <= '9' {
			for ; at(i) >= '0' && at(i) <= '9'; i++ {
				if sp.width < 1<<23 { // the kernel's FIELD_WIDTH_MAX
					sp.width = sp.width*10 + int(at(i)-'0')
				}
			}
		}
		switch at(i) {
		case 'p':
			next := at(i + 1)
			switch {
			case (next == 'k' || next == 'u') && at(i+2) == 's':
				i += 2
				if !strEnd(at(i + 1)) {
					return maps.EINVAL
				}
				bin = p.str(ctx, sp, arg, bin)
			case next == 's' || next == 'S' || next == 'B':
				i++
				p.field(sp, strconv.AppendUint(append(tmp[:0], "0x"...), arg, 16))
			case next == 'x' || next == 'K' || next == 0 || isSpace(next) || isPunct(next):
				if next == 'x' || next == 'K' {
					i++
				}
				d := strconv.AppendUint(tmp[:0], arg, 16)
				if sp.width == 0 && !sp.left {
					sp.width, sp.zero = 16, true
				}
				p.number(sp, 0, d)
			case (next == 'i' || next == 'I') && (at(i+2) == '4' || at(i+2) == '6'):
				size := 4
				if at(i+2) == '6' {
					size = 16
				}
				if printfBinBytes-bin < size {
					return maps.ENOSPC
				}
				bin += size
				p.ip(ctx, arg, size, next == 'I')
				i += 2
			default:
				return maps.EINVAL
			}
			// vsprintf skips the letters and digits after a %p conversion
			// (its extension characters): "%pI6c" prints the full address
			// and swallows the c.
			for isAlnum(at(i + 1)) {
				i++
			}
			continue
		case 's':
			if !strEnd(at(i + 1)) {
				return maps.EINVAL
			}
			bin = p.str(ctx, sp, arg, bin)
			continue
		case 'c':
			if bin == printfBinBytes {
				return maps.ENOSPC
			}
			bin++
			tmp[0] = byte(arg)
			p.field(sp, tmp[:1])
			continue
		}
		size := 4
		if at(i) == 'l' {
			size = 8
			i++
			if at(i) == 'l' {
				i++
			}
		}
		bin = (bin + 3) &^ 3
		if printfBinBytes-bin < size {
			return maps.ENOSPC
		}
		bin += size
		if size == 4 {
			arg = uint64(uint32(arg))
		}
		switch at(i) {
		case 'd', 'i':
			v := int64(arg)
			if size == 4 {
				v = int64(int32(uint32(arg)))
			}
			var sign byte
			switch {
			case v < 0:
				sign = '-'
			case sp.plus:
				sign = '+'
			case sp.space:
				sign = ' '
			}
			u := uint64(v)
			if v < 0 {
				u = uint64(-v)
			}
			p.number(sp, sign, strconv.AppendUint(tmp[:0], u, 10))
		case 'u':
			p.number(sp, 0, strconv.AppendUint(tmp[:0], arg, 10))
		case 'x':
			p.number(sp, 0, strconv.AppendUint(tmp[:0], arg, 16))
		case 'X':
			d := strconv.AppendUint(tmp[:0], arg, 16)
			for j, c := range d {
				if c >= 'a' {
					d[j] = c - 'a' + 'A'
				}
			}
			p.number(sp, 0, d)
		default:
			return maps.EINVAL
		}
	}
	return 0
}

// str prints the NUL-terminated string at addr, copied as the kernel copies
// it into the binary-argument buffer (truncated to the room left in it).
func (p *printer) str(ctx *vm.Context, sp spec, addr uint64, bin int) int {
	room := printfBinBytes - bin - 1
	n := 0
	for ; n < room; n++ {
		if !ctx.Check(addr+uint64(n), 1, false) {
			n = 0 // a faulting copy prints the empty string
			break
		}
		if vm.Load8(addr+uint64(n)) == 0 {
			break
		}
	}
	if bin < printfBinBytes {
		bin += n + 1
	}
	p.field(sp, vm.Bytes(addr, n))
	return bin
}

// cString returns the NUL-terminated string at addr without its NUL, testing
// every byte in checked mode; ok is false (and the run aborted) for an
// unreadable byte, or false with no abort when no NUL comes within max bytes.
func cString(ctx *vm.Context, fn int32, arg string, addr uint64, max int) (s []byte, ok bool) {
	for n := 0; n < max; n++ {
		if ctx.Prog.Checked && !ctx.Check(addr+uint64(n), 1, false) {
			ctx.Abort("helper bpf_%s: %s %#x is not readable program memory at byte %d", name(fn), arg, addr, n)
			return nil, false
		}
		if vm.Load8(addr+uint64(n)) == 0 {
			return vm.Bytes(addr, n), true
		}
	}
	return nil, false
}

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
	end := -1
	for i, c := range f {
		if c == 0 {
			end = i
			break
		}
	}
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
