package cli

import (
	"encoding/hex"
	"errors"

	"github.com/bpfhost/bpfhost/internal/state"
	"github.com/bpfhost/bpfhost/maps"
)

// kernelName is an object name as the kernel keeps it (BPF_OBJ_NAME_LEN
// bytes, NUL included).
func kernelName(name string) string {
	if len(name) > 15 {
		return name[:15]
	}
	return name
}

// parseProgs resolves a PROG handle (id N | pinned FILE | tag TAG | name
// NAME) at the start of args to program IDs, as bpftool's prog_parse_fds.
func (c *cli) parseProgs(args []string) ([]uint32, []string, error) {
	st, err := c.state()
	if err != nil {
		return nil, nil, err
	}
	if len(args) < 2 {
		return nil, nil, &usageError{progUsage}
	}
	kw, val, rest := args[0], args[1], args[2:]
	switch {
	case isPrefix(kw, "id"):
		id, ok := parseU32(val)
		if !ok {
			return nil, nil, errorf("can't parse %s as ID", val)
		}
		if _, _, ok := st.Program(id); !ok {
			return nil, nil, errorf("get by id (%d): %s", id, strerror(maps.ENOENT))
		}
		return []uint32{id}, rest, nil
	case isPrefix(kw, "tag"):
		tag, err := hex.DecodeString(val)
		if err != nil || len(tag) != 8 {
			return nil, nil, errorf("can't parse tag")
		}
		var ids []uint32
		for _, id := range st.SortedProgIDs() {
			if _, pm, _ := st.Program(id); pm.Tag == hex.EncodeToString(tag) {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return nil, nil, errSilent
		}
		return ids, rest, nil
	case isPrefix(kw, "name"):
		var ids []uint32
		for _, id := range st.SortedProgIDs() {
			if _, pm, _ := st.Program(id); kernelName(pm.Name) == kernelName(val) {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return nil, nil, errSilent
		}
		return ids, rest, nil
	case isPrefix(kw, "pinned"):
		id, err := c.pinned(val, state.KindProg)
		if err != nil {
			return nil, nil, err
		}
		return []uint32{id}, rest, nil
	}
	return nil, nil, errorf("expected 'id', 'tag', 'name' or 'pinned', got: '%s'?", kw)
}

// parseProg resolves a PROG handle that must name exactly one program.
func (c *cli) parseProg(args []string) (uint32, []string, error) {
	ids, rest, err := c.parseProgs(args)
	if err != nil {
		return 0, nil, err
	}
	if len(ids) > 1 {
		return 0, nil, errorf("several programs match this handle")
	}
	return ids[0], rest, nil
}

// parseMaps resolves a MAP handle (id N | pinned FILE | name NAME).
func (c *cli) parseMaps(args []string) ([]uint32, []string, error) {
	st, err := c.state()
	if err != nil {
		return nil, nil, err
	}
	if len(args) < 2 {
		return nil, nil, &usageError{mapUsage}
	}
	kw, val, rest := args[0], args[1], args[2:]
	switch {
	case isPrefix(kw, "id"):
		id, ok := parseU32(val)
		if !ok {
			return nil, nil, errorf("can't parse %s as ID", val)
		}
		if _, _, ok := st.Map(id); !ok {
			return nil, nil, errorf("get map by id (%d): %s", id, strerror(maps.ENOENT))
		}
		return []uint32{id}, rest, nil
	case isPrefix(kw, "name"):
		var ids []uint32
		for _, id := range st.SortedMapIDs() {
			if _, mm, _ := st.Map(id); kernelName(displayMapName(mm)) == kernelName(val) {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return nil, nil, errSilent
		}
		return ids, rest, nil
	case isPrefix(kw, "pinned"):
		id, err := c.pinned(val, state.KindMap)
		if err != nil {
			return nil, nil, err
		}
		return []uint32{id}, rest, nil
	}
	return nil, nil, errorf("expected 'id', 'name' or 'pinned', got: '%s'?", kw)
}

// parseMap resolves a MAP handle that must name exactly one map.
func (c *cli) parseMap(args []string) (uint32, []string, error) {
	ids, rest, err := c.parseMaps(args)
	if err != nil {
		return 0, nil, err
	}
	if len(ids) > 1 {
		return 0, nil, errorf("several maps match this handle")
	}
	return ids[0], rest, nil
}

// pinned opens a pin, checking the kind of object behind it.
func (c *cli) pinned(path, kind string) (uint32, error) {
	st, err := c.state()
	if err != nil {
		return 0, err
	}
	p, err := st.Lookup(path)
	if err != nil {
		if errors.Is(err, maps.ENOENT) {
			return 0, errorf("bpf obj get (%s): %s", path, strerror(maps.ENOENT))
		}
		return 0, errorf("bpf obj get (%s): %v", path, err)
	}
	if p.Kind != kind {
		return 0, errorf("incorrect object type: %s", p.Kind)
	}
	return p.ID, nil
}

// pinErr formats a failed pin as bpftool's do_pin_fd does.
func pinErr(path string, err error) error {
	var e maps.Errno
	if errors.As(err, &e) {
		return errorf("can't pin the object (%s): %s", path, strerror(e))
	}
	return errorf("can't pin the object (%s): %v", path, err)
}

// displayMapName is the name the kernel shows for a map.
func displayMapName(mm *state.MapMeta) string { return kernelName(mm.Spec.Name) }
