package cli

import (
	"fmt"
	"net"

	"github.com/bpfhost/bpfhost/ebpf/link"
	"github.com/bpfhost/bpfhost/internal/state"
	"github.com/bpfhost/bpfhost/maps"
)

// bpftool net { attach | detach | show } for XDP. An attachment made here
// is an XDP link held by the interface (as the kernel's netlink attachment
// is held by the device): it shows in `link show`, lives without a pin and
// goes with `net detach`. The interface is looked up by name on the host;
// no packet reaches the program yet.

func netUsage(c *cli) {
	printUsage(c, `Usage: BIN net { show | list } [dev <devname>]
       BIN net attach ATTACH_TYPE PROG dev <devname> [ overwrite ]
       BIN net detach ATTACH_TYPE dev <devname>
       BIN net help

       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }
       ATTACH_TYPE := { xdp | xdpgeneric | xdpdrv | xdpoffload }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} }

Note: Only xdp and tc attachments are supported now.
      For progs attached to cgroups, use "BIN cgroup"
      to dump program attachments. For program types
      sk_{filter,skb,msg,reuseport} and lwt/seg6, please
      consult iproute2.
`)
}

func (c *cli) doNet(args []string) error {
	return c.dispatch([]command{
		{"show", (*cli).netShow},
		{"list", (*cli).netShow},
		{"attach", (*cli).netAttach},
		{"detach", (*cli).netDetach},
		{"help", func(c *cli, args []string) error { c.printHelp(netUsage); return nil }},
	}, args, netUsage)
}

// XDP attach types and the XDP_FLAGS_* mode flag each sets.
var netAttachTypes = []struct {
	name  string
	flags uint32
}{{"xdp", 0}, {"xdpgeneric", 2}, {"xdpdrv", 4}, {"xdpoffload", 8}}

func parseNetAttachType(s string) (name string, flags uint32, ok bool) {
	for _, t := range netAttachTypes {
		if s == t.name {
			return t.name, t.flags, true
		}
	}
	return "", 0, false
}

// parseDev is bpftool's net_parse_dev: "dev NAME" to an interface index.
func parseDev(args []string) (int, []string, error) {
	if len(args) == 0 || !isPrefix(args[0], "dev") {
		got := ""
		if len(args) > 0 {
			got = args[0]
		}
		return 0, nil, errorf("expected 'dev', got: '%s'?", got)
	}
	if len(args) < 2 {
		return 0, nil, errorf("invalid devname ")
	}
	ifi, err := net.InterfaceByName(args[1])
	if err != nil {
		return 0, nil, errorf("invalid devname %s", args[1])
	}
	return ifi.Index, args[2:], nil
}

// xdpLinkOn returns the live link attached to ifindex, if any.
func xdpLinkOn(st *state.State, ifindex int) *state.LinkMeta {
	for _, id := range st.SortedLinkIDs() {
		_, lm, _ := st.Link(id)
		if lm.Type == string(link.XDP) && !lm.Detached && lm.Ifindex == uint32(ifindex) {
			return lm
		}
	}
	return nil
}

func (c *cli) netAttach(args []string) error {
	if len(args) < 5 {
		return errorf("too few parameters for net attach")
	}
	name, flags, ok := parseNetAttachType(args[0])
	if !ok {
		return errorf("invalid net attach/detach type: %s", args[0])
	}
	prog, rest, err := c.parseProg(args[1:])
	if err != nil {
		return err
	}
	ifindex, rest, err := parseDev(rest)
	if err != nil {
		return err
	}
	overwrite := false
	if len(rest) > 0 {
		if !isPrefix(rest[0], "overwrite") {
			return errorf("expected 'overwrite', got: '%s'?", rest[0])
		}
		overwrite = true
	}
	fail := func(err error) error {
		return errorf("interface %s attach failed: %s", name, strerror(err))
	}
	if flags == 8 {
		return fail(maps.ENOTSUP) // no device offloads programs here
	}
	if _, pm, _ := c.st.Program(prog); pm.Type != "xdp" {
		return fail(maps.EINVAL)
	}
	if cur := xdpLinkOn(c.st, ifindex); cur != nil {
		// The kernel replaces a netlink attachment with overwrite, and
		// never a link someone holds.
		if !overwrite || !cur.Held {
			return fail(maps.EBUSY)
		}
		if err := c.st.DetachLink(cur.ID); err != nil {
			return fail(err)
		}
	}
	if _, _, err := c.st.AttachLink(prog, link.Info{Type: link.XDP, Ifindex: uint32(ifindex), Flags: flags}, true); err != nil {
		return fail(err)
	}
	if c.json {
		c.jw.null()
	}
	return nil
}

func (c *cli) netDetach(args []string) error {
	if len(args) < 3 {
		return errorf("too few parameters for net detach")
	}
	name, _, ok := parseNetAttachType(args[0])
	if !ok {
		return errorf("invalid net attach/detach type: %s", args[0])
	}
	st, err := c.state()
	if err != nil {
		return err
	}
	ifindex, _, err := parseDev(args[1:])
	if err != nil {
		return err
	}
	if cur := xdpLinkOn(st, ifindex); cur != nil {
		if !cur.Held {
			// A link is detached with `link detach`, as in the kernel.
			return errorf("interface %s detach failed: %s", name, strerror(maps.EBUSY))
		}
		if err := st.DetachLink(cur.ID); err != nil {
			return errorf("interface %s detach failed: %s", name, strerror(err))
		}
	}
	if c.json {
		c.jw.null()
	}
	return nil
}

// xdpMode is the mode `net show` prints for XDP_FLAGS_* flags. With no
// mode flag bpfhost's programs run in user space, which is what the
// kernel calls generic.
func xdpMode(flags uint32) string {
	switch {
	case flags&8 != 0:
		return "offloaded"
	case flags&4 != 0:
		return "driver"
	}
	return "generic"
}

// netShow lists the XDP attachments (links included, as the kernel shows
// the program an interface runs however it got there). bpfhost has no tc
// or flow dissector attachments, so those sections are empty.
func (c *cli) netShow(args []string) error {
	st, err := c.state()
	if err != nil {
		return err
	}
	filter := 0
	if len(args) > 0 {
		if filter, args, err = parseDev(args); err != nil {
			return err
		}
		if len(args) > 0 {
			return &usageError{netUsage}
		}
	}
	var xdp []*state.LinkMeta
	for _, id := range st.SortedLinkIDs() {
		_, lm, _ := st.Link(id)
		if lm.Type == string(link.XDP) && !lm.Detached && (filter == 0 || lm.Ifindex == uint32(filter)) {
			xdp = append(xdp, lm)
		}
	}
	devname := func(ifindex uint32) string {
		if ifi, err := net.InterfaceByIndex(int(ifindex)); err == nil {
			return ifi.Name
		}
		return ""
	}
	if c.json {
		j := c.jw
		j.startArray()
		j.startObject()
		j.name("xdp")
		j.startArray()
		for _, lm := range xdp {
			j.startObject()
			j.strField("devname", devname(lm.Ifindex))
			j.uintField("ifindex", uint64(lm.Ifindex))
			j.strField("mode", xdpMode(lm.Flags))
			j.uintField("id", uint64(lm.ProgID))
			j.endObject()
		}
		j.endArray()
		j.name("tc")
		j.startArray()
		j.endArray()
		j.name("flow_dissector")
		j.startArray()
		j.endArray()
		j.endObject()
		j.endArray()
		return nil
	}
	fmt.Fprintln(c.out, "xdp:")
	for _, lm := range xdp {
		fmt.Fprintf(c.out, "%s(%d) %s id %d\n", devname(lm.Ifindex), lm.Ifindex, xdpMode(lm.Flags), lm.ProgID)
	}
	fmt.Fprint(c.out, "\ntc:\n\nflow_dissector:\n\n")
	return nil
}
