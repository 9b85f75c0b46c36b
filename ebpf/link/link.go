package link

import (
	"fmt"
	"sync"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/maps"
)

// Type is a link type, by bpftool's name.
type Type string

// The link types bpfhost creates.
const (
	// XDP links attach an xdp program to an interface.
	XDP Type = "xdp"
	// Cgroup links attach a cgroup program to a cgroup for an attach type.
	Cgroup Type = "cgroup"
	// RawTracepoint links attach a program to a named hook (an
	// application hook, see DefineHook).
	RawTracepoint Type = "raw_tracepoint"
)

// Info describes a link (BPF_OBJ_GET_INFO_BY_FD on a link). As the spec
// of Attach, its ID asks for that ID (0 = a new one), Program is ignored
// and Detached creates the link detached.
type Info struct {
	ID uint32
	// Type is the link type.
	Type Type
	// Program is the ID of the program the link holds.
	Program uint32
	// AttachType is libbpf's name of the attach type ("xdp",
	// "cgroup_inet_ingress"); "" for hook links.
	AttachType string
	// Ifindex is the interface of an XDP link.
	Ifindex uint32
	// Cgroup is the cgroup directory of a cgroup link and CgroupID its ID
	// (the directory's inode number on Linux, as the kernel's cgroup ID).
	Cgroup   string
	CgroupID uint64
	// Hook is the name of an application hook.
	Hook string
	// Flags are the attach flags (XDP mode flags).
	Flags uint32
	// Detached links hold their program but are attached to nothing
	// (after Detach, as after BPF_LINK_DETACH).
	Detached bool
}

// Link is a live link.
type Link struct {
	mu     sync.Mutex
	info   Info
	prog   *ebpf.Program
	hook   *Hook
	closed bool
}

// Attach creates a link of prog to the attach point spec describes. It is
// the general form of AttachXDP, AttachCgroup and AttachHook, for callers
// that restore links from a description (with their IDs).
func Attach(prog *ebpf.Program, spec Info) (*Link, error) {
	if prog == nil {
		return nil, fmt.Errorf("attach: no program: %w", maps.EINVAL)
	}
	var h *Hook
	switch {
	case spec.Detached:
		// Attached to nothing: only the type must make sense.
		if spec.Type != XDP && spec.Type != Cgroup && spec.Type != RawTracepoint {
			return nil, fmt.Errorf("unknown link type %q: %w", spec.Type, maps.EINVAL)
		}
	default:
		var err error
		if h, err = hookFor(&spec, prog); err != nil {
			return nil, err
		}
		// Checked before an ID is taken: a refused attach leaves no trace.
		if err := h.check(prog); err != nil {
			return nil, err
		}
	}
	l := &Link{prog: prog}
	spec.Program = prog.ID()
	l.info = spec
	if !register(l, spec.ID) {
		return nil, fmt.Errorf("link ID %d is in use: %w", spec.ID, maps.EEXIST)
	}
	if spec.Detached {
		return l, nil
	}
	if err := h.add(l); err != nil {
		unregister(l)
		return nil, err
	}
	l.hook = h
	return l, nil
}

// hookFor finds the attach point of spec, normalising its fields.
func hookFor(spec *Info, prog *ebpf.Program) (*Hook, error) {
	switch spec.Type {
	case XDP:
		if spec.Ifindex == 0 {
			return nil, fmt.Errorf("XDP link: no interface: %w", maps.EINVAL)
		}
		spec.AttachType = "xdp"
		return sysHook(fmt.Sprintf("xdp ifindex %d", spec.Ifindex), "xdp", "", true), nil
	case Cgroup:
		at, ok := cgroupAttachByLibbpf(spec.AttachType)
		if !ok {
			return nil, fmt.Errorf("cgroup link: unknown attach type %q: %w", spec.AttachType, maps.EINVAL)
		}
		if spec.Cgroup == "" {
			return nil, fmt.Errorf("cgroup link: no cgroup: %w", maps.EINVAL)
		}
		return sysHook(fmt.Sprintf("cgroup %s %s", spec.AttachType, spec.Cgroup), at.ProgType, at.Variant, false), nil
	case RawTracepoint:
		if spec.Hook == "" {
			return nil, fmt.Errorf("hook link: no hook name: %w", maps.EINVAL)
		}
		h, ok := LookupHook(spec.Hook)
		if !ok {
			return nil, fmt.Errorf("hook %s is not defined: %w", spec.Hook, maps.ENOENT)
		}
		return h, nil
	}
	return nil, fmt.Errorf("unknown link type %q: %w", spec.Type, maps.EINVAL)
}

// XDPOptions are AttachXDP's arguments (as cilium/ebpf's).
type XDPOptions struct {
	// Program is an xdp program.
	Program *ebpf.Program
	// Interface is the interface index to attach to.
	Interface int
	// Flags are XDP_FLAGS_* mode flags, kept and shown.
	Flags uint32
}

// AttachXDP links an XDP program to an interface. An interface takes one
// XDP link; a second fails with EBUSY.
func AttachXDP(opts XDPOptions) (*Link, error) {
	if opts.Interface <= 0 {
		return nil, fmt.Errorf("XDP link: invalid interface index %d: %w", opts.Interface, maps.EINVAL)
	}
	return Attach(opts.Program, Info{Type: XDP, Ifindex: uint32(opts.Interface), Flags: opts.Flags})
}

// CgroupOptions are AttachCgroup's arguments.
type CgroupOptions struct {
	// Path is the cgroup directory.
	Path string
	// ID is the cgroup's ID (0 when unknown).
	ID uint64
	// Attach is the attach type, by bpftool's cgroup name ("ingress",
	// "connect4") or libbpf's ("cgroup_inet_ingress").
	Attach string
	// Program is a program of the attach type's program type.
	Program *ebpf.Program
}

// AttachCgroup links a program to a cgroup for an attach type. A cgroup
// hook takes several links, which run in attach order.
func AttachCgroup(opts CgroupOptions) (*Link, error) {
	at, ok := CgroupAttachType(opts.Attach)
	if !ok {
		if at, ok = cgroupAttachByLibbpf(opts.Attach); !ok {
			return nil, fmt.Errorf("cgroup link: unknown attach type %q: %w", opts.Attach, maps.EINVAL)
		}
	}
	return Attach(opts.Program, Info{Type: Cgroup, AttachType: at.Libbpf, Cgroup: opts.Path, CgroupID: opts.ID})
}

// AttachHook links a program to an application hook (see DefineHook).
func AttachHook(h *Hook, prog *ebpf.Program) (*Link, error) {
	if h == nil {
		return nil, fmt.Errorf("hook link: no hook: %w", maps.EINVAL)
	}
	return Attach(prog, Info{Type: RawTracepoint, Hook: h.name})
}

// ID returns the link's ID.
func (l *Link) ID() uint32 { return l.info.ID }

// Program returns the program the link holds.
func (l *Link) Program() *ebpf.Program { return l.prog }

// Info describes the link.
func (l *Link) Info() (*Info, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, fmt.Errorf("link %d is closed: %w", l.info.ID, maps.EBADF)
	}
	i := l.info
	return &i, nil
}

// Detach detaches the link from its attach point; the link lives on,
// holding its program, until closed (BPF_LINK_DETACH).
func (l *Link) Detach() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("link %d is closed: %w", l.info.ID, maps.EBADF)
	}
	if l.hook != nil {
		l.hook.remove(l)
		l.hook = nil
	}
	l.info.Detached = true
	return nil
}

// Close detaches the link and releases it.
func (l *Link) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	if l.hook != nil {
		l.hook.remove(l)
		l.hook = nil
	}
	l.closed = true
	unregister(l)
	return nil
}

// String describes the link for messages.
func (l *Link) String() string {
	return fmt.Sprintf("%s link (id=%d, prog=%d)", l.info.Type, l.info.ID, l.info.Program)
}
