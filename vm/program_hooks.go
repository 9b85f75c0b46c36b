package vm

import "sync"

// unregisterHooks are the functions OnUnregister registered.
var unregisterHooks struct {
	sync.Mutex
	fns []func(*Program)
}

// OnUnregister registers fn to be called after a program leaves the
// registry (UnregisterProgram), outside the registry lock, so fn may call
// ProgramByID. Engines that resolve program IDs without the registry (the
// JIT's native tail calls) use it to stop reaching the program: from then on
// bpf_tail_call finds its ID empty. fn must not block for long.
func OnUnregister(fn func(p *Program)) {
	unregisterHooks.Lock()
	defer unregisterHooks.Unlock()
	unregisterHooks.fns = append(unregisterHooks.fns, fn)
}

func runUnregisterHooks(p *Program) {
	unregisterHooks.Lock()
	fns := unregisterHooks.fns
	unregisterHooks.Unlock()
	for _, fn := range fns {
		fn(p)
	}
}
