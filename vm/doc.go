// Package vm is the engine-neutral execution context shared by the
// interpreter, the JIT back ends, the helpers and the program types.
//
// A Program is relocated bytecode ready to run: maps resolved to handles,
// global data to addresses, context accesses rewritten for the host layout.
// A Context is the state of one run on one virtual CPU. Engines (interp, jit)
// turn a Program into an Executable; helpers receive the Context.
//
// Memory model. Programs hold raw addresses in registers. Everything they can
// address lives off the Go heap (internal/offheap): each virtual CPU owns its
// stack, packet buffer and context block; maps own their value storage. A
// run never touches Go-heap memory through a register, so the garbage
// collector and moving goroutine stacks cannot invalidate a program's
// pointers. In checked mode every load and store is tested against the
// regions the program may touch (see Context.Check) before it happens.
package vm
