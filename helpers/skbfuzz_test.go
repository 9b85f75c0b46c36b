package helpers

import (
	"encoding/binary"
	"testing"

	"github.com/bpfhost/bpfhost/vm"
)

// FuzzSKBHelpers applies random sequences of the socket-buffer helpers that
// move or resize the packet to random frames: none may panic, and the
// packet must stay inside the CPU's buffer with consistent bounds.
func FuzzSKBHelpers(f *testing.F) {
	f.Add([]byte{0x08, 0x00, 0x45}, []byte{0, 8, 1, 0, 2, 20, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{0x86, 0xdd, 0x60}, []byte{4, 40, 9, 1, 10, 0, 11, 3})
	f.Add([]byte{0x81, 0x00, 0x00}, []byte{6, 0, 7, 0, 7, 0, 5, 200})
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		f.Fatal(err)
	}
	defer cpus.Close()
	tab := TC(func(*vm.Context) {})
	f.Fuzz(func(t *testing.T, head, ops []byte) {
		cpu := cpus.Acquire()
		defer cpus.Release(cpu)
		ctx := &cpu.Run
		ctx.Reset(&vm.Program{Name: "fuzz", Checked: true})
		frame := make([]byte, 14+40+int(len(ops))%64)
		copy(frame[12:], head)
		base := vm.AddrOf(cpu.Packet)
		copy(cpu.Packet[vm.PacketHeadroom:], frame)
		data := base + vm.PacketHeadroom
		ctx.HasPacket = true
		ctx.Pkt = vm.Packet{HardStart: base, Meta: data, Data: data, End: data + uint64(len(frame)), BufEnd: data + uint64(len(frame))}
		SetSKB(ctx, SKBInit{MAC: data, Net: data + 14, Protocol: binary.NativeEndian.Uint16(frame[12:])})
		buf := ctx.CPU.StackTop() - 64
		for i := 0; i+1 < len(ops); i += 2 {
			arg := uint64(ops[i+1])
			switch ops[i] % 12 {
			case 0:
				call(t, tab, FnSkbAdjustRoom, ctx, 0, arg, 1, 0)
			case 1:
				call(t, tab, FnSkbAdjustRoom, ctx, 0, uint64(-int64(arg)), 0, 0)
			case 2:
				call(t, tab, FnSkbAdjustRoom, ctx, 0, arg*8, 1, adjRoomEncapIPv4)
			case 3:
				call(t, tab, FnSkbAdjustRoom, ctx, 0, uint64(-int64(arg)), 1, adjRoomDecapIPv6)
			case 4:
				call(t, tab, FnSkbChangeHead, ctx, 0, arg*4, 0)
			case 5:
				call(t, tab, FnSkbChangeTail, ctx, 0, arg*3, 0)
			case 6:
				call(t, tab, FnSkbVlanPush, ctx, 0, uint64(be16(ethPVlan)), arg)
			case 7:
				call(t, tab, FnSkbVlanPop, ctx, 0)
			case 8:
				call(t, tab, FnSkbChangeProto, ctx, 0, uint64(be16(ethPIPv6)), 0)
			case 9:
				call(t, tab, FnSkbChangeProto, ctx, 0, uint64(be16(ethPIP)), 0)
			case 10:
				call(t, tab, FnSkbEcnSetCe, ctx, 0)
				call(t, tab, FnGetHashRecalc, ctx, 0)
			case 11:
				call(t, tab, FnSkbLoadBytesRelative, ctx, 0, arg, buf, 8, arg&1)
			}
			pk := ctx.Pkt
			if pk.Data < pk.HardStart || pk.Data > pk.End || pk.End > pk.HardStart+vm.PacketBufferBytes || pk.Meta != pk.Data || pk.BufEnd < pk.End {
				t.Fatalf("after op %d: packet %+v", ops[i]%12, pk)
			}
		}
		if err := ctx.Err(); err != nil {
			t.Fatal(err)
		}
	})
}
