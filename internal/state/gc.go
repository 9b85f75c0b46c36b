package state

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"path/filepath"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
)

// collect destroys the objects no pin reaches, directly or through the
// references the kernel counts: a program holds its maps, a prog array holds
// its programs, a map-in-map holds its inner maps. It returns the files to
// delete once the new metadata is on disk.
func (s *State) collect() []string {
	s.clearOrphanedProgArrays()
	liveMaps := map[uint32]bool{}
	liveProgs := map[uint32]bool{}
	var mapQ, progQ []uint32
	progQ = s.collectLinks()
	for _, p := range s.Meta.Pins {
		switch p.Kind {
		case KindMap:
			mapQ = append(mapQ, p.ID)
		case KindProg:
			progQ = append(progQ, p.ID)
		}
	}
	for len(mapQ) > 0 || len(progQ) > 0 {
		for len(progQ) > 0 {
			id := progQ[len(progQ)-1]
			progQ = progQ[:len(progQ)-1]
			if liveProgs[id] || s.Meta.Progs[id] == nil {
				continue
			}
			liveProgs[id] = true
			mapQ = append(mapQ, s.Meta.Progs[id].MapIDs...)
		}
		for len(mapQ) > 0 {
			id := mapQ[len(mapQ)-1]
			mapQ = mapQ[:len(mapQ)-1]
			if liveMaps[id] || s.Meta.Maps[id] == nil {
				continue
			}
			liveMaps[id] = true
			m := s.maps[id]
			if m == nil {
				continue
			}
			switch in := m.Internal().(type) {
			case maps.ProgArrayMap:
				for i := uint32(0); i < m.MaxEntries(); i++ {
					if pid := in.Program(i); pid != 0 {
						progQ = append(progQ, pid)
					}
				}
			case maps.MapOfMaps:
				mapQ = append(mapQ, innerIDs(in, int(m.KeySize()))...)
			}
		}
	}

	var files []string
	for id := range s.Meta.Progs {
		if !liveProgs[id] {
			if p := s.progs[id]; p != nil {
				p.Close()
			}
			delete(s.progs, id)
			delete(s.Meta.Progs, id)
		}
	}
	for id, mm := range s.Meta.Maps {
		if !liveMaps[id] {
			if m := s.maps[id]; m != nil {
				m.Close()
			}
			delete(s.maps, id)
			delete(s.Meta.Maps, id)
			files = append(files, s.mapPath(mm.File))
		}
	}
	usedBTF := map[uint32]bool{}
	for _, mm := range s.Meta.Maps {
		usedBTF[mm.BTFID] = true
	}
	for _, pm := range s.Meta.Progs {
		usedBTF[pm.BTFID] = true
	}
	for id, f := range s.Meta.BTF {
		if !usedBTF[id] {
			delete(s.Meta.BTF, id)
			delete(s.btf, id)
			files = append(files, filepath.Join(s.Root, btfDir, f))
		}
	}
	return files
}

// innerIDs lists the inner map IDs a map-in-map holds.
func innerIDs(m maps.MapOfMaps, keySize int) []uint32 {
	var ids []uint32
	key := make([]byte, keySize)
	next := make([]byte, keySize)
	var cur []byte
	for i := 0; i < 1<<24; i++ {
		if err := m.NextKey(cur, next); err != nil {
			break
		}
		if id := m.Inner(next); id != 0 {
			ids = append(ids, id)
		}
		copy(key, next)
		cur = key
	}
	return ids
}

// MapIDsOf lists the maps linked instructions reference, in order of first
// reference (as the kernel lists a program's map_ids).
func MapIDsOf(insns []isa.Instruction) []uint32 {
	var ids []uint32
	seen := map[uint32]bool{}
	for i := 0; i+1 < len(insns); i++ {
		ins := insns[i]
		if !ins.IsLdImm64() {
			continue
		}
		if ins.Src == isa.PseudoMapFD || ins.Src == isa.PseudoMapValue {
			id := uint32(ins.Imm)
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		i++
	}
	return ids
}

// Tag computes a program's tag as the kernel does: the first 8 bytes of the
// SHA-1 of its instructions with map references blanked, so the tag does not
// depend on map IDs.
func Tag(insns []isa.Instruction) string {
	c := append([]isa.Instruction(nil), insns...)
	for i := 0; i+1 < len(c); i++ {
		if c[i].IsLdImm64() {
			if c[i].Src == isa.PseudoMapFD || c[i].Src == isa.PseudoMapValue {
				c[i].Imm = 0
				c[i+1].Imm = 0
			}
			i++
		}
	}
	sum := sha1.Sum(isa.Encode(c))
	return hex.EncodeToString(sum[:8])
}

// clearOrphanedProgArrays empties the prog arrays no pin holds. The kernel
// clears a prog array when its last user reference (file descriptor or pin)
// goes, even if programs still use it, so that prog arrays cannot keep
// reference cycles alive; bpftool warns about it when a prog array is
// updated by ID. Commands end by dropping their descriptors, hence here.
func (s *State) clearOrphanedProgArrays() {
	pinned := map[uint32]bool{}
	for _, p := range s.Meta.Pins {
		if p.Kind == KindMap {
			pinned[p.ID] = true
		}
	}
	for id, m := range s.maps {
		if pinned[id] || m.Type() != maps.ProgArray {
			continue
		}
		key := make([]byte, 4)
		for i := uint32(0); i < m.MaxEntries(); i++ {
			binary.NativeEndian.PutUint32(key, i)
			m.Internal().Delete(key) // ENOENT for empty slots
		}
	}
}
