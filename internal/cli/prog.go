package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/bpfhost/bpfhost/internal/state"
	"github.com/bpfhost/bpfhost/isa"
)

func (c *cli) doProg(args []string) error {
	notSupported := func(what string) func(*cli, []string) error {
		return func(c *cli, args []string) error {
			return errorf("'prog %s' is not supported by bpfhost (programs run with 'prog run')", what)
		}
	}
	return c.dispatch([]command{
		{"show", (*cli).progShow},
		{"list", (*cli).progShow},
		{"help", func(c *cli, args []string) error { c.printHelp(progUsage); return nil }},
		{"dump", (*cli).progDump},
		{"pin", (*cli).progPin},
		{"load", func(c *cli, args []string) error { return c.progLoad(args, true) }},
		{"loadall", func(c *cli, args []string) error { return c.progLoad(args, false) }},
		{"attach", notSupported("attach")},
		{"detach", notSupported("detach")},
		{"tracelog", (*cli).progTracelog},
		{"run", (*cli).progRun},
		{"profile", notSupported("profile")},
	}, args, progUsage)
}

func (c *cli) progShow(args []string) error {
	st, err := c.state()
	if err != nil {
		return err
	}
	var ids []uint32
	list := true
	switch {
	case len(args) == 2:
		if ids, _, err = c.parseProgs(args); err != nil {
			return err
		}
		list = len(ids) > 1
	case len(args) != 0:
		return errorf("what is '%s'?", args[0])
	default:
		ids = st.SortedProgIDs()
	}
	if c.json && list {
		c.jw.startArray()
	}
	for _, id := range ids {
		_, pm, _ := st.Program(id)
		c.showProg(pm)
	}
	if c.json && list {
		c.jw.endArray()
	}
	return nil
}

// progMemlock is what the kernel charges a program: its image, in pages.
func progMemlock(pm *state.ProgMeta) uint64 {
	return (uint64(len(pm.Insns)) + 4095) &^ 4095
}

func (c *cli) showProg(pm *state.ProgMeta) {
	loaded := time.Unix(0, pm.LoadedAt)
	pins := c.st.PinsOf(state.KindProg, pm.ID)
	if c.json {
		j := c.jw
		j.startObject()
		j.uintField("id", uint64(pm.ID))
		j.strField("type", pm.Type)
		if pm.Name != "" {
			j.strField("name", kernelName(pm.Name))
		}
		j.strField("tag", pm.Tag)
		j.boolField("gpl_compatible", pm.GPL)
		if cnt, ns := c.st.RunStats(pm.ID); c.st.StatsEnabled && ns != 0 {
			j.uintField("run_time_ns", ns)
			j.uintField("run_cnt", cnt)
		}
		j.uintField("loaded_at", uint64(loaded.Unix()))
		j.uintField("uid", uint64(pm.UID))
		j.uintField("bytes_xlated", uint64(len(pm.Insns)))
		j.boolField("jited", false)
		j.uintField("bytes_memlock", progMemlock(pm))
		if len(pm.MapIDs) > 0 {
			j.name("map_ids")
			j.startArray()
			for _, id := range pm.MapIDs {
				j.uint(uint64(id))
			}
			j.endArray()
		}
		if pm.BTFID != 0 {
			j.uintField("btf_id", uint64(pm.BTFID))
		}
		if c.bpffs && len(pins) > 0 {
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
	fmt.Fprintf(w, "%d: %s  ", pm.ID, pm.Type)
	if pm.Name != "" {
		fmt.Fprintf(w, "name %s  ", kernelName(pm.Name))
	}
	fmt.Fprintf(w, "tag %s", pm.Tag)
	if pm.GPL {
		fmt.Fprint(w, "  gpl")
	}
	if cnt, ns := c.st.RunStats(pm.ID); c.st.StatsEnabled && ns != 0 {
		fmt.Fprintf(w, " run_time_ns %d run_cnt %d", ns, cnt)
	}
	fmt.Fprint(w, "\n")
	fmt.Fprintf(w, "\tloaded_at %s  uid %d\n", loaded.Format("2006-01-02T15:04:05-0700"), pm.UID)
	fmt.Fprintf(w, "\txlated %dB  not jited  memlock %dB", len(pm.Insns), progMemlock(pm))
	if len(pm.MapIDs) > 0 {
		ids := make([]string, len(pm.MapIDs))
		for i, id := range pm.MapIDs {
			ids[i] = fmt.Sprint(id)
		}
		fmt.Fprintf(w, "  map_ids %s", strings.Join(ids, ","))
	}
	fmt.Fprint(w, "\n")
	if pm.BTFID != 0 {
		fmt.Fprintf(w, "\tbtf_id %d\n", pm.BTFID)
	}
	if c.bpffs {
		for _, p := range pins {
			fmt.Fprintf(w, "\tpinned %s\n", p)
		}
	}
}

func (c *cli) progDump(args []string) error {
	if len(args) == 0 {
		return &usageError{progUsage}
	}
	switch {
	case isPrefix(args[0], "jited"):
		if len(args) < 3 {
			return &usageError{progUsage}
		}
		ids, _, err := c.parseProgs(args[1:])
		if err != nil {
			return err
		}
		return c.dumpJited(ids)
	case isPrefix(args[0], "xlated"):
	default:
		return errorf("expected 'xlated' or 'jited', got: %s", args[0])
	}
	args = args[1:]
	if len(args) < 2 {
		return &usageError{progUsage}
	}
	ids, rest, err := c.parseProgs(args)
	if err != nil {
		return err
	}
	var file string
	opcodes := false
	for len(rest) > 0 {
		switch {
		case isPrefix(rest[0], "file"):
			if len(rest) < 2 {
				return errorf("expected file path")
			}
			file, rest = rest[1], rest[2:]
		case isPrefix(rest[0], "opcodes"):
			opcodes, rest = true, rest[1:]
		case isPrefix(rest[0], "visual"), isPrefix(rest[0], "linum"):
			return errorf("'%s' is not supported by bpfhost", rest[0])
		default:
			return &usageError{progUsage}
		}
	}
	if file != "" && len(ids) > 1 {
		return errorf("several programs match this handle")
	}
	if c.json && len(ids) > 1 {
		c.jw.startArray()
	}
	for _, id := range ids {
		_, pm, _ := c.st.Program(id)
		insns, err := isa.Decode(pm.Insns)
		if err != nil {
			return errorf("program %d: %v", id, err)
		}
		if file != "" {
			if err := c.files.WriteFile(file, pm.Insns, 0o600); err != nil {
				return errorf("error writing output file: %s", errnoMessage(err))
			}
			if c.json {
				c.jw.null()
			}
			continue
		}
		c.dumpXlated(insns, opcodes, c.xlatedAnnotations(pm, len(insns)))
	}
	if c.json && len(ids) > 1 {
		c.jw.endArray()
	}
	return nil
}

// dumpXlated prints linked instructions as `bpftool prog dump xlated` does.
func (c *cli) dumpXlated(insns []isa.Instruction, opcodes bool, info *xlatedInfo) {
	opts := isa.DisasmOptions{Xlated: true}
	if c.json {
		c.jw.startArray()
	}
	for i := 0; i < len(insns); i++ {
		text := fmt.Sprintf("(%02x) %s", insns[i].Opcode, isa.Format(insns, i, opts))
		n := 1
		if insns[i].IsLdImm64() && i+1 < len(insns) {
			n = 2
		}
		raw := isa.Encode(insns[i : i+n])
		var proto, src string
		var hasProto, hasSrc bool
		if info != nil {
			proto, hasProto = info.proto[i]
			src, hasSrc = info.src[i]
		}
		if c.json {
			c.jw.startObject()
			if hasProto {
				c.jw.strField("proto", proto)
			}
			if hasSrc {
				c.jw.strField("src", src)
			}
			c.jw.strField("disasm", text)
			if opcodes {
				// bpftool splits the encoding into its fields; the imm of
				// an ld_imm64 runs on into the second slot.
				c.jw.name("opcodes")
				c.jw.startObject()
				c.jw.strField("code", fmt.Sprintf("0x%02x", raw[0]))
				c.jw.strField("src_reg", fmt.Sprintf("0x%x", raw[1]>>4))
				c.jw.strField("dst_reg", fmt.Sprintf("0x%x", raw[1]&0xf))
				c.jw.name("off")
				c.jw.hexBytes(raw[2:4])
				c.jw.name("imm")
				c.jw.hexBytes(raw[4:])
				c.jw.endObject()
			}
			c.jw.endObject()
		} else {
			if hasProto {
				fmt.Fprintf(c.out, "%s:\n", proto)
			}
			if hasSrc {
				fmt.Fprintf(c.out, "; %s\n", src)
			}
			fmt.Fprintf(c.out, "%4d: %s\n", i, text)
			if opcodes {
				fmt.Fprint(c.out, "       ")
				fprintHex(c.out, raw, " ")
				fmt.Fprint(c.out, "\n")
			}
		}
		i += n - 1
	}
	if c.json {
		c.jw.endArray()
	}
}

func (c *cli) progPin(args []string) error {
	if err := needArgs(args, 3, "pin"); err != nil {
		return err
	}
	id, rest, err := c.parseProg(args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return &usageError{progUsage}
	}
	if err := c.st.Pin(rest[0], state.KindProg, id); err != nil {
		return pinErr(rest[0], err)
	}
	if c.json {
		c.jw.null()
	}
	return nil
}

func (c *cli) progTracelog(args []string) error {
	if len(args) != 0 {
		return &usageError{progUsage}
	}
	st, err := c.state()
	if err != nil {
		return err
	}
	if c.json {
		c.jw.startArray()
	}
	err = st.ReadTrace(func(line string) error {
		if c.json {
			c.jw.str(line)
		} else {
			fmt.Fprintln(c.out, line)
		}
		return nil
	})
	if c.json {
		c.jw.endArray()
	}
	if err != nil {
		return errorf("reading trace log: %v", err)
	}
	return nil
}
