package cli

import (
	"os"
	"path/filepath"

	"github.com/bpfhost/bpfhost/ebpf/link"
	"github.com/bpfhost/bpfhost/internal/state"
)

// bpftool cgroup { attach | detach }. An attachment is a cgroup link held by
// the cgroup (as BPF_PROG_ATTACH's is): it shows in `link show`, lives
// without a pin and goes with `cgroup detach`. The cgroup must be a
// directory the command can open, as bpftool's; nothing runs the programs
// on real sockets yet.

func cgroupUsage(c *cli) {
	printUsage(c, `Usage: BIN cgroup { show | list } CGROUP [**effective**]
       BIN cgroup tree [CGROUP_ROOT] [**effective**]
       BIN cgroup attach CGROUP ATTACH_TYPE PROG [ATTACH_FLAGS]
       BIN cgroup detach CGROUP ATTACH_TYPE PROG
       BIN cgroup help

       ATTACH_TYPE := { cgroup_inet_ingress | cgroup_inet_egress |
                        cgroup_inet_sock_create | cgroup_sock_ops |
                        cgroup_device | cgroup_inet4_bind |
                        cgroup_inet6_bind | cgroup_inet4_post_bind |
                        cgroup_inet6_post_bind | cgroup_inet4_connect |
                        cgroup_inet6_connect | cgroup_inet4_getpeername |
                        cgroup_inet6_getpeername | cgroup_inet4_getsockname |
                        cgroup_inet6_getsockname | cgroup_udp4_sendmsg |
                        cgroup_udp6_sendmsg | cgroup_udp4_recvmsg |
                        cgroup_udp6_recvmsg | cgroup_sysctl |
                        cgroup_getsockopt | cgroup_setsockopt |
                        cgroup_inet_sock_release }
       ATTACH_FLAGS := { multi | override }
       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                    {-f|--bpffs} }
`)
}

func (c *cli) doCgroup(args []string) error {
	return c.dispatch([]command{
		{"show", (*cli).cgroupShow},
		{"list", (*cli).cgroupShow},
		{"attach", (*cli).cgroupAttach},
		{"detach", (*cli).cgroupDetach},
		{"help", func(c *cli, args []string) error { c.printHelp(cgroupUsage); return nil }},
	}, args, cgroupUsage)
}

// Attach flags of BPF_PROG_ATTACH.
const (
	attachAllowOverride = 1
	attachAllowMulti    = 2
)

// parseCgroupAttach is bpftool's parse_attach_type: libbpf's names exactly,
// or a prefix of bpftool's traditional ones.
func parseCgroupAttach(s string) (link.CgroupAttach, bool) {
	for _, a := range link.CgroupAttachTypes() {
		if s == a.Libbpf {
			return a, true
		}
	}
	for _, a := range link.CgroupAttachTypes() {
		if isPrefix(s, a.Name) {
			return a, true
		}
	}
	return link.CgroupAttach{}, false
}

// openCgroup checks that path is a directory and returns its absolute path
// (against the client's directory in a service) and ID.
func (c *cli) openCgroup(path string) (string, uint64, error) {
	if !filepath.IsAbs(path) && c.env != nil && c.env.Cwd != "" {
		path = filepath.Join(c.env.Cwd, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", 0, errorf("can't open cgroup %s", path)
	}
	fi, err := os.Stat(abs)
	if err != nil || !fi.IsDir() {
		return "", 0, errorf("can't open cgroup %s", path)
	}
	return abs, inodeOf(fi), nil
}

func (c *cli) cgroupAttach(args []string) error {
	if len(args) < 3 {
		return errorf("too few parameters for cgroup attach")
	}
	cg, cgid, err := c.openCgroup(args[0])
	if err != nil {
		return err
	}
	at, ok := parseCgroupAttach(args[1])
	if !ok {
		return errorf("invalid attach type")
	}
	prog, rest, err := c.parseProg(args[2:])
	if err != nil {
		return err
	}
	var flags uint32
	for _, a := range rest {
		switch {
		case isPrefix(a, "multi"):
			flags |= attachAllowMulti
		case isPrefix(a, "override"):
			flags |= attachAllowOverride
		default:
			return errorf("unknown option: %s", a)
		}
	}
	// BPF_PROG_ATTACH's modes: without multi a cgroup hook holds one
	// program, which a new attach replaces; multi attachments accumulate
	// (the same program once); the two modes do not mix (EPERM).
	var replace *state.LinkMeta
	for _, id := range c.st.SortedLinkIDs() {
		_, lm, _ := c.st.Link(id)
		if lm.Type != string(link.Cgroup) || lm.Detached || lm.Cgroup != cg || lm.AttachType != at.Libbpf {
			continue
		}
		switch {
		case linkFlags(lm)&attachAllowMulti != flags&attachAllowMulti:
			return errorf("failed to attach program")
		case flags&attachAllowMulti != 0 && lm.ProgID == prog:
			return errorf("failed to attach program")
		case flags&attachAllowMulti == 0 && lm.Held:
			replace = lm
		case flags&attachAllowMulti == 0:
			return errorf("failed to attach program") // a link holds the hook
		}
	}
	if replace != nil {
		if err := c.st.DetachLink(replace.ID); err != nil {
			return errorf("failed to attach program")
		}
	}
	spec := link.Info{Type: link.Cgroup, AttachType: at.Libbpf, Cgroup: cg, CgroupID: cgid, Flags: flags}
	if _, _, err := c.st.AttachLink(prog, spec, true); err != nil {
		if c.debug {
			c.warn("%v", err)
		}
		return errorf("failed to attach program")
	}
	if c.json {
		c.jw.null()
	}
	return nil
}

func (c *cli) cgroupDetach(args []string) error {
	if len(args) < 4 {
		return errorf("too few parameters for cgroup detach")
	}
	cg, _, err := c.openCgroup(args[0])
	if err != nil {
		return err
	}
	at, ok := parseCgroupAttach(args[1])
	if !ok {
		return errorf("invalid attach type")
	}
	prog, _, err := c.parseProg(args[2:])
	if err != nil {
		return err
	}
	var found *state.LinkMeta
	for _, id := range c.st.SortedLinkIDs() {
		_, lm, _ := c.st.Link(id)
		if lm.Type == string(link.Cgroup) && lm.Held && lm.Cgroup == cg && lm.AttachType == at.Libbpf && lm.ProgID == prog {
			found = lm
			break
		}
	}
	if found == nil || c.st.DetachLink(found.ID) != nil {
		return errorf("failed to detach program")
	}
	if c.json {
		c.jw.null()
	}
	return nil
}

// linkFlags are the attach flags a cgroup link shows: a link that is not
// an attachment held by the cgroup is a bpf_link, which the kernel
// attaches in multi mode.
func linkFlags(lm *state.LinkMeta) uint32 {
	if !lm.Held {
		return attachAllowMulti
	}
	return lm.Flags
}
