package helpers

import (
	"bytes"

	"github.com/bpfhost/bpfhost/vm"
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

// puts writes s, as much of it as the limit leaves room for.
func (p *printer) puts(s []byte) {
	if room := p.limit - len(p.out); room > 0 {
		p.out = append(p.out, s[:min(room, len(s))]...)
	}
	p.total += len(s)
}

func (p *printer) pad(c byte, n int) {
	for ; n > 0; n-- {
		p.put(c)
	}
}

// spec is one conversion's flags (the spec* bits) and width (above
// specWidthShift), packed in one word: a struct of four bools and an int
// goes through memory in pieces and costs a store-forwarding stall each
// time it is passed on.
type spec uint64

const (
	specLeft spec = 1 << iota
	specPlus
	specSpace
	specZero
	specWidthShift = 8
)

func (sp spec) left() bool  { return sp&specLeft != 0 }
func (sp spec) plus() bool  { return sp&specPlus != 0 }
func (sp spec) space() bool { return sp&specSpace != 0 }
func (sp spec) zero() bool  { return sp&specZero != 0 }
func (sp spec) width() int  { return int(sp >> specWidthShift) }

// withWidth returns sp with width w.
func (sp spec) withWidth(w int) spec {
	return sp&(1<<specWidthShift-1) | spec(w)<<specWidthShift
}

// field writes s padded to the spec's width with spaces (strings, chars).
func (p *printer) field(sp spec, s []byte) {
	if !sp.left() {
		p.pad(' ', sp.width()-len(s))
	}
	p.puts(s)
	if sp.left() {
		p.pad(' ', sp.width()-len(s))
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
	case sp.left():
		if sign != 0 {
			p.put(sign)
		}
		p.puts(digits)
		p.pad(' ', sp.width()-n)
	case sp.zero():
		if sign != 0 {
			p.put(sign)
		}
		p.pad('0', sp.width()-n)
		p.puts(digits)
	default:
		p.pad(' ', sp.width()-n)
		if sign != 0 {
			p.put(sign)
		}
		p.puts(digits)
	}
}

// strChunk is how many bytes strLen tests and scans at once.
const strChunk = 64

// strLen returns the length of the NUL-terminated string at addr, at most
// max (a string without a NUL in the first max bytes is cut there), and
// ok false when a byte before its end is not readable (ctx.Check). The
// result is that of testing every byte in turn; it tests and scans whole
// chunks, falling back to single bytes only in a chunk that is not
// readable as a whole (the end of a region, or two regions that touch).
func strLen(ctx *vm.Context, addr uint64, max int) (n int, ok bool) {
	for n < max {
		chunk := min(max-n, strChunk)
		if ctx.Check(addr+uint64(n), chunk, false) {
			if i := bytes.IndexByte(vm.Bytes(addr+uint64(n), chunk), 0); i >= 0 {
				return n + i, true
			}
			n += chunk
			continue
		}
		for end := n + chunk; n < end; n++ {
			if !ctx.Check(addr+uint64(n), 1, false) {
				return n, false
			}
			if vm.Load8(addr+uint64(n)) == 0 {
				return n, true
			}
		}
	}
	return n, true
}
