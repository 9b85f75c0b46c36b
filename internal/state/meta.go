package state

// Meta is the persisted description of a state directory: every live object,
// every pin and the ID counters. It is written as one JSON file, replaced
// atomically, so the directory moves from one consistent state to the next.
type Meta struct {
	// Version is the format version of the file.
	Version int `json:"version"`
	// CPUs is the number of virtual CPUs per-CPU maps of this directory hold
	// values for; it is fixed once a map exists.
	CPUs int `json:"cpus"`
	// LastMapID, LastProgID and LastBTFID are the highest IDs handed out,
	// so that IDs are never reused across processes.
	LastMapID  uint32 `json:"last_map_id"`
	LastProgID uint32 `json:"last_prog_id"`
	LastBTFID  uint32 `json:"last_btf_id"`
	// LastLinkID is the highest link ID handed out.
	LastLinkID uint32 `json:"last_link_id,omitempty"`

	Maps  map[uint32]*MapMeta  `json:"maps"`
	Progs map[uint32]*ProgMeta `json:"progs"`
	// BTF maps a BTF object ID to the copy of the object file it came from
	// (a file name inside the btf directory).
	BTF map[uint32]string `json:"btf"`
	// Pins maps pin keys (see PinKey) to the object pinned there.
	Pins map[string]Pin `json:"pins"`
	// Links are the live links (see LinkMeta).
	Links map[uint32]*LinkMeta `json:"links,omitempty"`
}

// metaVersion is the current format of Meta.
const metaVersion = 1

// Pin is one entry of the pin namespace.
type Pin struct {
	// Kind is KindMap, KindProg or KindLink.
	Kind string `json:"kind"`
	ID   uint32 `json:"id"`
}

// Kinds of pinned objects.
const (
	KindMap  = "map"
	KindProg = "prog"
	KindLink = "link"
)

// SpecMeta is a map's creation parameters.
type SpecMeta struct {
	Name       string    `json:"name"`
	Type       uint32    `json:"type"`
	KeySize    uint32    `json:"key_size"`
	ValueSize  uint32    `json:"value_size"`
	MaxEntries uint32    `json:"max_entries"`
	Flags      uint32    `json:"flags"`
	Inner      *SpecMeta `json:"inner,omitempty"`
}

// MapMeta is a persisted map.
type MapMeta struct {
	ID   uint32   `json:"id"`
	Spec SpecMeta `json:"spec"`
	// File is the map's storage file inside the maps directory.
	File string `json:"file"`
	// Frozen maps refuse updates from user space (global .rodata).
	Frozen bool `json:"frozen,omitempty"`
	// BTFID names the BTF object the map was created with (0 = none) and
	// BTFMap the map's name in that object's collection spec, which gives
	// its key and value types.
	BTFID  uint32 `json:"btf_id,omitempty"`
	BTFMap string `json:"btf_map,omitempty"`
	// OwnerProgType is the type of the first program that used a prog array.
	OwnerProgType string `json:"owner_prog_type,omitempty"`
}

// ProgMeta is a persisted program in its linked (xlated) form.
type ProgMeta struct {
	ID   uint32 `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	// Insns is the encoded linked instruction stream (isa.Encode).
	Insns []byte `json:"insns"`
	// MapIDs are the maps the program references, in order of first use.
	MapIDs []uint32 `json:"map_ids"`
	// LoadedAt is the load time in Unix nanoseconds.
	LoadedAt int64  `json:"loaded_at"`
	UID      uint32 `json:"uid"`
	GPL      bool   `json:"gpl"`
	BTFID    uint32 `json:"btf_id,omitempty"`
	// Tag is the program's tag, as a hexadecimal string.
	Tag string `json:"tag"`
	// Unverified marks a program loaded with --unsafe-skip-verifier: it is
	// restored the same way (checked interpreter); others are verified again.
	Unverified bool `json:"unverified,omitempty"`
	// Section is the ELF section the program came from: restored, it gets
	// the attach type's context rules again.
	Section string `json:"section,omitempty"`
}

func newMeta() *Meta {
	return &Meta{
		Version: metaVersion,
		Maps:    map[uint32]*MapMeta{},
		Progs:   map[uint32]*ProgMeta{},
		BTF:     map[uint32]string{},
		Pins:    map[string]Pin{},
	}
}
