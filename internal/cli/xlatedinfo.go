package cli

import (
	"strings"

	"github.com/bpfhost/bpfhost/internal/state"
	"github.com/cilium/ebpf/btf"
)

// xlatedInfo is the BTF annotation of a program's instructions that
// `prog dump xlated` prints: function prototypes and source lines, by slot.
type xlatedInfo struct {
	proto map[int]string
	src   map[int]string
}

// xlatedAnnotations reads the program's function and line information from
// the object it was loaded from. The linked form keeps the object's slots
// one for one, so slot numbers carry over; nil when there is no BTF.
func (c *cli) xlatedAnnotations(pm *state.ProgMeta, nslots int) *xlatedInfo {
	if pm.BTFID == 0 {
		return nil
	}
	cs, err := c.st.BTFSpec(pm.BTFID)
	if err != nil {
		return nil
	}
	ps := cs.Programs[pm.Name]
	if ps == nil {
		return nil
	}
	info := &xlatedInfo{proto: map[int]string{}, src: map[int]string{}}
	slot := 0
	for i := range ps.Instructions {
		ins := &ps.Instructions[i]
		if fn := btf.FuncMetadata(ins); fn != nil {
			info.proto[slot] = funcProto(fn)
		}
		if s := ins.Source(); s != nil {
			if l, ok := s.(*btf.Line); ok {
				info.src[slot] = strings.TrimLeft(l.Line(), " \t")
			} else {
				info.src[slot] = s.String()
			}
		}
		slot += int(ins.Width())
	}
	if slot != nslots {
		return nil // not the same instruction stream: do not mislabel
	}
	return info
}

// funcProto formats a function as bpftool does: "int f(struct xdp_md * ctx)".
func funcProto(fn *btf.Func) string {
	fp, ok := fn.Type.(*btf.FuncProto)
	if !ok {
		return fn.Name
	}
	params := make([]string, len(fp.Params))
	for i, p := range fp.Params {
		params[i] = strings.TrimSpace(typeName(p.Type) + " " + p.Name)
	}
	return typeName(fp.Return) + " " + fn.Name + "(" + strings.Join(params, ", ") + ")"
}

// typeName spells a type as C declarations do.
func typeName(t btf.Type) string {
	switch v := t.(type) {
	case nil, *btf.Void:
		return "void"
	case *btf.Pointer:
		return typeName(v.Target) + " *"
	case *btf.Struct:
		return "struct " + v.Name
	case *btf.Union:
		return "union " + v.Name
	case *btf.Enum:
		return "enum " + v.Name
	case *btf.Fwd:
		return string(v.Kind.String()) + " " + v.Name
	case *btf.Const:
		return "const " + typeName(v.Type)
	case *btf.Volatile:
		return "volatile " + typeName(v.Type)
	case *btf.Restrict:
		return typeName(v.Type) + " restrict"
	case *btf.Array:
		return typeName(v.Type) + "[]"
	}
	return t.TypeName()
}
