package progtype

import (
	"fmt"

	"github.com/bpfhost/bpfhost/helpers"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// maxFuncArgs is MAX_BPF_FUNC_ARGS: a raw tracepoint passes at most 12
// arguments, as u64s.
const maxFuncArgs = 12

type rawTPType struct{ layout *ctxLayout }

// RawTracepoint is "raw_tracepoint" (sections raw_tracepoint/, raw_tp/):
// the context is the tracepoint's arguments, an array of up to 12 u64s
// (struct bpf_raw_tracepoint_args), any aligned part of which may be read.
// Like the kernel's bpf_prog_test_run_raw_tp, a test run takes the
// arguments as ctx_in and nothing else.
var RawTracepoint Type = &rawTPType{layout: &ctxLayout{
	structName: "bpf_raw_tracepoint_args", typeName: "raw_tracepoint", size: 8 * maxFuncArgs,
	fields: []ctxField{{name: "args", off: 0, size: 8 * maxFuncArgs, elem: 8, host: -1, read: true, anySize: true}},
}}

var rawTPHelpers = helpers.Tracing()

func (*rawTPType) Name() string             { return "raw_tracepoint" }
func (*rawTPType) Helpers() *vm.HelperTable { return rawTPHelpers }

// ContextAccess allows aligned loads of the arguments; stores are refused.
func (t *rawTPType) ContextAccess(off int32, size int, write bool) (int16, int, error) {
	return t.layout.access(off, size, write)
}

// Setup copies ctx_in (the arguments) into the context block. data_in is
// refused, as the kernel refuses it; reading an argument past ctx_in's
// length fails the run in checked mode (the kernel refuses a ctx_in
// shorter than the program's largest context offset).
func (*rawTPType) Setup(ctx *vm.Context, in *RunInput) (uint64, uint64, error) {
	if len(in.Data) != 0 {
		return 0, 0, fmt.Errorf("raw_tracepoint: a test run takes no data_in, only the arguments as ctx_in: %w", maps.EINVAL)
	}
	if len(in.Context) > 8*maxFuncArgs {
		return 0, 0, fmt.Errorf("raw_tracepoint: ctx_in is %d bytes, more than %d arguments of 8 bytes: %w", len(in.Context), maxFuncArgs, maps.EINVAL)
	}
	block := ctx.CPU.Ctx
	n := copy(block, in.Context)
	clear(block[n : 8*maxFuncArgs])
	ctx.Ctx = vm.AddrOf(block)
	ctx.CtxSize = n
	ctx.CtxWritable = false
	return ctx.Ctx, 0, nil
}

// Finish reports no data and no context: the kernel's raw_tracepoint test
// run returns only the program's return value.
func (*rawTPType) Finish(_ *vm.Context, _ uint64, out *RunOutput) error {
	out.Data = out.Data[:0]
	out.Context = out.Context[:0]
	return nil
}
