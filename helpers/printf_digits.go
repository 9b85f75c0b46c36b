package helpers

// Digit tables of the hexadecimal conversions (%x, %X, %p, %pI6, %pi6).
const (
	hexDigits      = "0123456789abcdef"
	upperHexDigits = "0123456789ABCDEF"
)

// numBuf holds the digits of one number: 20 decimal digits of a uint64 at
// most, 16 hexadecimal.
type numBuf [24]byte

// decimal writes u's decimal digits at the end of b and returns them. (It
// does what strconv.AppendUint(_, u, 10) does without the call chain and
// the copy to the front of the buffer: a format's numbers are short.)
func (b *numBuf) decimal(u uint64) []byte {
	i := len(b)
	for u >= 10 {
		q := u / 10
		i--
		b[i] = byte('0' + u - q*10)
		u = q
	}
	i--
	b[i] = byte('0' + u)
	return b[i:]
}

// hex writes u's hexadecimal digits (from the 16-character table digits) at
// the end of b and returns them.
func (b *numBuf) hex(u uint64, digits string) []byte {
	i := len(b)
	for {
		i--
		b[i] = digits[u&15]
		if u >>= 4; u == 0 {
			return b[i:]
		}
	}
}

// literalClass sorts format bytes for bprintf's scan of literal text:
// litPlain bytes are copied, '%' starts a conversion, anything else (not
// printable and not white space) makes the format invalid.
var literalClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c == '%':
			t[c] = litPercent
		case isPrint(byte(c)) || isSpace(byte(c)):
			t[c] = litPlain
		default:
			t[c] = litInvalid
		}
	}
	return t
}()

const (
	litPlain = iota
	litPercent
	litInvalid
)
