package loader

import (
	"fmt"
	"strings"

	"github.com/bpfhost/bpfhost/maps"
	"github.com/cilium/ebpf"
)

// KnownMapType reports whether bpfhost implements the map type t.
func KnownMapType(t maps.Type) bool {
	return !strings.HasPrefix(t.String(), "type_")
}

// MapSpec converts a cilium/ebpf map description (BTF-defined .maps, legacy
// maps section, or a global data section) to a maps.Spec. Unknown map types
// are errors. The inner map template of a map-in-map is converted as well.
func MapSpec(ms *ebpf.MapSpec) (maps.Spec, error) {
	return mapSpec(ms, 0)
}

func mapSpec(ms *ebpf.MapSpec, depth int) (maps.Spec, error) {
	if depth > 1 {
		return maps.Spec{}, fmt.Errorf("map %q: maps nested more than one level deep are not supported", ms.Name)
	}
	t := maps.Type(uint32(ms.Type))
	if !KnownMapType(t) {
		return maps.Spec{}, fmt.Errorf("map %q: unsupported map type %d (%s)", ms.Name, uint32(ms.Type), ms.Type)
	}
	s := maps.Spec{
		Name:       ms.Name,
		Type:       t,
		KeySize:    ms.KeySize,
		ValueSize:  ms.ValueSize,
		MaxEntries: ms.MaxEntries,
		Flags:      ms.Flags,
	}
	if t == maps.ArrayOfMaps || t == maps.HashOfMaps {
		if ms.InnerMap == nil {
			return maps.Spec{}, fmt.Errorf("map %q: %s without an inner map template", ms.Name, t)
		}
		inner, err := mapSpec(ms.InnerMap, depth+1)
		if err != nil {
			return maps.Spec{}, fmt.Errorf("map %q: inner map: %w", ms.Name, err)
		}
		s.InnerMap = &inner
		if s.ValueSize == 0 {
			// Map-in-map values are inner map IDs.
			s.ValueSize = 4
		}
	}
	if t == maps.ProgArray && s.ValueSize == 0 {
		s.ValueSize = 4
	}
	return s, nil
}
