package progtype

import (
	"github.com/bpfhost/bpfhost/helpers"
)

// Tracing program types. Their contexts are what the kernel hands a probe:
// registers (kprobe, perf_event), a raw trace record (tracepoint) or the
// tracepoint's arguments as u64s (raw_tracepoint). All are read-only.

// ptRegsNames are the u64 fields of x86-64's struct pt_regs, which is
// bpf_user_pt_regs_t there (168 bytes).
var ptRegsNames = []string{"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8",
	"ax", "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss"}

// ptRegsSize is sizeof(struct pt_regs) on x86-64.
const ptRegsSize = 168

// ptRegsFields lists the registers; narrow loads any aligned part of one.
func ptRegsFields(narrow bool) []ctxField {
	f := make([]ctxField, len(ptRegsNames))
	for i, n := range ptRegsNames {
		f[i] = ctxField{name: n, off: int32(8 * i), size: 8, host: -1, read: true, narrow: narrow}
	}
	return f
}

// kprobeLayout follows kprobe_prog_is_valid_access: any aligned load
// inside struct pt_regs.
func kprobeLayout() *ctxLayout {
	return &ctxLayout{structName: "pt_regs", typeName: "kprobe", size: ptRegsSize, fields: ptRegsFields(true)}
}

// perfEventLayout follows pe_prog_is_valid_access for struct
// bpf_perf_event_data: registers as whole u64s, sample_period and addr
// also narrower.
func perfEventLayout() *ctxLayout {
	f := append(ptRegsFields(false),
		ctxField{name: "sample_period", off: ptRegsSize, size: 8, host: -1, read: true, narrow: true},
		ctxField{name: "addr", off: ptRegsSize + 8, size: 8, host: -1, read: true, narrow: true})
	for i := range f[:len(ptRegsNames)] {
		f[i].name = "regs." + f[i].name
	}
	return &ctxLayout{structName: "bpf_perf_event_data", typeName: "perf_event", size: ptRegsSize + 16, fields: f}
}

// tracepointMaxSize is PERF_MAX_TRACE_SIZE, the bound of a trace record
// (8192 since Linux 6.x; 2048 before).
const tracepointMaxSize = 8192

// tracepointLayout follows tp_prog_is_valid_access: aligned loads of the
// record past its first 8 bytes (the common fields of struct trace_entry).
func tracepointLayout() *ctxLayout {
	return &ctxLayout{structName: "tracepoint record", typeName: "tracepoint", size: tracepointMaxSize, fields: []ctxField{
		{name: "common", off: 0, size: 8, host: -1, why: "the first 8 bytes of a trace record (the common trace_entry fields) are not accessible"},
		{name: "fields", off: 8, size: tracepointMaxSize - 8, elem: 8, host: -1, read: true, anySize: true},
	}}
}

// Tracing program types. kprobe, tracepoint and perf_event have no test
// run in the kernel; raw_tracepoint does (see rawtp.go).
var (
	// Kprobe is "kprobe" (sections kprobe/, kretprobe/, uprobe/, ksyscall/, usdt/ ...).
	Kprobe Type = &layoutType{name: "kprobe", layout: kprobeLayout(), helpers: helpers.Tracing()}
	// Tracepoint is "tracepoint" (sections tracepoint/, tp/).
	Tracepoint Type = &layoutType{name: "tracepoint", layout: tracepointLayout(), helpers: helpers.Tracing()}
	// PerfEvent is "perf_event" (section perf_event).
	PerfEvent Type = &layoutType{name: "perf_event", layout: perfEventLayout(), helpers: helpers.Tracing()}
)
