package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/internal/state"
	"github.com/bpfhost/bpfhost/maps"
)

func (c *cli) doMap(args []string) error {
	return c.dispatch([]command{
		{"show", (*cli).mapShow},
		{"list", (*cli).mapShow},
		{"help", func(c *cli, args []string) error { c.printHelp(mapUsage); return nil }},
		{"dump", (*cli).mapDump},
		{"update", (*cli).mapUpdate},
		{"lookup", (*cli).mapLookup},
		{"getnext", (*cli).mapGetNext},
		{"delete", (*cli).mapDelete},
		{"pin", (*cli).mapPin},
		{"event_pipe", func(c *cli, args []string) error {
			return errorf("'map event_pipe' is not supported by bpfhost")
		}},
		{"create", (*cli).mapCreate},
		{"peek", func(c *cli, args []string) error { return c.mapQueueRead(args, "peek") }},
		{"push", func(c *cli, args []string) error { return c.mapQueuePush(args, "push") }},
		{"enqueue", func(c *cli, args []string) error { return c.mapQueuePush(args, "enqueue") }},
		{"pop", func(c *cli, args []string) error { return c.mapQueueRead(args, "pop") }},
		{"dequeue", func(c *cli, args []string) error { return c.mapQueueRead(args, "dequeue") }},
		{"freeze", (*cli).mapFreeze},
	}, args, mapUsage)
}

// mapHandle is a resolved map with what printing it needs.
type mapHandle struct {
	m    *ebpf.Map
	meta *state.MapMeta
	in   maps.Map
	ncpu int
}

func (c *cli) handle(id uint32) *mapHandle {
	m, mm, _ := c.st.Map(id)
	return &mapHandle{m: m, meta: mm, in: m.Internal(), ncpu: c.st.CPUs()}
}

func (h *mapHandle) perCPU() bool   { return h.m.Type().PerCPU() }
func (h *mapHandle) keySize() int   { return int(h.m.KeySize()) }
func (h *mapHandle) valueSize() int { return int(h.m.ValueSize()) }

// valueBufSize is the user-space value size: per-CPU maps carry one value
// per CPU, each padded to 8 bytes, as with the bpf() syscall.
func (h *mapHandle) valueBufSize() int {
	if h.perCPU() {
		return h.ncpu * ((h.valueSize() + 7) &^ 7)
	}
	return h.valueSize()
}

// split cuts a per-CPU value buffer into the CPUs' values.
func (h *mapHandle) split(buf []byte) [][]byte {
	if !h.perCPU() {
		return [][]byte{buf}
	}
	step := (h.valueSize() + 7) &^ 7
	out := make([][]byte, h.ncpu)
	for i := range out {
		out[i] = buf[i*step : i*step+h.valueSize()]
	}
	return out
}

// mapMemlock approximates what the kernel charges a map: its storage.
func mapMemlock(h *mapHandle, root string) uint64 {
	if fi, err := os.Stat(root + "/maps/" + h.meta.File); err == nil {
		return uint64(fi.Size())
	}
	return 0
}

func (c *cli) mapShow(args []string) error {
	st, err := c.state()
	if err != nil {
		return err
	}
	var ids []uint32
	list := true
	switch {
	case len(args) == 2:
		if ids, _, err = c.parseMaps(args); err != nil {
			return err
		}
		list = len(ids) > 1
	case len(args) != 0:
		return errorf("what is '%s'?", args[0])
	default:
		ids = st.SortedMapIDs()
	}
	if c.json && list {
		c.jw.startArray()
	}
	for _, id := range ids {
		c.showMap(c.handle(id))
	}
	if c.json && list {
		c.jw.endArray()
	}
	return nil
}

func (c *cli) showMap(h *mapHandle) {
	mm := h.meta
	name := displayMapName(mm)
	memlock := mapMemlock(h, c.st.Root)
	isProgArray := h.m.Type() == maps.ProgArray
	pins := c.st.PinsOf(state.KindMap, mm.ID)
	// Like libbpf, only maps with typed keys or values carry BTF.
	var btfID uint32
	if c.mapBTF(mm) != nil {
		btfID = mm.BTFID
	}
	frozen := 0
	if mm.Frozen {
		frozen = 1
	}
	if c.json {
		j := c.jw
		j.startObject()
		j.uintField("id", uint64(mm.ID))
		if s := h.m.Type().String(); len(s) < 5 || s[:5] != "type_" {
			j.strField("type", s)
		} else {
			j.uintField("type", uint64(h.m.Type()))
		}
		if name != "" {
			j.strField("name", name)
		}
		j.uintField("flags", uint64(h.m.Flags()))
		j.uintField("bytes_key", uint64(h.m.KeySize()))
		j.uintField("bytes_value", uint64(h.m.ValueSize()))
		j.uintField("max_entries", uint64(h.m.MaxEntries()))
		j.uintField("bytes_memlock", memlock)
		if isProgArray && mm.OwnerProgType != "" {
			j.strField("owner_prog_type", mm.OwnerProgType)
			j.boolField("owner_jited", false)
		}
		j.intField("frozen", int64(frozen))
		if btfID != 0 {
			j.uintField("btf_id", uint64(btfID))
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
	fmt.Fprintf(w, "%d: %s  ", mm.ID, h.m.Type())
	if name != "" {
		fmt.Fprintf(w, "name %s  ", name)
	}
	fmt.Fprintf(w, "flags 0x%x\n", h.m.Flags())
	fmt.Fprintf(w, "\tkey %dB  value %dB  max_entries %d  memlock %dB", h.m.KeySize(), h.m.ValueSize(), h.m.MaxEntries(), memlock)
	if isProgArray && mm.OwnerProgType != "" {
		fmt.Fprintf(w, "\n\towner_prog_type %s  owner not jited", mm.OwnerProgType)
	}
	if btfID != 0 || frozen != 0 {
		fmt.Fprint(w, "\n\t")
	}
	if btfID != 0 {
		fmt.Fprintf(w, "btf_id %d", btfID)
	}
	if frozen != 0 {
		if btfID != 0 {
			fmt.Fprint(w, "  ")
		}
		fmt.Fprint(w, "frozen")
	}
	fmt.Fprint(w, "\n")
	if c.bpffs {
		for _, p := range pins {
			fmt.Fprintf(w, "\tpinned %s\n", p)
		}
	}
}

// printEntryPlain prints one entry without BTF, as bpftool's print_entry_plain.
func (c *cli) printEntryPlain(h *mapHandle, key, value []byte) {
	w := c.out
	ks, vs := h.keySize(), h.valueSize()
	if !h.perCPU() {
		breakNames := ks > 16 || vs > 16
		singleLine := ks+vs <= 24 && !breakNames
		sep := byte(' ')
		if breakNames {
			sep = '\n'
		}
		if ks > 0 {
			fmt.Fprintf(w, "key:%c", sep)
			fprintHex(w, key, " ")
			if singleLine {
				fmt.Fprint(w, "  ")
			} else {
				fmt.Fprint(w, "\n")
			}
		}
		if vs > 0 {
			fmt.Fprintf(w, "value:%c", sep)
			fprintHex(w, value, " ")
			fmt.Fprint(w, "\n")
		}
		return
	}
	if ks > 0 {
		fmt.Fprint(w, "key:\n")
		fprintHex(w, key, " ")
		fmt.Fprint(w, "\n")
	}
	if vs > 0 {
		sep := byte(' ')
		if vs > 16 {
			sep = '\n'
		}
		for cpu, v := range h.split(value) {
			fmt.Fprintf(w, "value (CPU %02d):%c", cpu, sep)
			fprintHex(w, v, " ")
			fmt.Fprint(w, "\n")
		}
	}
}

// printEntryJSON prints one entry as bpftool's print_entry_json.
func (c *cli) printEntryJSON(h *mapHandle, t *mapTypes, key, value []byte) {
	j := c.jw
	j.startObject()
	j.name("key")
	j.hexBytes(key)
	vals := h.split(value)
	if !h.perCPU() {
		j.name("value")
		j.hexBytes(value)
	} else {
		j.name("values")
		j.startArray()
		for cpu, v := range vals {
			j.startObject()
			j.intField("cpu", int64(cpu))
			j.name("value")
			j.hexBytes(v)
			j.endObject()
		}
		j.endArray()
	}
	if t != nil {
		j.name("formatted")
		(&btfDumper{j: j}).formatted(t, key, vals, h.perCPU())
	}
	j.endObject()
}

func (c *cli) mapDump(args []string) error {
	if len(args) != 2 {
		return &usageError{mapUsage}
	}
	ids, _, err := c.parseMaps(args)
	if err != nil {
		return err
	}
	if c.json && len(ids) > 1 {
		c.jw.startArray()
	}
	var firstErr error
	for _, id := range ids {
		if err := c.dumpMap(c.handle(id)); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if c.json && len(ids) > 1 {
		c.jw.endArray()
	}
	return firstErr
}

func (c *cli) dumpMap(h *mapHandle) error {
	t := c.mapBTF(h.meta)
	var bw *jsonWriter
	if c.json {
		c.jw.startArray()
	} else if t != nil {
		bw = newJSONWriter(c.out, true)
		bw.startArray()
	}
	key := make([]byte, h.keySize())
	next := make([]byte, h.keySize())
	value := make([]byte, h.valueBufSize())
	var cur []byte
	n := 0
	var iterErr error
	for i := uint64(0); ; i++ {
		if err := h.in.NextKey(cur, next); err != nil {
			if !errors.Is(err, maps.ENOENT) {
				iterErr = err
			}
			break
		}
		copy(key, next)
		cur = key
		if err := h.in.Lookup(key, value); err != nil {
			if errors.Is(err, maps.ENOENT) {
				continue
			}
			c.printEntryError(h, key, err)
			continue
		}
		n++
		switch {
		case c.json:
			c.printEntryJSON(h, t, key, value)
		case t != nil:
			(&btfDumper{j: bw, plain: true}).formatted(t, key, h.split(value), h.perCPU())
		default:
			c.printEntryPlain(h, key, value)
		}
		if i > 1<<32 {
			break
		}
	}
	switch {
	case c.json:
		c.jw.endArray()
	case t != nil:
		bw.endArray()
		bw.finish()
	default:
		s := "s"
		if n == 1 {
			s = ""
		}
		fmt.Fprintf(c.out, "Found %d element%s\n", n, s)
	}
	if iterErr != nil {
		return errSilent
	}
	return nil
}

// printEntryError reports an element that exists but cannot be read.
func (c *cli) printEntryError(h *mapHandle, key []byte, err error) {
	msg := strerror(err)
	if c.json {
		c.jw.startObject()
		c.jw.name("key")
		c.jw.hexBytes(key)
		c.jw.name("value")
		c.jw.startObject()
		c.jw.strField("error", msg)
		c.jw.endObject()
		c.jw.endObject()
		return
	}
	fmt.Fprint(c.out, "key:\n")
	fprintHex(c.out, key, " ")
	fmt.Fprintf(c.out, "\nvalue:\n%s\n", msg)
}

func (c *cli) mapPin(args []string) error {
	if err := needArgs(args, 3, "pin"); err != nil {
		return err
	}
	id, rest, err := c.parseMap(args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return &usageError{mapUsage}
	}
	if err := c.st.Pin(rest[0], state.KindMap, id); err != nil {
		return pinErr(rest[0], err)
	}
	if c.json {
		c.jw.null()
	}
	return nil
}

func (c *cli) mapFreeze(args []string) error {
	if len(args) != 2 {
		return &usageError{mapUsage}
	}
	id, _, err := c.parseMap(args)
	if err != nil {
		return err
	}
	_, mm, _ := c.st.Map(id)
	if mm.Frozen {
		return errorf("failed to freeze map: %s", strerror(maps.EBUSY))
	}
	mm.Frozen = true
	if c.json {
		c.jw.null()
	}
	return nil
}
