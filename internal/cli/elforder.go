package cli

import (
	"debug/elf"
	"io"
	"sort"
	"strings"
)

// objectOrder lists an object's programs and maps in libbpf's order:
// programs by section then offset (the first is what `prog load` pins),
// maps of the .maps section by offset, then global data sections in section
// order. libbpf creates and pins in this order; following it makes IDs come
// out in the same order as with the kernel. Errors leave the lists empty
// (callers fall back to name order).
func objectOrder(obj io.ReaderAt) (progs, mapNames []string) {
	f, err := elf.NewFile(obj)
	if err != nil {
		return nil, nil
	}
	syms, err := f.Symbols()
	if err != nil {
		return nil, nil
	}
	type sym struct {
		name string
		sec  int
		off  uint64
	}
	var ps, ms []sym
	for _, s := range syms {
		if int(s.Section) <= 0 || int(s.Section) >= len(f.Sections) {
			continue
		}
		sec := f.Sections[s.Section]
		switch {
		case elf.ST_TYPE(s.Info) == elf.STT_FUNC && sec.Flags&elf.SHF_EXECINSTR != 0 && sec.Name != ".text" && elf.ST_BIND(s.Info) == elf.STB_GLOBAL:
			ps = append(ps, sym{s.Name, int(s.Section), s.Value})
		case sec.Name == ".maps" && elf.ST_TYPE(s.Info) == elf.STT_OBJECT:
			ms = append(ms, sym{s.Name, int(s.Section), s.Value})
		}
	}
	less := func(v []sym) func(i, j int) bool {
		return func(i, j int) bool {
			if v[i].sec != v[j].sec {
				return v[i].sec < v[j].sec
			}
			return v[i].off < v[j].off
		}
	}
	sort.SliceStable(ps, less(ps))
	sort.SliceStable(ms, less(ms))
	for _, s := range ps {
		progs = append(progs, s.name)
	}
	for _, s := range ms {
		mapNames = append(mapNames, s.name)
	}
	for _, sec := range f.Sections {
		if isDataSection(sec.Name) {
			mapNames = append(mapNames, sec.Name)
		}
	}
	return progs, mapNames
}

// isDataSection reports whether a section holds global variables, which
// libbpf turns into internal array maps.
func isDataSection(name string) bool {
	for _, p := range []string{".rodata", ".data", ".bss"} {
		if name == p || strings.HasPrefix(name, p+".") {
			return true
		}
	}
	return name == ".kconfig"
}

// hasBTF reports whether the object carries BTF (a .BTF section).
func hasBTF(obj io.ReaderAt) bool {
	f, err := elf.NewFile(obj)
	if err != nil {
		return false
	}
	return f.Section(".BTF") != nil
}

// libbpfObjectName is libbpf's name of an object: the file's base name,
// truncated to 15 bytes, cut at the first dot.
func libbpfObjectName(path string) string {
	base := path
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	if len(base) > 15 {
		base = base[:15]
	}
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	return base
}

// libbpfInternalMapName is the name libbpf gives the map of a global data
// section: the object name shortened so that "<object><section>" fits the
// kernel's 15 bytes ("prog.rodata", "a_very_l.bss"); sections with a second
// dot (".rodata.str1.1") keep their own name.
func libbpfInternalMapName(object, section string) string {
	sfxLen := max(7, len(section))
	pfxLen := min(15-sfxLen, len(object))
	if sfxLen >= 16 || strings.Contains(section[1:], ".") {
		pfxLen = 0
	}
	name := []byte(object[:max(pfxLen, 0)] + section)
	for i, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			name[i] = '_'
		}
	}
	return string(name)
}

// sanitizePinPath is libbpf's rule for map pins: the BPF file system does
// not allow dots, so every dot of the path becomes an underscore.
func sanitizePinPath(p string) string { return strings.ReplaceAll(p, ".", "_") }
