package helpers

import (
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Flags of bpf_perf_event_output.
const (
	perfIndexMask  = 0xffffffff    // BPF_F_INDEX_MASK
	perfCurrentCPU = 0xffffffff    // BPF_F_CURRENT_CPU
	perfCtxLenMask = 0xfffff << 32 // BPF_F_CTXLEN_MASK: packet bytes to append
)

// perfTarget validates the map and index of bpf_perf_event_output.
func perfTarget(ctx *vm.Context, h, flags uint64) (maps.PerfEventArrayMap, int, uint64) {
	m := mapArg(h)
	pm := maps.AsPerfArray(m)
	if pm == nil {
		return nil, 0, neg(maps.EINVAL)
	}
	index := flags & perfIndexMask
	if index == perfCurrentCPU {
		index = uint64(ctx.CPU.ID)
	}
	// Dims of m, not of pm: converting pm back to a Map searches the
	// itab cache.
	if _, _, _, n := maps.Dims(m); index >= uint64(n) {
		return nil, 0, neg(maps.E2BIG)
	}
	return pm, int(index), 0
}

// perfEventOutput is bpf_perf_event_output(ctx, map, flags, data, size) of
// tracing programs: a sample of data to the map's ring for the CPU index in
// flags (BPF_F_CURRENT_CPU: the running CPU).
func perfEventOutput(ctx *vm.Context, _, r2, r3, r4, r5 uint64) uint64 {
	if r3&^perfIndexMask != 0 {
		return neg(maps.EINVAL)
	}
	pm, index, ret := perfTarget(ctx, r2, r3)
	if pm == nil {
		return ret
	}
	data, ok := mem(ctx, FnPerfEventOutput, "data", r4, int(uint32(r5)), false)
	if !ok {
		return 0
	}
	return errRet(pm.Output(index, data))
}

// xdpPerfEventOutput is the XDP flavour of bpf_perf_event_output: the upper
// bits of flags (BPF_F_CTXLEN_MASK) ask for that many packet bytes to be
// appended to the sample after data; -EFAULT if the packet is shorter.
func xdpPerfEventOutput(ctx *vm.Context, _, r2, r3, r4, r5 uint64) uint64 {
	if r3&^(perfIndexMask|perfCtxLenMask) != 0 {
		return neg(maps.EINVAL)
	}
	pktLen := (r3 & perfCtxLenMask) >> 32
	if !ctx.HasPacket || pktLen > ctx.Pkt.End-ctx.Pkt.Data {
		return neg(eFAULT)
	}
	pm, index, ret := perfTarget(ctx, r2, r3)
	if pm == nil {
		return ret
	}
	data, ok := mem(ctx, FnPerfEventOutput, "data", r4, int(uint32(r5)), false)
	if !ok {
		return 0
	}
	if pktLen == 0 {
		return errRet(pm.Output(index, data))
	}
	pkt := vm.Bytes(ctx.Pkt.Data, int(pktLen))
	if handled, err := maps.PerfOutputParts(pm, index, data, pkt); handled {
		return errRet(err)
	}
	s := state(ctx)
	s.buf = append(append(s.buf[:0], data...), pkt...)
	return errRet(pm.Output(index, s.buf))
}
