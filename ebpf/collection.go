package ebpf

import (
	"fmt"

	"github.com/bpfhost/bpfhost/loader"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/vm"
)

// CollectionOptions tune NewCollectionWithOptions.
type CollectionOptions struct {
	// Engine is "interpreter", "jit" or "auto"; "" means env BPFHOST_ENGINE,
	// then auto.
	Engine string
	// MapReplacements use existing maps instead of creating the named ones.
	// The collection takes its own reference; the caller keeps theirs.
	MapReplacements map[string]*Map
	// UnsafeSkipVerifier loads the programs without verifying them (also
	// env BPFHOST_UNSAFE_SKIP_VERIFIER=1). They then run only in the
	// bounds-checked interpreter, never the JIT: every memory access is
	// tested and runs have an instruction budget. Without it every program
	// must pass the verifier, and verified programs run unchecked.
	UnsafeSkipVerifier bool
	// LogLevel is the verifier log level put in a refusal's error: 0 the
	// refused instruction, its state and reason; 1 every processed
	// instruction; 2 also the state after each.
	LogLevel int
}

// Collection is the maps and programs created from a CollectionSpec.
type Collection struct {
	Programs map[string]*Program
	Maps     map[string]*Map
}

// NewCollection creates the maps and loads the programs of spec.
func NewCollection(spec *CollectionSpec) (*Collection, error) {
	return NewCollectionWithOptions(spec, CollectionOptions{})
}

// NewCollectionWithOptions creates the maps (global data sections with the
// current values of spec.Variables), links and loads every program, then
// writes the maps' initial contents (map-in-map and prog array entries that
// name maps or programs included). On error nothing stays created.
func NewCollectionWithOptions(spec *CollectionSpec, opts CollectionOptions) (coll *Collection, err error) {
	if spec == nil {
		return nil, fmt.Errorf("nil collection spec")
	}
	eng, err := selectEngine(opts.Engine)
	if err != nil {
		return nil, err
	}
	object := spec.object
	if object == "" {
		object = "collection"
	}
	coll = &Collection{Programs: map[string]*Program{}, Maps: map[string]*Map{}}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("object %s: internal error while loading: %v", object, r)
		}
		if err != nil {
			coll.Close()
			coll = nil
		}
	}()

	mapSpecs, err := withVariables(spec)
	if err != nil {
		return coll, fmt.Errorf("object %s: %w", object, err)
	}
	for _, name := range sortedKeys(mapSpecs) {
		if r := opts.MapReplacements[name]; r != nil {
			if err := r.usable(); err != nil {
				return coll, fmt.Errorf("object %s: map %s replacement: %w", object, name, err)
			}
			if err := compatible(r, mapSpecs[name]); err != nil {
				return coll, fmt.Errorf("object %s: map %s replacement: %w", object, name, err)
			}
			coll.Maps[name] = r.mapObj.newHandle()
			continue
		}
		m, err := NewMap(mapSpecs[name])
		if err != nil {
			return coll, fmt.Errorf("object %s: %w", object, err)
		}
		coll.Maps[name] = m
	}

	for _, name := range sortedKeys(spec.Programs) {
		ps := spec.Programs[name]
		p, err := loadProgram(ps, coll.Maps, eng, opts)
		if err != nil {
			return coll, fmt.Errorf("object %s: section %s: program %s: %w", object, ps.SectionName, name, err)
		}
		coll.Programs[name] = p
	}

	for _, name := range sortedKeys(mapSpecs) {
		if opts.MapReplacements[name] != nil {
			continue
		}
		if err := fillContents(coll, coll.Maps[name], mapSpecs[name]); err != nil {
			return coll, fmt.Errorf("object %s: map %s: %w", object, name, err)
		}
	}
	return coll, nil
}

// compatible checks that an existing map can stand in for spec, as
// cilium/ebpf's MapSpec.Compatible does.
func compatible(m *Map, spec *MapSpec) error {
	want, err := mapSpecOf(spec)
	if err != nil {
		return err
	}
	got := m.spec
	switch {
	case got.Type != want.Type:
		return fmt.Errorf("type %s, want %s", got.Type, want.Type)
	case got.KeySize != want.KeySize:
		return fmt.Errorf("key size %d, want %d", got.KeySize, want.KeySize)
	case got.ValueSize != want.ValueSize:
		return fmt.Errorf("value size %d, want %d", got.ValueSize, want.ValueSize)
	case got.MaxEntries != want.MaxEntries:
		return fmt.Errorf("max entries %d, want %d", got.MaxEntries, want.MaxEntries)
	case got.Flags != want.Flags:
		return fmt.Errorf("flags %#x, want %#x", got.Flags, want.Flags)
	}
	return nil
}

// withVariables returns the map specs with each data section's contents
// updated from the variables (const volatile settings made with Set).
func withVariables(spec *CollectionSpec) (map[string]*MapSpec, error) {
	out := make(map[string]*MapSpec, len(spec.Maps))
	for name, ms := range spec.Maps {
		if ms == nil {
			return nil, fmt.Errorf("map %s: nil spec", name)
		}
		out[name] = ms
	}
	for _, vname := range sortedKeys(spec.Variables) {
		v := spec.Variables[vname]
		ms := out[v.SectionName]
		if ms == nil {
			// Sections no program references are not created.
			continue
		}
		if ms == spec.Maps[v.SectionName] {
			ms = ms.Copy()
			out[v.SectionName] = ms
		}
		if len(ms.Contents) != 1 {
			return nil, fmt.Errorf("variable %s: section %s has %d initial values, want 1", vname, v.SectionName, len(ms.Contents))
		}
		data, ok := ms.Contents[0].Value.([]byte)
		if !ok {
			return nil, fmt.Errorf("variable %s: section %s contents are %T, not bytes", vname, v.SectionName, ms.Contents[0].Value)
		}
		end := uint64(v.Offset) + uint64(len(v.Value))
		if end > uint64(len(data)) {
			return nil, fmt.Errorf("variable %s (offset %d, %d bytes) exceeds section %s (%d bytes)", vname, v.Offset, len(v.Value), v.SectionName, len(data))
		}
		copy(data[v.Offset:end], v.Value)
	}
	return out, nil
}

// loadProgram links a program against the collection's maps and loads it.
func loadProgram(ps *ProgramSpec, byName map[string]*Map, eng vm.Engine, opts CollectionOptions) (*Program, error) {
	if ps.loadErr != nil {
		return nil, ps.loadErr
	}
	if ps.Type == "" {
		return nil, fmt.Errorf("unsupported program type for section %q", ps.SectionName)
	}
	t := ps.progType()
	if t == nil {
		return nil, fmt.Errorf("unknown program type %q", ps.Type)
	}
	c := &loader.Converted{Name: ps.Name, Section: ps.SectionName, License: ps.License, Insns: ps.Instructions, Maps: ps.MapReferences}
	linked, err := loader.Link(c, t, func(ref loader.MapRef) (uint32, error) {
		m := byName[ref.Map]
		if m == nil {
			return 0, fmt.Errorf("reference to unknown map %q", ref.Map)
		}
		return m.ID(), nil
	})
	if err != nil {
		return nil, err
	}
	return newProgram(ps.Name, t, linked, eng, 0, loadOptions{
		skipVerifier: skipVerifier(opts.UnsafeSkipVerifier),
		section:      ps.SectionName,
		verify:       verifyOptions{logLevel: opts.LogLevel, lines: ps.lines},
	})
}

// fillContents writes a map's initial entries. String values name maps of
// the collection (map-in-map: their IDs are stored and the outer map keeps
// them alive) or programs (prog arrays: their IDs are stored).
func fillContents(coll *Collection, m *Map, ms *MapSpec) error {
	for i, kv := range ms.Contents {
		val := kv.Value
		if name, ok := val.(string); ok {
			switch m.Type() {
			case maps.ArrayOfMaps, maps.HashOfMaps:
				inner := coll.Maps[name]
				if inner == nil {
					return fmt.Errorf("entry %d: unknown inner map %q", i, name)
				}
				m.holdInner(inner.mapObj)
				val = inner.ID()
			case maps.ProgArray:
				p := coll.Programs[name]
				if p == nil {
					return fmt.Errorf("entry %d: unknown program %q", i, name)
				}
				val = p.ID()
			default:
				return fmt.Errorf("entry %d: %s map cannot hold a reference to %q", i, m.Type(), name)
			}
		}
		if err := m.Update(kv.Key, val, UpdateAny); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
	}
	return nil
}

// Close closes every program and map of the collection (maps still used by
// programs loaded elsewhere stay alive until those close).
func (c *Collection) Close() {
	if c == nil {
		return
	}
	for _, p := range c.Programs {
		p.Close()
	}
	for _, m := range c.Maps {
		m.Close()
	}
}
