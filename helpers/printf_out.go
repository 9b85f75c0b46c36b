package helpers

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
