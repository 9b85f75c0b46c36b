package cli

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/internal/state"
	"github.com/bpfhost/bpfhost/maps"
)

// parseBytes reads exactly len(out) bytes from args (bpftool's parse_bytes):
// each argument is one byte, in C notation (0x.., 0.., decimal) or, after
// the keyword hex, in hexadecimal.
func parseBytes(args []string, what string, out []byte) ([]string, error) {
	base := 0
	if len(args) > 0 && isPrefix(args[0], "hex") && args[0] != "" {
		base = 16
		args = args[1:]
	}
	i := 0
	for ; i < len(out) && i < len(args); i++ {
		v, ok := strtoul(args[i], base)
		if !ok {
			return nil, errorf("error parsing byte: %s", args[i])
		}
		out[i] = byte(v)
	}
	if i != len(out) {
		return nil, errorf("%s expected %d bytes got %d", what, len(out), i)
	}
	return args[i:], nil
}

// elemArgs is what parse_elem collects.
type elemArgs struct {
	key, value       []byte
	wantKey, wantVal bool
	flags            uint64
	flagsSet         bool
}

// parseElem parses `[key DATA] [value VALUE] [UPDATE_FLAGS]` as bpftool's
// parse_elem does; a VALUE of a prog array is a PROG, of a map-in-map a MAP.
func (c *cli) parseElem(h *mapHandle, args []string, e *elemArgs) error {
	for {
		if len(args) == 0 {
			if !e.wantKey && !e.wantVal {
				return nil
			}
			if e.wantKey {
				return errorf("did not find key")
			}
			return errorf("did not find value")
		}
		a := args[0]
		switch {
		case isPrefix(a, "key"):
			if !e.wantKey {
				if e.key != nil && h.keySize() > 0 {
					return errorf("duplicate key")
				}
				return errorf("unnecessary key")
			}
			e.key = make([]byte, h.keySize())
			rest, err := parseBytes(args[1:], "key", e.key)
			if err != nil {
				return err
			}
			args, e.wantKey = rest, false
		case isPrefix(a, "value"):
			if !e.wantVal {
				if e.value != nil && h.valueSize() > 0 {
					return errorf("duplicate value")
				}
				return errorf("unnecessary value")
			}
			rest, err := c.parseValue(h, args[1:], e)
			if err != nil {
				return err
			}
			args, e.wantVal = rest, false
		case isPrefix(a, "any"), isPrefix(a, "noexist"), isPrefix(a, "exist"):
			if e.flagsSet {
				return errorf("flags specified multiple times: %s", a)
			}
			switch {
			case isPrefix(a, "any"):
				e.flags = maps.UpdateAny
			case isPrefix(a, "noexist"):
				e.flags = maps.UpdateNoExist
			default:
				e.flags = maps.UpdateExist
			}
			e.flagsSet, args = true, args[1:]
		default:
			return errorf("expected key or value, got: %s", a)
		}
	}
}

func (c *cli) parseValue(h *mapHandle, args []string, e *elemArgs) ([]string, error) {
	switch h.m.Type() {
	case maps.ArrayOfMaps, maps.HashOfMaps:
		if h.valueSize() != 4 {
			return nil, errorf("value smaller than 4B for map in map?")
		}
		if len(args) < 2 {
			return nil, errorf("not enough value arguments for map in map")
		}
		id, rest, err := c.parseMap(args)
		if err != nil {
			return nil, err
		}
		e.value = binary.NativeEndian.AppendUint32(nil, id)
		return rest, nil
	case maps.ProgArray:
		if h.valueSize() != 4 {
			return nil, errorf("value smaller than 4B for map of progs?")
		}
		if len(args) < 2 {
			return nil, errorf("not enough value arguments for map of progs")
		}
		if isPrefix(args[0], "id") {
			c.warn("Warning: updating program array via MAP_ID, make sure this map is kept open\n         by some process or pinned otherwise update will be lost")
		}
		id, rest, err := c.parseProg(args)
		if err != nil {
			return nil, err
		}
		e.value = binary.NativeEndian.AppendUint32(nil, id)
		return rest, nil
	}
	v := make([]byte, h.valueSize())
	rest, err := parseBytes(args, "value", v)
	if err != nil {
		return nil, err
	}
	if h.perCPU() {
		// One value given: every CPU gets it, as bpftool fills per-CPU values.
		buf := make([]byte, h.valueBufSize())
		step := (h.valueSize() + 7) &^ 7
		for i := 0; i < h.ncpu; i++ {
			copy(buf[i*step:], v)
		}
		v = buf
	}
	e.value = v
	return rest, nil
}

func (c *cli) mapUpdate(args []string) error {
	if len(args) < 2 {
		return &usageError{mapUsage}
	}
	id, rest, err := c.parseMap(args)
	if err != nil {
		return err
	}
	h := c.handle(id)
	e := &elemArgs{wantKey: h.keySize() > 0, wantVal: true}
	if err := c.parseElem(h, rest, e); err != nil {
		return err
	}
	if h.meta.Frozen {
		return errorf("update failed: %s", strerror(maps.EPERM))
	}
	if err := h.in.Update(e.key, e.value, e.flags); err != nil {
		return errorf("update failed: %s", strerror(err))
	}
	if h.m.Type() == maps.ProgArray && h.meta.OwnerProgType == "" {
		if _, pm, ok := c.st.Program(binary.NativeEndian.Uint32(e.value)); ok {
			h.meta.OwnerProgType = pm.Type
		}
	}
	if c.json {
		c.jw.null()
	}
	return nil
}

func (c *cli) mapLookup(args []string) error {
	if len(args) < 2 {
		return &usageError{mapUsage}
	}
	id, rest, err := c.parseMap(args)
	if err != nil {
		return err
	}
	h := c.handle(id)
	e := &elemArgs{wantKey: h.keySize() > 0}
	if err := c.parseElem(h, rest, e); err != nil {
		return err
	}
	if e.key == nil {
		e.key = []byte{}
	}
	value := make([]byte, h.valueBufSize())
	if err := h.in.Lookup(e.key, value); err != nil {
		if !errors.Is(err, maps.ENOENT) {
			return errorf("lookup failed: %s", strerror(err))
		}
		if c.json {
			c.jw.null()
		} else {
			fmt.Fprint(c.out, "key:\n")
			fprintHex(c.out, e.key, " ")
			fmt.Fprint(c.out, "\n\nNot found\n")
		}
		return errSilent
	}
	t := c.mapBTF(h.meta)
	switch {
	case c.json:
		c.printEntryJSON(h, t, e.key, value)
	case t != nil:
		bw := newJSONWriter(c.out, true)
		(&btfDumper{j: bw, plain: true}).formatted(t, e.key, h.split(value), h.perCPU())
		bw.finish()
	default:
		c.printEntryPlain(h, e.key, value)
	}
	return nil
}

func (c *cli) mapGetNext(args []string) error {
	if len(args) < 2 {
		return &usageError{mapUsage}
	}
	id, rest, err := c.parseMap(args)
	if err != nil {
		return err
	}
	h := c.handle(id)
	var key []byte
	if len(rest) > 0 {
		e := &elemArgs{wantKey: true}
		if err := c.parseElem(h, rest, e); err != nil {
			return err
		}
		key = e.key
	}
	next := make([]byte, h.keySize())
	if err := h.in.NextKey(key, next); err != nil {
		return errorf("can't get next key: %s", strerror(err))
	}
	if c.json {
		j := c.jw
		j.startObject()
		j.name("key")
		if key != nil {
			j.hexBytes(key)
		} else {
			j.null()
		}
		j.name("next_key")
		j.hexBytes(next)
		j.endObject()
		return nil
	}
	if key != nil {
		fmt.Fprint(c.out, "key:\n")
		fprintHex(c.out, key, " ")
		fmt.Fprint(c.out, "\n")
	} else {
		fmt.Fprint(c.out, "key: None\n")
	}
	fmt.Fprint(c.out, "next key:\n")
	fprintHex(c.out, next, " ")
	fmt.Fprint(c.out, "\n")
	return nil
}

func (c *cli) mapDelete(args []string) error {
	if len(args) < 2 {
		return &usageError{mapUsage}
	}
	id, rest, err := c.parseMap(args)
	if err != nil {
		return err
	}
	h := c.handle(id)
	e := &elemArgs{wantKey: true}
	if err := c.parseElem(h, rest, e); err != nil {
		return err
	}
	if h.meta.Frozen {
		return errorf("delete failed: %s", strerror(maps.EPERM))
	}
	if err := h.in.Delete(e.key); err != nil {
		return errorf("delete failed: %s", strerror(err))
	}
	if c.json {
		c.jw.null()
	}
	return nil
}

// mapCreate implements `map create FILE type TYPE key N value N entries N
// name NAME [flags F] [inner_map MAP]`.
func (c *cli) mapCreate(args []string) error {
	if err := needArgs(args, 7, "create"); err != nil {
		return err
	}
	st, err := c.state()
	if err != nil {
		return err
	}
	pinfile := args[0]
	args = args[1:]
	spec := &ebpf.MapSpec{}
	var haveType bool
	var name string
	var haveName bool
	u32 := func(what string, dst *uint32) error {
		if err := needArgs(args, 2, args[0]); err != nil {
			return err
		}
		v, ok := parseU32(args[1])
		if !ok {
			return errorf("can't parse %s as %s", args[1], what)
		}
		*dst = v
		args = args[2:]
		return nil
	}
	for len(args) > 0 {
		if err := needArgs(args, 2, args[0]); err != nil {
			return err
		}
		a := args[0]
		switch {
		case isPrefix(a, "type"):
			if haveType {
				return errorf("map type already specified")
			}
			t, ok := maps.ParseType(args[1])
			if !ok {
				if kernelMapTypes[args[1]] {
					return errorf("map create failed: map type %s is not supported by bpfhost", args[1])
				}
				return errorf("unrecognized map type: %s", args[1])
			}
			spec.Type, haveType, args = t, true, args[2:]
		case isPrefix(a, "name"):
			name, haveName, args = args[1], true, args[2:]
		case isPrefix(a, "key"):
			if err := u32("key size", &spec.KeySize); err != nil {
				return err
			}
		case isPrefix(a, "value"):
			if err := u32("value size", &spec.ValueSize); err != nil {
				return err
			}
		case isPrefix(a, "entries"):
			if err := u32("max entries", &spec.MaxEntries); err != nil {
				return err
			}
		case isPrefix(a, "flags"):
			if err := u32("flags", &spec.Flags); err != nil {
				return err
			}
		case isPrefix(a, "dev"):
			return errorf("'dev': offload to devices is not supported by bpfhost")
		case isPrefix(a, "inner_map"):
			id, rest, err := c.parseMap(args[1:])
			if err != nil {
				return err
			}
			im, _, _ := st.Map(id)
			spec.InnerMap = &ebpf.MapSpec{Name: im.Name(), Type: im.Type(), KeySize: im.KeySize(),
				ValueSize: im.ValueSize(), MaxEntries: im.MaxEntries(), Flags: im.Flags()}
			args = rest
		default:
			return errorf("unknown arg %s", a)
		}
	}
	if !haveName {
		return errorf("map name not specified")
	}
	if !haveType {
		return errorf("map create failed: %s", strerror(maps.EINVAL))
	}
	spec.Name = kernelName(name)
	if _, err := st.Lookup(pinfile); err == nil {
		return pinErr(pinfile, maps.EEXIST)
	}
	m, _, err := st.CreateMap(spec, 0, "")
	if err != nil {
		return errorf("map create failed: %s", errnoMessage(err))
	}
	if err := st.Pin(pinfile, state.KindMap, m.ID()); err != nil {
		return pinErr(pinfile, err)
	}
	if c.json {
		c.jw.null()
	}
	return nil
}

// kernelMapTypes are bpftool's map type names bpfhost does not implement.
var kernelMapTypes = map[string]bool{
	"stack_trace": true, "cgroup_array": true, "devmap": true, "devmap_hash": true,
	"sockmap": true, "cpumap": true, "xskmap": true, "sockhash": true, "cgroup_storage": true,
	"reuseport_sockarray": true, "percpu_cgroup_storage": true, "sk_storage": true,
	"struct_ops": true, "inode_storage": true, "task_storage": true, "bloom_filter": true,
	"user_ringbuf": true, "cgrp_storage": true,
}

// mapQueueRead implements peek, pop and dequeue.
func (c *cli) mapQueueRead(args []string, op string) error {
	if len(args) != 2 {
		return &usageError{mapUsage}
	}
	id, _, err := c.parseMap(args)
	if err != nil {
		return err
	}
	h := c.handle(id)
	q, ok := h.in.(maps.QueueMap)
	value := make([]byte, h.valueBufSize())
	switch {
	case !ok && op == "peek":
		return errorf("peek is only supported for queue and stack maps")
	case !ok:
		return errorf("%s is only supported for queue and stack maps", op)
	case op == "peek":
		err = q.Peek(value)
	default:
		err = q.Pop(value)
	}
	if err != nil {
		if errors.Is(err, maps.ENOENT) {
			// bpftool prints this one on standard output.
			if c.json {
				c.jw.null()
			} else {
				fmt.Fprintln(c.out, "Error: empty map")
			}
			return errSilent
		}
		return errorf("%s failed: %s", op, strerror(err))
	}
	if c.json {
		c.printEntryJSON(h, nil, []byte{}, value)
	} else {
		c.printEntryPlain(h, nil, value)
	}
	return nil
}

// mapQueuePush implements push and enqueue.
func (c *cli) mapQueuePush(args []string, op string) error {
	if len(args) < 2 {
		return &usageError{mapUsage}
	}
	id, rest, err := c.parseMap(args)
	if err != nil {
		return err
	}
	h := c.handle(id)
	q, ok := h.in.(maps.QueueMap)
	if !ok {
		return errorf("%s is only supported for queue and stack maps", op)
	}
	e := &elemArgs{wantVal: true}
	if err := c.parseElem(h, rest, e); err != nil {
		return err
	}
	if err := q.Push(e.value, e.flags); err != nil {
		return errorf("update failed: %s", strerror(err))
	}
	if c.json {
		c.jw.null()
	}
	return nil
}
