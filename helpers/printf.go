package helpers

import (
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

func isSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }
func isPrint(c byte) bool { return c >= 0x20 && c < 0x7f }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }
func isPunct(c byte) bool { return isPrint(c) && c != ' ' && !isAlnum(c) }

// strEnd reports whether c may follow a string conversion (%s, %pks, %pus):
// the kernel accepts only the end of the format, a space or punctuation.
func strEnd(c byte) bool { return c == 0 || isSpace(c) || isPunct(c) }

// format is the state of one bprintf call: the format, the position in it,
// and the bytes of the kernel's binary-argument buffer used so far (whose
// size bounds the arguments and copied strings of one call).
type format struct {
	f   []byte
	i   int
	bin int
}

// at returns the format byte at i, or 0 (the kernel's NUL) past the end.
func (s *format) at(i int) byte {
	if i < len(s.f) {
		return s.f[i]
	}
	return 0
}

// spec reads the optional flags and width of a conversion; s.i ends on the
// conversion character.
func (s *format) spec() spec {
	var sp spec
	for ; ; s.i++ {
		switch s.at(s.i) {
		case '-':
			sp |= specLeft
		case '+':
			sp |= specPlus
		case ' ':
			sp |= specSpace
		case '0':
			sp |= specZero
		default:
			width := 0
			for isDigit(s.at(s.i)) {
				if width < 1<<23 { // the kernel's FIELD_WIDTH_MAX
					width = width*10 + int(s.at(s.i)-'0')
				}
				s.i++
			}
			return sp.withWidth(width)
		}
	}
}

// reserve takes n bytes of the binary-argument buffer, 4-byte aligned for
// numbers; ENOSPC when they do not fit.
func (s *format) reserve(n int, align bool) maps.Errno {
	if align {
		s.bin = (s.bin + 3) &^ 3
	}
	if printfBinBytes-s.bin < n {
		return maps.ENOSPC
	}
	s.bin += n
	return 0
}

// bprintf formats f with args as the kernel's bpf_bprintf_prepare validates
// and bstr_printf prints: conversions %d %i %u %x %X with l/ll, %c, %s (and
// %pks/%pus), %p (%px %pK %ps %pS %pB) and %pI4 %pi4 %pI6 %pi6, flags "0+- "
// and a width; at most len(args) conversions. Any other conversion, a
// non-printable character or too many conversions is EINVAL, with no output.
// Memory behind %s and %pI arguments is always range-checked (an unreadable
// string prints empty and an unreadable address as zeros, as in the kernel).
func bprintf(ctx *vm.Context, p *printer, f []byte, args []uint64) maps.Errno {
	s := format{f: f}
	nspec := 0
	for ; s.i < len(f); s.i++ {
		// Copy the literal text up to the next conversion in one piece.
		j := s.i
		for j < len(f) && literalClass[f[j]] == litPlain {
			j++
		}
		p.puts(f[s.i:j])
		if s.i = j; j == len(f) {
			break
		}
		if literalClass[f[j]] == litInvalid {
			return maps.EINVAL
		}
		if s.at(s.i+1) == '%' {
			p.put('%')
			s.i++
			continue
		}
		if nspec >= len(args) {
			return maps.EINVAL
		}
		arg := args[nspec]
		nspec++
		s.i++
		sp := s.spec()
		var err maps.Errno
		switch s.at(s.i) {
		case 'p':
			err = p.pointer(ctx, &s, sp, arg)
		case 's':
			if !strEnd(s.at(s.i + 1)) {
				return maps.EINVAL
			}
			p.str(ctx, &s, sp, arg)
		case 'c':
			if err = s.reserve(1, false); err == 0 {
				c := [1]byte{byte(arg)}
				p.field(sp, c[:])
			}
		default:
			err = p.integer(&s, sp, arg)
		}
		if err != 0 {
			return err
		}
	}
	return 0
}

// pointer prints a %p conversion; s.i is on the 'p'.
func (p *printer) pointer(ctx *vm.Context, s *format, sp spec, arg uint64) maps.Errno {
	var tmp numBuf
	next := s.at(s.i + 1)
	switch {
	case (next == 'k' || next == 'u') && s.at(s.i+2) == 's':
		s.i += 2
		if !strEnd(s.at(s.i + 1)) {
			return maps.EINVAL
		}
		p.str(ctx, s, sp, arg)
	case next == 's' || next == 'S' || next == 'B':
		// Symbols: bpfhost has none, and the kernel prints an address it
		// cannot resolve this way.
		s.i++
		d := tmp.hex(arg, hexDigits)
		i := len(tmp) - len(d) - 2 // 16 digits at most: room for "0x"
		tmp[i], tmp[i+1] = '0', 'x'
		p.field(sp, tmp[i:])
	case next == 'x' || next == 'K' || next == 0 || isSpace(next) || isPunct(next):
		// Plain %p is the raw value here: there is no kernel address to
		// hide behind a hash.
		if next == 'x' || next == 'K' {
			s.i++
		}
		if sp.width() == 0 && !sp.left() {
			sp = sp.withWidth(16) | specZero
		}
		p.number(sp, 0, tmp.hex(arg, hexDigits))
	case (next == 'i' || next == 'I') && (s.at(s.i+2) == '4' || s.at(s.i+2) == '6'):
		size := 4
		if s.at(s.i+2) == '6' {
			size = 16
		}
		if err := s.reserve(size, false); err != 0 {
			return err
		}
		p.ip(ctx, arg, size, next == 'I')
		s.i += 2
	default:
		return maps.EINVAL
	}
	// vsprintf skips the letters and digits after a %p conversion (its
	// extension characters): "%pI6c" prints the full address and swallows
	// the c.
	for isAlnum(s.at(s.i + 1)) {
		s.i++
	}
	return 0
}

// integer prints %d %i %u %x %X with an optional l or ll; s.i is on the
// first character after the flags and width.
func (p *printer) integer(s *format, sp spec, arg uint64) maps.Errno {
	size := 4
	if s.at(s.i) == 'l' {
		size = 8
		s.i++
		if s.at(s.i) == 'l' {
			s.i++
		}
	}
	if err := s.reserve(size, true); err != 0 {
		return err
	}
	if size == 4 {
		arg = uint64(uint32(arg))
	}
	var tmp numBuf
	switch s.at(s.i) {
	case 'd', 'i':
		v := int64(arg)
		if size == 4 {
			v = int64(int32(uint32(arg)))
		}
		var sign byte
		switch {
		case v < 0:
			sign = '-'
		case sp.plus():
			sign = '+'
		case sp.space():
			sign = ' '
		}
		u := uint64(v)
		if v < 0 {
			u = -u
		}
		p.number(sp, sign, tmp.decimal(u))
	case 'u':
		p.number(sp, 0, tmp.decimal(arg))
	case 'x':
		p.number(sp, 0, tmp.hex(arg, hexDigits))
	case 'X':
		p.number(sp, 0, tmp.hex(arg, upperHexDigits))
	default:
		return maps.EINVAL
	}
	return 0
}

// str prints the NUL-terminated string at addr, copied as the kernel copies
// it into the binary-argument buffer (truncated to the room left in it).
func (p *printer) str(ctx *vm.Context, s *format, sp spec, addr uint64) {
	n, ok := strLen(ctx, addr, printfBinBytes-s.bin-1)
	if !ok {
		n = 0 // a faulting copy prints the empty string
	}
	if s.bin < printfBinBytes {
		s.bin += n + 1
	}
	p.field(sp, vm.Bytes(addr, n))
}
