package cli

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/internal/state"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/progtype"
)

// gplCompatible lists the licenses the kernel treats as GPL-compatible.
var gplCompatible = map[string]bool{
	"GPL": true, "GPL v2": true, "GPL and additional rights": true,
	"Dual BSD/GPL": true, "Dual MIT/GPL": true, "Dual MPL/GPL": true,
}

// libbpfPinRoot is where libbpf pins maps declared with LIBBPF_PIN_BY_NAME.
const libbpfPinRoot = "/sys/fs/bpf"

// mapReuse is a `map { idx IDX | name NAME } MAP` argument of prog load.
type mapReuse struct {
	idx  int // -1 when given by name
	name string
	id   uint32
}

// libbpfError prints a loader diagnostic where libbpf would (stderr), then
// returns bpftool's summary error.
func (c *cli) libbpfError(summary string, detail error) error {
	c.out.Flush()
	fmt.Fprintf(c.stderr, "libbpf: %v\n", detail)
	return errorf("%s", summary)
}

func (c *cli) progLoad(args []string, firstOnly bool) error {
	word := "loadall"
	if firstOnly {
		word = "load"
	}
	if err := needArgs(args, 2, word); err != nil {
		return err
	}
	st, err := c.state()
	if err != nil {
		return err
	}
	file, pinPath := args[0], args[1]
	args = args[2:]
	var typ progtype.Type
	var pinmaps string
	var reuse []mapReuse
	for len(args) > 0 {
		switch a := args[0]; {
		case isPrefix(a, "type"):
			if typ != nil {
				return errorf("program type already specified")
			}
			if err := needArgs(args[1:], 1, a); err != nil {
				return err
			}
			t, ok := progtype.ForSection(args[1] + "/")
			if !ok {
				t, ok = progtype.ByName(args[1])
			}
			if !ok {
				return c.libbpfError("failed to load object file", fmt.Errorf("failed to guess program type from ELF section '%s/' (bpfhost supports: xdp)", args[1]))
			}
			typ, args = t, args[2:]
		case isPrefix(a, "map"):
			if err := needArgs(args[1:], 4, a); err != nil {
				return err
			}
			r := mapReuse{idx: -1}
			switch {
			case isPrefix(args[1], "idx"):
				n, ok := parseU32(args[2])
				if !ok {
					return errorf("can't parse %s as IDX", args[2])
				}
				r.idx = int(n)
			case isPrefix(args[1], "name"):
				r.name = args[2]
			default:
				return errorf("expected 'idx' or 'name', got: '%s'?", args[1])
			}
			id, rest, err := c.parseMap(args[3:])
			if err != nil {
				return err
			}
			r.id, args = id, rest
			reuse = append(reuse, r)
		case isPrefix(a, "dev"):
			return errorf("'dev': offload to devices is not supported by bpfhost")
		case isPrefix(a, "pinmaps"):
			if err := needArgs(args[1:], 1, a); err != nil {
				return err
			}
			pinmaps, args = args[1], args[2:]
		default:
			return errorf("expected no more arguments, 'type', 'map' or 'dev', got: '%s'?", a)
		}
	}

	obj, err := c.files.ReadFile(file)
	if err != nil {
		return c.libbpfError("failed to open object file", fmt.Errorf("elf: failed to open %s: %s", file, strerror(osErrno(err))))
	}
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(obj))
	if err != nil {
		return c.libbpfError("failed to open object file", fmt.Errorf("%s: %w", file, err))
	}
	progOrder, mapOrder := objectOrder(bytes.NewReader(obj))
	progOrder = completeOrder(progOrder, spec.Programs)
	mapOrder = completeOrder(mapOrder, spec.Maps)
	if typ != nil {
		for _, ps := range spec.Programs {
			ps.Type = typ.Name()
		}
	}
	var btfID uint32
	if hasBTF(bytes.NewReader(obj)) {
		if btfID, err = st.AddBTFBytes(obj); err != nil {
			return errorf("reading BTF of %s: %v", file, err)
		}
	}
	objName := libbpfObjectName(file)
	for _, r := range reuse {
		if r.idx < 0 {
			if _, ok := spec.Maps[r.name]; !ok {
				return errorf("unable to find map '%s'", r.name)
			}
		} else if r.idx >= len(mapOrder) {
			return errorf("map idx '%d' not used", r.idx)
		}
	}

	// Create the maps ourselves, file-backed in the state directory, and
	// hand them to the collection as replacements.
	repl := map[string]*ebpf.Map{}
	created := map[string]bool{}
	autoPin := map[string]string{}   // spec name -> pin path to create (LIBBPF_PIN_BY_NAME)
	pinPathOf := map[string]string{} // spec name -> pin path libbpf gave the map
	for i, name := range mapOrder {
		ms := spec.Maps[name]
		var reused uint32
		for _, r := range reuse {
			if r.name == name || r.idx == i {
				reused = r.id
			}
		}
		if ms.Pinning == ebpf.PinByName && reused == 0 {
			p := libbpfPinRoot + "/" + name
			pinPathOf[name] = p
			if pin, err := st.Lookup(p); err == nil && pin.Kind == state.KindMap {
				m, mm, _ := st.Map(pin.ID)
				if !compatible(ms, m) {
					return c.libbpfError("failed to load object file", fmt.Errorf("map '%s': couldn't reuse pinned map at '%s': parameter mismatch", name, p))
				}
				_ = mm
				reused = pin.ID
			} else {
				autoPin[name] = p
			}
		}
		if reused != 0 {
			m, _, _ := st.Map(reused)
			repl[name] = m
			continue
		}
		cp := ms.Copy()
		if isDataSection(name) {
			cp.Name = libbpfInternalMapName(objName, name)
			cp.Flags |= maps.FlagMmapable
			if strings.HasPrefix(name, ".rodata") || name == ".kconfig" {
				cp.Flags |= maps.FlagRdOnlyProg
			}
		}
		cp.Contents = nil
		ms.Flags = cp.Flags // the collection checks replacements against the spec
		m, mm, err := st.CreateMap(cp, btfID, name)
		if err != nil {
			return c.libbpfError("failed to load object file", fmt.Errorf("map '%s': failed to create: %w", name, err))
		}
		if strings.HasPrefix(name, ".rodata") || name == ".kconfig" {
			mm.Frozen = true
		}
		repl[name] = m
		created[name] = true
	}

	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{Engine: c.engine, MapReplacements: repl,
		UnsafeSkipVerifier: c.unsafeSkipVerifier, LogLevel: c.verifierLogLevel()})
	if err != nil {
		return c.libbpfError("failed to load object file", err)
	}
	// The state holds its own map handles; it takes over the programs.
	for _, m := range coll.Maps {
		m.Close()
	}
	progs := map[string]*ebpf.Program{}
	for _, name := range progOrder {
		p := coll.Programs[name]
		if p == nil {
			continue
		}
		st.AddProgram(p, gplCompatible[spec.Programs[name].License], btfID)
		progs[name] = p
	}

	// Initial contents of the maps created here (the collection only fills
	// the maps it creates itself).
	for name := range created {
		if err := fillContents(repl[name], spec.Maps[name], repl, progs); err != nil {
			return c.libbpfError("failed to load object file", fmt.Errorf("map '%s': %w", name, err))
		}
	}

	for name, p := range autoPin {
		if err := st.Pin(p, state.KindMap, repl[name].ID()); err != nil {
			return c.libbpfError("failed to load object file", fmt.Errorf("map '%s': failed to auto-pin at '%s': %s", name, p, errnoMessage(err)))
		}
	}

	if len(progOrder) == 0 || len(progs) == 0 {
		return errorf("object file doesn't contain any bpf program")
	}
	if firstOnly {
		p := progs[progOrder[0]]
		if err := st.Pin(pinPath, state.KindProg, p.ID()); err != nil {
			return errorf("failed to pin program %s", spec.Programs[progOrder[0]].SectionName)
		}
	} else {
		if pin, err := st.Lookup(pinPath); err == nil {
			_ = pin
			return c.libbpfError("failed to pin all programs", fmt.Errorf("failed to create directory '%s': %s", pinPath, strerror(maps.EEXIST)))
		}
		for _, name := range progOrder {
			p := progs[name]
			if p == nil {
				continue
			}
			target := path.Join(pinPath, name)
			if strings.HasSuffix(pinPath, "/") {
				target = pinPath + name
			}
			if err := st.Pin(target, state.KindProg, p.ID()); err != nil {
				return c.libbpfError("failed to pin all programs", fmt.Errorf("prog '%s': failed to pin at '%s': %s", name, target, errnoMessage(err)))
			}
		}
	}
	if pinmaps != "" {
		for _, name := range mapOrder {
			m := repl[name]
			mapName := name
			if isDataSection(name) {
				mapName = libbpfInternalMapName(objName, name)
			}
			target := sanitizePinPath(strings.TrimSuffix(pinmaps, "/") + "/" + mapName)
			if pp, ok := pinPathOf[name]; ok {
				if pp == target {
					continue
				}
				return c.libbpfError("failed to pin all maps", fmt.Errorf("map '%s' already has pin path '%s' different from '%s'", name, pp, target))
			}
			if err := st.Pin(target, state.KindMap, m.ID()); err != nil {
				return c.libbpfError("failed to pin all maps", fmt.Errorf("map '%s': failed to pin at '%s': %s", mapName, target, errnoMessage(err)))
			}
		}
	}
	if c.json {
		c.jw.null()
	}
	return nil
}

// completeOrder appends the names the ELF scan missed, sorted.
func completeOrder[V any](order []string, all map[string]V) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range order {
		if _, ok := all[n]; ok && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	var extra []string
	for n := range all {
		if !seen[n] {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// compatible reports whether an existing map can stand for spec (libbpf's
// check before reusing a pinned map).
func compatible(spec *ebpf.MapSpec, m *ebpf.Map) bool {
	return m != nil && spec.Type == m.Type() && spec.KeySize == m.KeySize() &&
		spec.ValueSize == m.ValueSize() && spec.MaxEntries == m.MaxEntries() && spec.Flags == m.Flags()
}

// fillContents writes a map's initial entries; string values name a program
// (prog arrays) or a map (map-in-map) of the object.
func fillContents(m *ebpf.Map, ms *ebpf.MapSpec, mapsByName map[string]*ebpf.Map, progs map[string]*ebpf.Program) error {
	for i, kv := range ms.Contents {
		val := kv.Value
		if name, ok := val.(string); ok {
			switch m.Type() {
			case maps.ProgArray:
				p := progs[name]
				if p == nil {
					return fmt.Errorf("entry %d: unknown program %q", i, name)
				}
				val = p.ID()
			case maps.ArrayOfMaps, maps.HashOfMaps:
				in := mapsByName[name]
				if in == nil {
					return fmt.Errorf("entry %d: unknown map %q", i, name)
				}
				val = in.ID()
			default:
				return fmt.Errorf("entry %d: %s map cannot refer to %q", i, m.Type(), name)
			}
		}
		if err := m.Update(kv.Key, val, ebpf.UpdateAny); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
	}
	return nil
}
