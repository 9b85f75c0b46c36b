package progtype

import "strings"

// sectionDef is one of libbpf's section-name rules. As in libbpf, a pattern
// ending in '/' matches any name with that prefix, one ending in '+' matches
// the name exactly or followed by "/extras", and any other pattern matches
// only exactly.
type sectionDef struct {
	pattern string
	typ     Type
}

// sectionDefs follows libbpf's table for the types bpfhost supports, in
// libbpf's order (the first match wins).
var sectionDefs = []sectionDef{
	{"xdp.frags/devmap", XDP},
	{"xdp/devmap", XDP},
	{"xdp.frags/cpumap", XDP},
	{"xdp/cpumap", XDP},
	{"xdp.frags", XDP},
	{"xdp+", XDP},
}

func (d sectionDef) matches(section string) bool {
	p := d.pattern
	switch p[len(p)-1] {
	case '/':
		return strings.HasPrefix(section, p)
	case '+':
		p = p[:len(p)-1]
		rest, ok := strings.CutPrefix(section, p)
		return ok && (rest == "" || rest[0] == '/')
	}
	return section == p
}

// ForSection returns the program type libbpf assigns to an ELF section name
// ("xdp", "xdp/anything", "xdp.frags", "xdp/devmap", ...), and false for
// sections of types bpfhost does not support.
func ForSection(section string) (Type, bool) {
	for _, d := range sectionDefs {
		if d.matches(section) {
			return d.typ, true
		}
	}
	return nil, false
}
