package helpers

import (
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// Error numbers the kernel's helpers return that the maps package has no
// name for (Linux values).
const (
	eACCES maps.Errno = 13
	eFAULT maps.Errno = 14
)

// neg returns -e as a helper's 64-bit return value.
func neg(e maps.Errno) uint64 { return uint64(-int64(e)) }

// errRet turns an error from a map into the helper's return value: 0 for
// nil, -errno otherwise. The nil test is inlined at every call; the rest is
// out of line.
func errRet(err error) uint64 {
	if err == nil {
		return 0
	}
	return errnoRet(err)
}

// errnoRet is errRet for a non-nil error.
func errnoRet(err error) uint64 {
	// The maps return bare Errno values; the type assertion avoids the
	// reflection of errors.As on the common path.
	if e, ok := err.(maps.Errno); ok {
		return neg(e)
	}
	return neg(maps.ErrnoOf(err))
}

// name returns the kernel name of helper fn for messages.
func name(fn int32) string {
	if s, ok := Names[fn]; ok {
		return s
	}
	return "helper"
}

// mem returns n bytes of program memory at addr for helper fn. In checked
// mode the range must be accessible (writable when write is set); otherwise
// the run is aborted and ok is false. arg names the argument for the message.
func mem(ctx *vm.Context, fn int32, arg string, addr uint64, n int, write bool) (b []byte, ok bool) {
	if ctx.Prog.Checked {
		return memChecked(ctx, fn, arg, addr, n, write)
	}
	// The verifier proved the range valid: no test.
	return vm.Bytes(addr, n), true
}

// memChecked is mem for programs that run with run-time checks.
func memChecked(ctx *vm.Context, fn int32, arg string, addr uint64, n int, write bool) (b []byte, ok bool) {
	if n <= 0 {
		return nil, true
	}
	if !ctx.Check(addr, n, write) {
		kind := "readable"
		if write {
			kind = "writable"
		}
		ctx.Abort("helper bpf_%s: %s %#x is not %s program memory for %d bytes", name(fn), arg, addr, kind, n)
		return nil, false
	}
	return vm.Bytes(addr, n), true
}

// mapArg resolves a map handle argument; nil means the value is not a live
// map (the caller answers -EINVAL or NULL: an unverified program can pass
// anything, and the kernel's verifier would have refused the program).
func mapArg(h uint64) maps.Map { return vm.MapFromHandle(h) }
