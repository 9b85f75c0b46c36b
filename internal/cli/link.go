package cli

import (
	"fmt"

	"github.com/bpfhost/bpfhost/internal/state"
	"github.com/bpfhost/bpfhost/maps"
)

// bpftool link { show | pin | detach }: links as bpftool v7.1 shows them.

func linkUsage(c *cli) {
	printUsage(c, `Usage: BIN link { show | list }   [LINK]
       BIN link pin        LINK  FILE
       BIN link detach     LINK
       BIN link help

       LINK := { id LINK_ID | pinned FILE }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                    {-f|--bpffs} | {-n|--nomount} }
`)
}

func (c *cli) doLink(args []string) error {
	return c.dispatch([]command{
		{"show", (*cli).linkShow},
		{"list", (*cli).linkShow},
		{"help", func(c *cli, args []string) error { c.printHelp(linkUsage); return nil }},
		{"pin", (*cli).linkPin},
		{"detach", (*cli).linkDetach},
	}, args, linkUsage)
}

// parseLink resolves a LINK handle (id N | pinned FILE), as bpftool's
// link_parse_fd.
func (c *cli) parseLink(args []string) (uint32, []string, error) {
	st, err := c.state()
	if err != nil {
		return 0, nil, err
	}
	if len(args) < 2 {
		return 0, nil, &usageError{linkUsage}
	}
	kw, val, rest := args[0], args[1], args[2:]
	switch {
	case isPrefix(kw, "id"):
		id, ok := parseU32(val)
		if !ok {
			return 0, nil, errorf("can't parse %s as ID", val)
		}
		if _, _, ok := st.Link(id); !ok {
			return 0, nil, errorf("failed to get link with ID %d: %s", id, strerror(maps.ENOENT))
		}
		return id, rest, nil
	case isPrefix(kw, "pinned"):
		id, err := c.pinned(val, state.KindLink)
		if err != nil {
			return 0, nil, err
		}
		return id, rest, nil
	}
	return 0, nil, errorf("expected 'id' or 'pinned', got: '%s'?", kw)
}

func (c *cli) linkShow(args []string) error {
	st, err := c.state()
	if err != nil {
		return err
	}
	if len(args) > 0 {
		id, rest, err := c.parseLink(args)
		if err != nil {
			return err
		}
		if len(rest) != 0 {
			return &usageError{linkUsage}
		}
		_, lm, _ := st.Link(id)
		c.showLink(lm)
		return nil
	}
	if c.json {
		c.jw.startArray()
	}
	for _, id := range st.SortedLinkIDs() {
		_, lm, _ := st.Link(id)
		c.showLink(lm)
	}
	if c.json {
		c.jw.endArray()
	}
	return nil
}

// showLink prints one link in bpftool's shape: the header, the fields of
// its type, and its pins with -f.
func (c *cli) showLink(lm *state.LinkMeta) {
	var pins []string
	if c.bpffs {
		pins = c.st.PinsOf(state.KindLink, lm.ID)
	}
	if c.json {
		j := c.jw
		j.startObject()
		j.uintField("id", uint64(lm.ID))
		j.strField("type", lm.Type)
		j.uintField("prog_id", uint64(lm.ProgID))
		switch lm.Type {
		case "raw_tracepoint":
			j.strField("tp_name", lm.Hook)
		case "cgroup":
			j.uintField("cgroup_id", lm.CgroupID)
			j.strField("attach_type", lm.AttachType)
		}
		if len(pins) > 0 {
			j.name("pinned")
			j.startArray()
			for _, p := range pins {
				j.str(p)
			}
			j.endArray()
		}
		j.endObject()
		return
	}
	w := c.out
	fmt.Fprintf(w, "%d: %s  prog %d  ", lm.ID, lm.Type, lm.ProgID)
	switch lm.Type {
	case "raw_tracepoint":
		fmt.Fprintf(w, "\n\ttp '%s'  ", lm.Hook)
	case "cgroup":
		fmt.Fprintf(w, "\n\tcgroup_id %d  attach_type %s  ", lm.CgroupID, lm.AttachType)
	}
	for _, p := range pins {
		fmt.Fprintf(w, "\n\tpinned %s", p)
	}
	fmt.Fprintln(w)
}

func (c *cli) linkPin(args []string) error {
	if err := needArgs(args, 3, "pin"); err != nil {
		return err
	}
	id, rest, err := c.parseLink(args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return &usageError{linkUsage}
	}
	if err := c.st.Pin(rest[0], state.KindLink, id); err != nil {
		return pinErr(rest[0], err)
	}
	if c.json {
		c.jw.null()
	}
	return nil
}

func (c *cli) linkDetach(args []string) error {
	if len(args) != 2 {
		return errorf("link specifier is invalid or missing\n")
	}
	id, _, err := c.parseLink(args)
	if err != nil {
		return err
	}
	if err := c.st.DetachLink(id); err != nil {
		return errorf("failed link detach: %v", err)
	}
	if c.json {
		c.jw.null()
	}
	return nil
}
