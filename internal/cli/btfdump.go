package cli

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/bpfhost/bpfhost/maps"

	"github.com/bpfhost/bpfhost/internal/state"
	"github.com/cilium/ebpf/btf"
)

// mapTypes are a map's key and value types from its BTF; key is nil for the
// maps of global data sections, whose key has no type (as libbpf creates them).
type mapTypes struct {
	key, value btf.Type
}

// mapBTF returns the BTF types of a map, or nil when it has none (maps
// created by `map create`, and maps whose value type the object leaves
// implicit). Such maps are printed as bytes only.
func (c *cli) mapBTF(mm *state.MapMeta) *mapTypes {
	if mm.BTFID == 0 || mm.BTFMap == "" {
		return nil
	}
	switch maps.Type(mm.Spec.Type) {
	case maps.PerfEventArray, maps.ArrayOfMaps, maps.HashOfMaps, maps.Queue, maps.Stack:
		// libbpf creates these without BTF: the kernel refuses typed keys
		// and values for them.
		return nil
	}
	cs, err := c.st.BTFSpec(mm.BTFID)
	if err != nil {
		if c.debug {
			fmt.Fprintf(c.stderr, "bpfhost: map %d: %v\n", mm.ID, err)
		}
		return nil
	}
	ms := cs.Maps[mm.BTFMap]
	if ms == nil || ms.Value == nil {
		return nil
	}
	t := &mapTypes{value: ms.Value}
	if !isDataSection(mm.BTFMap) && ms.Key != nil {
		if _, void := ms.Key.(*btf.Void); !void {
			t.key = ms.Key
		}
	}
	return t
}

// btfDumper writes values as bpftool's BTF dumper does, into a JSON writer.
// plain selects the plain-text variant (pointers as %p).
type btfDumper struct {
	j     *jsonWriter
	plain bool
}

// skipQualifiers follows const, volatile, restrict and type tags.
func skipQualifiers(t btf.Type) btf.Type {
	for i := 0; i < 64; i++ {
		switch q := t.(type) {
		case *btf.Const:
			t = q.Type
		case *btf.Volatile:
			t = q.Type
		case *btf.Restrict:
			t = q.Type
		case *btf.TypeTag:
			t = q.Type
		default:
			return t
		}
	}
	return t
}

func le(data []byte, n int) uint64 {
	var b [8]byte
	copy(b[:], data[:min(n, len(data), 8)])
	return binary.NativeEndian.Uint64(b[:])
}

func (d *btfDumper) dump(t btf.Type, data []byte) {
	for i := 0; i < 64; i++ {
		switch q := t.(type) {
		case *btf.Typedef:
			t = q.Type
			continue
		case *btf.Const, *btf.Volatile, *btf.Restrict, *btf.TypeTag:
			t = skipQualifiers(q)
			continue
		}
		break
	}
	j := d.j
	switch v := t.(type) {
	case *btf.Int:
		d.dumpInt(v, data)
	case *btf.Enum:
		n := le(data, int(v.Size))
		if v.Size < 8 {
			n &= 1<<(8*v.Size) - 1
		}
		for _, ev := range v.Values {
			mask := uint64(math.MaxUint64)
			if v.Size < 8 {
				mask = 1<<(8*v.Size) - 1
			}
			if ev.Value&mask == n {
				j.str(ev.Name)
				return
			}
		}
		if v.Signed {
			j.raw(fmt.Sprint(signExtend(n, int(v.Size))))
		} else {
			j.raw(fmt.Sprint(n))
		}
	case *btf.Pointer:
		p := le(data, 8)
		if d.plain {
			if p == 0 {
				j.raw("(nil)")
			} else {
				j.raw(fmt.Sprintf("0x%x", p))
			}
		} else {
			j.raw(fmt.Sprint(p))
		}
	case *btf.Float:
		switch v.Size {
		case 4:
			j.raw(fmt.Sprintf("%f", math.Float32frombits(uint32(le(data, 4)))))
		case 8:
			j.raw(fmt.Sprintf("%f", math.Float64frombits(le(data, 8))))
		default:
			j.str("(unsupported float)")
		}
	case *btf.Array:
		d.dumpArray(v, data)
	case *btf.Struct:
		d.dumpMembers(v.Members, data)
	case *btf.Union:
		d.dumpMembers(v.Members, data)
	case *btf.Var:
		j.startObject()
		j.name(v.Name)
		d.dump(v.Type, data)
		j.endObject()
	case *btf.Datasec:
		j.startObject()
		j.name(v.Name)
		j.startArray()
		for _, vs := range v.Vars {
			end := uint64(vs.Offset) + uint64(vs.Size)
			if end > uint64(len(data)) {
				break
			}
			d.dump(vs.Type, data[vs.Offset:end])
		}
		j.endArray()
		j.endObject()
	default:
		j.str("(unknown)")
	}
}

func signExtend(v uint64, size int) int64 {
	if size >= 8 {
		return int64(v)
	}
	shift := 64 - 8*uint(size)
	return int64(v<<shift) >> shift
}

func (d *btfDumper) dumpInt(v *btf.Int, data []byte) {
	j := d.j
	switch {
	case v.Encoding == btf.Bool:
		j.bool(le(data, int(v.Size)) != 0)
	case v.Encoding == btf.Char && v.Size == 1:
		ch := data[0]
		if ch >= 0x20 && ch < 0x7f {
			j.raw(quote(string(rune(ch))))
		} else {
			j.raw(fmt.Sprint(ch))
		}
	case v.Size == 16:
		lo, hi := le(data, 8), le(data[8:], 8)
		if hi == 0 {
			d.hex(fmt.Sprintf("0x%x", lo))
		} else {
			d.hex(fmt.Sprintf("0x%x%016x", hi, lo))
		}
	case v.Size == 1 || v.Size == 2 || v.Size == 4 || v.Size == 8:
		u := le(data, int(v.Size))
		if v.Encoding == btf.Signed {
			j.raw(fmt.Sprint(signExtend(u, int(v.Size))))
		} else {
			j.raw(fmt.Sprint(u))
		}
	default:
		d.hex(fmt.Sprintf("0x%x", le(data, int(v.Size))))
	}
}

// hex writes a number bpftool prints in hexadecimal (bit fields, 128-bit
// integers): bare in plain text, as a string in JSON.
func (d *btfDumper) hex(s string) {
	if d.plain {
		d.j.raw(s)
	} else {
		d.j.str(s)
	}
}

func (d *btfDumper) dumpArray(a *btf.Array, data []byte) {
	elem := a.Type
	size, err := btf.Sizeof(elem)
	if err != nil || size <= 0 {
		d.j.str("(unknown)")
		return
	}
	if isCharArray(elem) {
		if s, ok := cString(data[:min(int(a.Nelems), len(data))]); ok {
			d.j.str(s)
			return
		}
	}
	d.j.startArray()
	for i := 0; i < int(a.Nelems) && (i+1)*size <= len(data); i++ {
		d.dump(elem, data[i*size:(i+1)*size])
	}
	d.j.endArray()
}

// isCharArray reports whether elements are C chars (bpftool prints such
// arrays as strings when they hold a printable, NUL-terminated text).
func isCharArray(elem btf.Type) bool {
	i, ok := skipQualifiers(elem).(*btf.Int)
	return ok && i.Size == 1 && i.Name == "char"
}

func cString(b []byte) (string, bool) {
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), true
		}
		if c < 0x20 || c > 0x7e {
			return "", false
		}
	}
	return "", false
}

func (d *btfDumper) dumpMembers(members []btf.Member, data []byte) {
	j := d.j
	j.startObject()
	for _, m := range members {
		j.name(m.Name)
		off := uint64(m.Offset)
		if m.BitfieldSize != 0 || off%8 != 0 {
			// Bit fields: read the bits and print them as hex, as bpftool does.
			bits := uint64(m.BitfieldSize)
			if bits == 0 {
				sz, _ := btf.Sizeof(m.Type)
				bits = uint64(sz) * 8
			}
			start := off / 8
			if start >= uint64(len(data)) {
				d.hex("0x0")
				continue
			}
			raw := le(data[start:], 8)
			v := raw >> (off % 8)
			if bits < 64 {
				v &= 1<<bits - 1
			}
			d.hex(fmt.Sprintf("0x%x", v))
			continue
		}
		size, err := btf.Sizeof(m.Type)
		if err != nil || off/8+uint64(size) > uint64(len(data)) {
			j.str("(unknown)")
			continue
		}
		d.dump(m.Type, data[off/8:off/8+uint64(size)])
	}
	j.endObject()
}

// formatted writes bpftool's "formatted" object of one entry: key (when
// typed) and value, or per-CPU values.
func (d *btfDumper) formatted(t *mapTypes, key []byte, values [][]byte, perCPU bool) {
	j := d.j
	j.startObject()
	if t.key != nil {
		j.name("key")
		d.dump(t.key, key)
	}
	if !perCPU {
		j.name("value")
		d.dump(t.value, values[0])
	} else {
		j.name("values")
		j.startArray()
		for cpu, v := range values {
			j.startObject()
			j.intField("cpu", int64(cpu))
			j.name("value")
			d.dump(t.value, v)
			j.endObject()
		}
		j.endArray()
	}
	j.endObject()
}
