package helpers

import (
	"github.com/bpfhost/bpfhost/vm"
)

// ip prints the IPv4 (size 4) or IPv6 (size 16) address at addr as the
// kernel's vsprintf does: %pI4 dotted decimal, %pi4 with three digits per
// byte, %pI6 eight colon-separated groups of four hex digits, %pi6 32 hex
// digits. (The kernel's bpf_snprintf and trace_printk never print the
// compressed %pI6c form: see bprintf.) An unreadable address prints as zeros
// (the kernel's copy_from_kernel_nofault failing). The text is built in a
// local buffer and written in one piece.
func (p *printer) ip(ctx *vm.Context, addr uint64, size int, upper bool) {
	var a [16]byte
	if ctx.Check(addr, size, false) {
		copy(a[:], vm.Bytes(addr, size))
	}
	var buf [39]byte // the longest form: %pI6
	n := 0
	if size == 4 {
		for j := 0; j < 4; j++ {
			if j > 0 {
				buf[n] = '.'
				n++
			}
			n += octet(buf[n:n+3], a[j], !upper)
		}
	} else {
		for j := 0; j < 16; j++ {
			if upper && j > 0 && j%2 == 0 {
				buf[n] = ':'
				n++
			}
			buf[n], buf[n+1] = hexDigits[a[j]>>4], hexDigits[a[j]&15]
			n += 2
		}
	}
	p.puts(buf[:n])
}

// octet writes v in decimal to b (three digits with leadingZeros, else
// without leading zeros) and returns how many bytes it wrote.
func octet(b []byte, v byte, leadingZeros bool) int {
	h, t, o := v/100, v/10%10, v%10
	switch {
	case leadingZeros || h > 0:
		b[0], b[1], b[2] = '0'+h, '0'+t, '0'+o
		return 3
	case t > 0:
		b[0], b[1] = '0'+t, '0'+o
		return 2
	default:
		b[0] = '0' + o
		return 1
	}
}
