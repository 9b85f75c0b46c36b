package ebpf

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/loader"
	"github.com/bpfhost/bpfhost/maps"
	"github.com/bpfhost/bpfhost/progtype"
	cilium "github.com/cilium/ebpf"
)

// CollectionSpec describes the maps, programs and global variables of an
// object file before they are created.
type CollectionSpec struct {
	Maps      map[string]*MapSpec
	Programs  map[string]*ProgramSpec
	Variables map[string]*VariableSpec

	// object names the object file in error messages.
	object string
}

// PinType says whether a map is pinned by name (recorded, not acted upon:
// bpfhost has no BPF filesystem).
type PinType uint32

// Pinning kinds, as in cilium/ebpf.
const (
	PinNone PinType = iota
	PinByName
)

// MapKV is one initial entry of a map. A Value that is a string names
// another map (map-in-map) or a program (prog array) of the collection.
type MapKV struct {
	Key   any
	Value any
}

// MapSpec describes a map to create.
type MapSpec struct {
	Name       string
	Type       maps.Type
	KeySize    uint32
	ValueSize  uint32
	MaxEntries uint32
	Flags      uint32
	// InnerMap is the template of the inner maps of a map-in-map.
	InnerMap *MapSpec
	// Contents are written into the map when it is created.
	Contents []MapKV
	Pinning  PinType
}

// ProgramSpec describes a program to load.
type ProgramSpec struct {
	Name        string
	SectionName string
	License     string
	// Type is the program type's name ("xdp"...), from the section name;
	// empty when bpfhost does not know the section.
	Type string
	// Instructions are the program's slots with bpf-to-bpf calls resolved;
	// map references are symbolic (see MapReferences) until the program is
	// loaded, which produces the linked form (Program.Xlated).
	Instructions []isa.Instruction
	// MapReferences lists the ld_imm64 slots that refer to maps of the
	// collection by name.
	MapReferences []loader.MapRef

	// loadErr is why the program cannot be loaded (a kfunc call, a CO-RE
	// relocation...). It is reported by NewCollection, as cilium/ebpf
	// reports such problems at load, so that the other programs of the
	// object stay usable (delete the program from the spec to load the rest).
	loadErr error
	// ptype is the type the section names, with its attach type's context
	// rules (ForSection); Type alone would give any attach type's.
	ptype progtype.Type
	// lines is the BTF source line of each slot, for verifier messages.
	lines []string
}

// progType returns the program type to load the program as: the section's
// (attach-type specific) type when Type still names it, else Type's.
func (p *ProgramSpec) progType() progtype.Type {
	if p.ptype != nil && p.ptype.Name() == p.Type {
		return p.ptype
	}
	if t, ok := progtype.ByName(p.Type); ok {
		return t
	}
	return nil
}

// VariableSpec is a global variable of a data section (.rodata, .data,
// .bss, .data.*, .rodata.*); setting it before NewCollection changes the
// initial contents of its section, which is how const volatile
// configuration is given to a program.
type VariableSpec struct {
	Name        string
	SectionName string
	Offset      uint32
	// Value is the variable's bytes, in host byte order.
	Value []byte
}

// Size returns the variable's size in bytes.
func (v *VariableSpec) Size() uint32 { return uint32(len(v.Value)) }

// Constant reports whether the variable lives in a read-only section.
func (v *VariableSpec) Constant() bool { return isRodata(v.SectionName) }

// Set replaces the variable's value. value is marshalled like map values
// (byte slices, fixed-size values, encoding.BinaryMarshaler) and must have
// exactly the variable's size.
func (v *VariableSpec) Set(value any) error {
	b, err := marshal(value, len(v.Value))
	if err != nil {
		return fmt.Errorf("variable %s: %w", v.Name, err)
	}
	v.Value = append(v.Value[:0], b...)
	return nil
}

// Get unmarshals the variable's value into out.
func (v *VariableSpec) Get(out any) error {
	if err := unmarshal(v.Value, out); err != nil {
		return fmt.Errorf("variable %s: %w", v.Name, err)
	}
	return nil
}

func isRodata(section string) bool {
	return len(section) >= 7 && section[:7] == ".rodata"
}

// LoadCollectionSpec parses an ELF object file built by clang -target bpf.
func LoadCollectionSpec(file string) (*CollectionSpec, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return loadSpec(f, filepath.Base(file))
}

// LoadCollectionSpecFromReader parses an ELF object from rd.
func LoadCollectionSpecFromReader(rd io.ReaderAt) (*CollectionSpec, error) {
	name := "object"
	if n, ok := rd.(interface{ Name() string }); ok {
		name = filepath.Base(n.Name())
	}
	return loadSpec(rd, name)
}

// loadSpec parses with cilium/ebpf and converts. A panic inside the parser
// (a library bug met by malformed input) becomes an error: bad input must
// never crash the host.
func loadSpec(rd io.ReaderAt, object string) (spec *CollectionSpec, err error) {
	defer func() {
		if r := recover(); r != nil {
			spec, err = nil, fmt.Errorf("object %s: malformed object (parser panic: %v)", object, r)
		}
	}()
	cs, err := cilium.LoadCollectionSpecFromReader(rd)
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", object, err)
	}
	return convertSpec(cs, object)
}

func convertSpec(cs *cilium.CollectionSpec, object string) (*CollectionSpec, error) {
	spec := &CollectionSpec{
		Maps:      make(map[string]*MapSpec, len(cs.Maps)),
		Programs:  make(map[string]*ProgramSpec, len(cs.Programs)),
		Variables: make(map[string]*VariableSpec, len(cs.Variables)),
		object:    object,
	}
	for name, ms := range cs.Maps {
		spec.Maps[name] = convertMapSpec(ms, 0)
	}
	for _, name := range sortedKeys(cs.Programs) {
		ps := cs.Programs[name]
		p := &ProgramSpec{Name: ps.Name, SectionName: ps.SectionName, License: ps.License}
		if c, err := loader.Convert(ps); err != nil {
			p.loadErr = err
		} else {
			p.Instructions, p.MapReferences = c.Insns, c.Maps
		}
		if t, ok := progtype.ForSection(ps.SectionName); ok {
			p.Type, p.ptype = t.Name(), t
		}
		p.lines = sourceLines(ps)
		spec.Programs[name] = p
	}
	for name, vs := range cs.Variables {
		spec.Variables[name] = &VariableSpec{
			Name:        vs.Name,
			SectionName: vs.SectionName,
			Offset:      vs.Offset,
			Value:       append([]byte(nil), vs.Value...),
		}
	}
	return spec, nil
}

func convertMapSpec(ms *cilium.MapSpec, depth int) *MapSpec {
	if ms == nil || depth > 2 {
		return nil
	}
	out := &MapSpec{
		Name:       ms.Name,
		Type:       maps.Type(uint32(ms.Type)),
		KeySize:    ms.KeySize,
		ValueSize:  ms.ValueSize,
		MaxEntries: ms.MaxEntries,
		Flags:      ms.Flags,
		Pinning:    PinType(ms.Pinning),
	}
	if ms.InnerMap != nil && ms.InnerMap != ms {
		out.InnerMap = convertMapSpec(ms.InnerMap, depth+1)
	}
	for _, kv := range ms.Contents {
		v := kv.Value
		if b, ok := v.([]byte); ok {
			v = append([]byte(nil), b...)
		}
		out.Contents = append(out.Contents, MapKV{Key: kv.Key, Value: v})
	}
	return out
}

// Copy returns a deep copy of the spec (contents' values are shared unless
// they are byte slices).
func (cs *CollectionSpec) Copy() *CollectionSpec {
	if cs == nil {
		return nil
	}
	out := &CollectionSpec{
		Maps:      make(map[string]*MapSpec, len(cs.Maps)),
		Programs:  make(map[string]*ProgramSpec, len(cs.Programs)),
		Variables: make(map[string]*VariableSpec, len(cs.Variables)),
		object:    cs.object,
	}
	for k, v := range cs.Maps {
		out.Maps[k] = v.Copy()
	}
	for k, v := range cs.Programs {
		p := *v
		p.Instructions = append([]isa.Instruction(nil), v.Instructions...)
		p.MapReferences = append([]loader.MapRef(nil), v.MapReferences...)
		out.Programs[k] = &p
	}
	for k, v := range cs.Variables {
		c := *v
		c.Value = append([]byte(nil), v.Value...)
		out.Variables[k] = &c
	}
	return out
}

// Copy returns a deep copy of the map spec.
func (ms *MapSpec) Copy() *MapSpec {
	if ms == nil {
		return nil
	}
	c := *ms
	c.InnerMap = ms.InnerMap.Copy()
	c.Contents = nil
	for _, kv := range ms.Contents {
		if b, ok := kv.Value.([]byte); ok {
			kv.Value = append([]byte(nil), b...)
		}
		c.Contents = append(c.Contents, kv)
	}
	return &c
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
