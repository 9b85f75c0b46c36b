package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/bpfhost/bpfhost/maps"
)

// isPrefix reports whether arg abbreviates word, bpftool's rule for every
// keyword: any prefix matches, the empty string included, and the first
// candidate in bpftool's order wins.
func isPrefix(arg, word string) bool {
	return len(arg) <= len(word) && word[:len(arg)] == arg
}

// strtoul parses s as C's strtoul(s, &end, base) does and reports whether
// the whole string was consumed (*end == '\0'). base 0 accepts 0x (hex) and
// 0 (octal) prefixes; leading blanks and a sign are accepted; an empty
// string is 0, as in C; out-of-range values saturate.
func strtoul(s string, base int) (uint64, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	rest := s[i:]
	if (base == 0 || base == 16) && len(rest) >= 3 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') && hexDigit(rest[2]) >= 0 {
		base = 16
		rest = rest[2:]
	} else if base == 0 && len(rest) > 0 && rest[0] == '0' {
		base = 8
	} else if base == 0 {
		base = 10
	}
	if rest == "" {
		// No digits: C leaves end at the start of the string.
		return 0, s == ""
	}
	var v uint64
	overflow := false
	n := 0
	for n < len(rest) {
		d := hexDigit(rest[n])
		if d < 0 || d >= base {
			break
		}
		nv := v*uint64(base) + uint64(d)
		if nv/uint64(base) != v {
			overflow = true
		}
		v = nv
		n++
	}
	if n == 0 {
		return 0, s == ""
	}
	if overflow {
		v = ^uint64(0)
	}
	if neg {
		v = -v
	}
	return v, n == len(rest)
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// parseU32 parses a number as bpftool parses IDs and sizes (strtoul base 0,
// truncated to 32 bits as the C code stores it).
func parseU32(s string) (uint32, bool) {
	v, ok := strtoul(s, 0)
	return uint32(v), ok
}

// strerror returns the C library's message for the errno inside err.
func strerror(err error) string {
	var e maps.Errno
	if !errors.As(err, &e) {
		return err.Error()
	}
	switch e {
	case 13:
		return "Permission denied"
	case 20:
		return "Not a directory"
	case 21:
		return "Is a directory"
	case maps.ENOTSUPP:
		return "Unknown error 524"
	}
	s := e.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// errnoMessage is strerror for errors that carry an errno, and the error's
// own text otherwise (a program fault, a loader refusal), which says more.
func errnoMessage(err error) string {
	var e maps.Errno
	if errors.As(err, &e) && err.Error() == e.Error() {
		return strerror(e)
	}
	if errors.As(err, &e) {
		return strerror(e) + " (" + err.Error() + ")"
	}
	return err.Error()
}

// fprintHex prints bytes as bpftool's fprint_hex does: sep between bytes,
// two spaces after every 8th and a newline after every 16th.
func fprintHex(w io.Writer, data []byte, sep string) {
	var b strings.Builder
	for i, c := range data {
		switch {
		case i == 0:
		case i%16 == 0:
			b.WriteString("\n")
		case i%8 == 0:
			b.WriteString("  ")
		default:
			b.WriteString(sep)
		}
		fmt.Fprintf(&b, "%02x", c)
	}
	io.WriteString(w, b.String())
}

// hexDump prints data in the layout of bpftool's `prog run ... data_out -`.
func hexDump(w io.Writer, data []byte) {
	var b strings.Builder
	for i := 0; i < len(data); i += 16 {
		fmt.Fprintf(&b, "%07x\t", i)
		j := i
		for ; j < i+16 && j < len(data); j++ {
			fmt.Fprintf(&b, "%02x", data[j])
			if j%2 == 1 {
				b.WriteString(" ")
			}
		}
		for ; j < i+16; j++ {
			b.WriteString("  ")
			if j%2 == 1 {
				b.WriteString(" ")
			}
		}
		b.WriteString("| ")
		for j = i; j < i+16 && j < len(data); j++ {
			c := data[j]
			if c < ' ' || c > '~' {
				c = '.'
			}
			b.WriteByte(c)
			if j == i+7 {
				b.WriteString(" ")
			}
		}
		b.WriteString("\n")
	}
	io.WriteString(w, b.String())
}

// jsonHex writes bytes as bpftool's JSON byte arrays: ["0x01","0x00"].
func (j *jsonWriter) hexBytes(data []byte) {
	j.startArray()
	for _, c := range data {
		j.raw(fmt.Sprintf(`"0x%02x"`, c))
	}
	j.endArray()
}

// intBytes writes bytes as a JSON array of numbers (prog run data_out -).
func (j *jsonWriter) intBytes(data []byte) {
	j.startArray()
	for _, c := range data {
		j.raw(fmt.Sprint(c))
	}
	j.endArray()
}
