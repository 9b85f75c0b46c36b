package helpers

import (
	"encoding/binary"
	"testing"

	"github.com/bpfhost/bpfhost/vm"
)

// FuzzSnprintf feeds arbitrary formats and arguments (including wild
// pointers for %s and %pI) to bpf_snprintf: it must never crash and never
// write past str_size.
func FuzzSnprintf(f *testing.F) {
	for _, s := range []string{"%d", "%s %pI4 %pi6", "%-08lx|%+ 5lld", "%pks%pS%pB%px%p,", "%%%c%5s", "%", "%l", "%ll", "%p"} {
		f.Add(s, uint64(0x10), uint64(1<<63), uint16(64))
	}
	f.Fuzz(func(t *testing.T, format string, a, b uint64, size uint16) {
		ctx := newCtx(t)
		top := ctx.CPU.StackTop()
		if len(format) > 200 {
			format = format[:200]
		}
		fmtAddr := top - 512
		copy(vm.Bytes(fmtAddr, len(format)+1), format+"\x00")
		data := top - 256
		for i := 0; i < 12; i++ {
			v := a + uint64(i)*b
			if i%3 == 1 {
				v = fmtAddr // a readable string
			}
			binary.NativeEndian.PutUint64(vm.Bytes(data+uint64(8*i), 8), v)
		}
		str := top - 4096
		n := int(size) % 1024
		guard := vm.Bytes(str+uint64(n), 8)
		copy(guard, "GUARDXYZ")
		snprintf(ctx, str, uint64(n), fmtAddr, data, 96)
		if string(guard) != "GUARDXYZ" && ctx.Err() == nil {
			t.Fatalf("snprintf wrote past str_size %d", n)
		}
	})
}
