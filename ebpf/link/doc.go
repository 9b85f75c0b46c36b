// Package link attaches loaded programs to attach points, as the kernel's
// bpf_link objects do, with an API shaped like cilium/ebpf's link package
// (AttachXDP, AttachCgroup, Link with Info and Close).
//
// A link is an object with its own ID that holds one program attached to
// one attach point (a hook). Attach points are:
//
//   - XDP on an interface index (one program per interface, as the
//     kernel's; a second attach fails with EBUSY);
//   - cgroup attach types on a cgroup (several programs per hook, run in
//     attach order, as with BPF_F_ALLOW_MULTI);
//   - hooks an application embedding bpfhost defines for itself with
//     DefineHook: a name and a program type. The application runs the
//     programs attached to it with Hook.Run. Such links show as bpftool's
//     raw_tracepoint links whose tp_name is the hook's name.
//
// XDP and cgroup hooks are not wired to real packets or sockets yet: they
// are Hooks like the application's, which Hook.Run runs.
//
// Unlike the kernel, a link does not take a reference on its program: the
// caller keeps the program open while the link lives (the state directory
// of the command line does this for its links).
package link
