package link

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/maps"
)

// Hook is an attach point: the place where the programs of its links run.
type Hook struct {
	name     string
	progType string
	// variant is the attach type whose context rules attached programs
	// must follow ("connect4" for a cgroup connect4 hook), "" for any.
	variant string
	// exclusive hooks take one link at a time (XDP on an interface).
	exclusive bool

	mu    sync.Mutex              // serialises attach and detach
	links atomic.Pointer[[]*Link] // attach order; replaced, never modified, so Run needs no lock
}

// Name returns the hook's name.
func (h *Hook) Name() string { return h.name }

// ProgramType returns the program type the hook runs (bpftool's name).
func (h *Hook) ProgramType() string { return h.progType }

// Links returns the links attached to the hook, in attach order.
func (h *Hook) Links() []*Link {
	if p := h.links.Load(); p != nil {
		return append([]*Link(nil), (*p)...)
	}
	return nil
}

// Run runs the program of every link attached to the hook, in attach order,
// each on opts (as ebpf.Program.Run: opts.Data, opts.Context and the
// outputs; each program sees the input afresh). each, if set, is called
// with every link's program's return value and may stop the walk by
// returning false (a cgroup hook stops at the first program that refuses).
// Run returns the last return value and how many programs ran. Running a
// hook allocates nothing.
func (h *Hook) Run(opts *ebpf.RunOptions, each func(l *Link, ret uint32) bool) (ret uint32, n int, err error) {
	p := h.links.Load()
	if p == nil {
		return 0, 0, nil
	}
	for _, l := range *p {
		ret, err = l.prog.Run(opts)
		n++
		if err != nil {
			return ret, n, fmt.Errorf("hook %s, link %d: %w", h.name, l.info.ID, err)
		}
		if each != nil && !each(l, ret) {
			break
		}
	}
	return ret, n, nil
}

// check refuses programs of another type (or attach variant) than h's.
func (h *Hook) check(prog *ebpf.Program) error {
	if t := prog.Type(); t != h.progType {
		return fmt.Errorf("attaching %s program %q to %s (a %s hook): %w", t, prog.Name(), h.name, h.progType, maps.EINVAL)
	}
	if h.variant != "" {
		if a := programAttach(prog); a != "" && a != h.variant {
			return fmt.Errorf("attaching program %q loaded for %s to %s: %w", prog.Name(), a, h.name, maps.EINVAL)
		}
	}
	return nil
}

// add attaches l (whose program check accepted).
func (h *Hook) add(l *Link) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	var cur []*Link
	if p := h.links.Load(); p != nil {
		cur = *p
	}
	if h.exclusive && len(cur) > 0 {
		return fmt.Errorf("%s already has a program attached (link %d): %w", h.name, cur[0].info.ID, maps.EBUSY)
	}
	next := append(append(make([]*Link, 0, len(cur)+1), cur...), l)
	h.links.Store(&next)
	return nil
}

// remove detaches l (no-op when it is not attached).
func (h *Hook) remove(l *Link) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.links.Load()
	if p == nil {
		return
	}
	next := make([]*Link, 0, len(*p))
	for _, x := range *p {
		if x != l {
			next = append(next, x)
		}
	}
	h.links.Store(&next)
}

// hooks are the process's attach points: application hooks by name, XDP
// and cgroup hooks by a key of their own (see xdpKey, cgroupKey).
var (
	hooksMu  sync.Mutex
	appHooks = map[string]*Hook{}
	sysHooks = map[string]*Hook{}
)

// DefineHook defines an application hook: an attach point named name that
// runs programs of type progType (bpftool's name: "raw_tracepoint",
// "xdp", ...). Defining a hook again with the same type returns the same
// hook, so that links restored before the application defines it (from a
// state directory) are there; another type is an error.
func DefineHook(name, progType string) (*Hook, error) {
	if name == "" {
		return nil, fmt.Errorf("hook name is empty")
	}
	hooksMu.Lock()
	defer hooksMu.Unlock()
	if h := appHooks[name]; h != nil {
		if h.progType != progType {
			return nil, fmt.Errorf("hook %s is already defined for %s programs, not %s", name, h.progType, progType)
		}
		return h, nil
	}
	h := &Hook{name: name, progType: progType}
	appHooks[name] = h
	return h, nil
}

// LookupHook returns the application hook named name.
func LookupHook(name string) (*Hook, bool) {
	hooksMu.Lock()
	defer hooksMu.Unlock()
	h, ok := appHooks[name]
	return h, ok
}

// sysHook returns the XDP or cgroup hook with key key, creating it.
func sysHook(key, progType, variant string, exclusive bool) *Hook {
	hooksMu.Lock()
	defer hooksMu.Unlock()
	if h := sysHooks[key]; h != nil {
		return h
	}
	h := &Hook{name: key, progType: progType, variant: variant, exclusive: exclusive}
	sysHooks[key] = h
	return h
}
