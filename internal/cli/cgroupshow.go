package cli

import (
	"fmt"
	"sort"

	"github.com/bpfhost/bpfhost/ebpf/link"
	"github.com/bpfhost/bpfhost/internal/state"
)

// cgroupShow is `cgroup show CGROUP`: the programs attached to the cgroup
// (through held or pinned cgroup links), by attach type in the kernel's
// order, in bpftool v7.1's layout: nothing at all for a cgroup without
// programs, else a header and one row per program. "effective" (the
// programs inherited from ancestors) is not modelled.
func (c *cli) cgroupShow(args []string) error {
	if err := needArgs(args, 1, "show"); err != nil {
		return err
	}
	cg, _, err := c.openCgroup(args[0])
	if err != nil {
		return err
	}
	if len(args) > 1 {
		if isPrefix(args[1], "effective") {
			return errorf("'effective' is not supported by bpfhost")
		}
		return errorf("expected no more arguments, 'effective', got: '%s'?", args[1])
	}
	st, err := c.state()
	if err != nil {
		return err
	}
	type row struct {
		num uint32
		lm  *state.LinkMeta
	}
	var rows []row
	for _, id := range st.SortedLinkIDs() {
		_, lm, _ := st.Link(id)
		if lm.Type != string(link.Cgroup) || lm.Detached || lm.Cgroup != cg {
			continue
		}
		num := uint32(1 << 31)
		for _, a := range link.CgroupAttachTypes() {
			if a.Libbpf == lm.AttachType {
				num = a.Number
			}
		}
		rows = append(rows, row{num, lm})
	}
	// Stable: within an attach type, attach order (increasing link IDs).
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].num < rows[j].num })
	if len(rows) == 0 {
		return nil
	}
	if c.json {
		c.jw.startArray()
	} else {
		fmt.Fprintf(c.out, "%-8s %-15s %-15s %-15s\n", "ID", "AttachType", "AttachFlags", "Name")
	}
	for _, r := range rows {
		name := ""
		if _, pm, ok := st.Program(r.lm.ProgID); ok {
			name = kernelName(pm.Name)
		}
		flags := attachFlagsString(linkFlags(r.lm))
		if c.json {
			j := c.jw
			j.startObject()
			j.uintField("id", uint64(r.lm.ProgID))
			j.strField("attach_type", r.lm.AttachType)
			j.strField("attach_flags", flags)
			j.strField("name", name)
			j.strField("attach_btf_name", "")
			j.uintField("attach_btf_obj_id", 0)
			j.uintField("attach_btf_id", 0)
			j.endObject()
			continue
		}
		fmt.Fprintf(c.out, "%-8d %-15s %-15s %-15s %-15s\n", r.lm.ProgID, r.lm.AttachType, flags, name, "")
	}
	if c.json {
		c.jw.endArray()
	}
	return nil
}

// attachFlagsString is bpftool's text for BPF_PROG_ATTACH flags.
func attachFlagsString(flags uint32) string {
	switch flags {
	case 0:
		return ""
	case attachAllowMulti:
		return "multi"
	case attachAllowOverride:
		return "override"
	}
	return fmt.Sprintf("unknown(%x)", flags)
}
