package amd64

import (
	"fmt"
	"testing"
)

// TestEncodeIndexed checks the SIB-addressed forms of the map lookups for
// every base and index register and the displacement sizes.
func TestEncodeIndexed(t *testing.T) {
	for _, base := range allRegs {
		for _, index := range allRegs {
			if index == rsp {
				continue // no index
			}
			for _, disp := range []int32{0, -1, -8, 200} {
				for _, scale := range []uint8{1, 4, 8} {
					m := fmt.Sprintf("[%s+%s", names64[base], names64[index])
					if scale != 1 {
						m = fmt.Sprintf("[%s+%d*%s", names64[base], scale, names64[index])
					}
					switch {
					case disp < 0:
						m += fmt.Sprintf("-%#x]", -disp)
					case disp > 0:
						m += fmt.Sprintf("+%#x]", disp)
					default:
						m += "]"
					}
					check(t, "mov r11, qword ptr "+m, func(a *asm) { a.loadX(8, r11, base, index, scale, disp) })
					check(t, "mov ecx, dword ptr "+m, func(a *asm) { a.loadX(4, rcx, base, index, scale, disp) })
					check(t, "movzx r11d, byte ptr "+m, func(a *asm) { a.loadX(1, r11, base, index, scale, disp) })
					check(t, "cmp eax, dword ptr "+m, func(a *asm) { a.cmpRMX(4, rax, base, index, scale, disp) })
					check(t, "cmp r11, qword ptr "+m, func(a *asm) { a.cmpRMX(8, r11, base, index, scale, disp) })
					check(t, "cmp r11b, byte ptr "+m, func(a *asm) { a.cmpRMX(1, r11, base, index, scale, disp) })
					check(t, "cmp dword ptr "+m+", 0x1", func(a *asm) { a.cmpMI8X(base, index, scale, disp, 1) })
				}
			}
		}
	}
	check(t, "cmp dword ptr [r10+0x4], 0x0", func(a *asm) { a.cmpMI8(r10, 4, 0) })
	check(t, "cmp r11w, word ptr [r10+0x6]", func(a *asm) { a.cmpRM(2, r11, r10, 6) })
	check(t, "cmp r11b, byte ptr [r10]", func(a *asm) { a.cmpRM(1, r11, r10, 0) })
	check(t, "cmp r11d, dword ptr [r10+0x1]", func(a *asm) { a.cmpRM(4, r11, r10, 1) })
	check(t, "cmp r11, qword ptr [r10+0x20]", func(a *asm) { a.cmpRM(8, r11, r10, 32) })
	check(t, "imul rax, qword ptr [rdi+0x28]", func(a *asm) { a.imulRM(rax, rdi, 40) })
}
