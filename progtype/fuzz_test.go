package progtype

import (
	"testing"

	"github.com/bpfhost/bpfhost/vm"
)

// FuzzSKBSetup feeds arbitrary data_in and ctx_in to the socket-buffer
// types' Setup and Finish: they must answer with errors, never panic, and a
// successful Setup must frame the packet inside the CPU's buffer.
func FuzzSKBSetup(f *testing.F) {
	f.Add(ipv4Frame(), []byte(nil), uint8(0))
	f.Add(ipv4Frame(), skbCtxBytes(map[int]uint32{skbMark: 1, skbWireLen: 100}), uint8(2))
	f.Add(make([]byte, 14), make([]byte, 300), uint8(1))
	cpus, err := vm.NewCPUs(1)
	if err != nil {
		f.Fatal(err)
	}
	defer cpus.Close()
	types := []Type{SchedCls, SchedAct, SocketFilter, CgroupSKB, RawTracepoint}
	f.Fuzz(func(t *testing.T, data, ctxIn []byte, which uint8) {
		typ := types[int(which)%len(types)]
		cpu := cpus.Acquire()
		defer cpus.Release(cpu)
		ctx := &cpu.Run
		ctx.Reset(&vm.Program{Name: "fuzz", Type: typ.Name(), Checked: true})
		if _, _, err := typ.Setup(ctx, &RunInput{Data: data, Context: ctxIn}); err != nil {
			return
		}
		if ctx.HasPacket {
			buf := vm.AddrOf(cpu.Packet)
			if ctx.Pkt.Data < buf || ctx.Pkt.End > buf+uint64(len(cpu.Packet)) || ctx.Pkt.Data > ctx.Pkt.End {
				t.Fatalf("packet %+v outside the buffer", ctx.Pkt)
			}
		}
		var out RunOutput
		if err := typ.Finish(ctx, 0, &out); err != nil {
			t.Fatal(err)
		}
		if ctx.HasPacket && len(out.Data) != len(data) {
			t.Fatalf("data out is %d bytes, data in %d", len(out.Data), len(data))
		}
	})
}
