package helpers

import (
	"strconv"

	"github.com/bpfhost/bpfhost/vm"
)

const hexDigits = "0123456789abcdef"

// ip prints the IPv4 (size 4) or IPv6 (size 16) address at addr as the
// kernel's vsprintf does: %pI4 dotted decimal, %pi4 with three digits per
// byte, %pI6 eight colon-separated groups of four hex digits, %pi6 32 hex
// digits. (The kernel's bpf_snprintf and trace_printk never print the
// compressed %pI6c form: see bprintf.) An unreadable address prints as zeros
// (the kernel's copy_from_kernel_nofault failing).
func (p *printer) ip(ctx *vm.Context, addr uint64, size int, upper bool) {
	var a [16]byte
	if ctx.Check(addr, size, false) {
		copy(a[:], vm.Bytes(addr, size))
	}
	switch {
	case size == 4:
		p.ip4(a[:4], !upper)
	default:
		for j := 0; j < 16; j++ {
			if upper && j > 0 && j%2 == 0 {
				p.put(':')
			}
			p.put(hexDigits[a[j]>>4])
			p.put(hexDigits[a[j]&15])
		}
	}
}

func (p *printer) ip4(a []byte, leadingZeros bool) {
	var tmp [4]byte
	for j := 0; j < 4; j++ {
		if j > 0 {
			p.put('.')
		}
		d := strconv.AppendUint(tmp[:0], uint64(a[j]), 10)
		if leadingZeros {
			p.pad('0', 3-len(d))
		}
		p.puts(d)
	}
}
