package verifier

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/conformance"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/progtype"
)

// This file is the harness of the data-driven suites (testdata/negative):
// the case file format, its assembler extensions, the suite's maps and the
// program types in Linux's context layout.
//
// A case file holds cases separated by "=== name" lines. Each case has
// metadata lines, then the program in the conformance assembler's syntax:
//
//	=== uninitialized r2 as mov source
//	@type xdp           program type (default xdp)
//	@want R2 !read_ok   substring of the refusal (required)
//	@maps hash ringbuf  maps the program references (checked against ldmap)
//	@unpriv             verify as an unprivileged loader
//	@maxproc 20000      processed-instruction budget
//	@kernel-skip why    no kernel comparison (a known difference, explained)
//	    mov %r0, %r2
//	    exit
//
// Extensions to the assembler: "ldmap %rN, name" (ld_imm64 of a map),
// "ldmapval %rN, name, off" (ld_imm64 of a map value address),
// "ldfunc %rN, label" (ld_imm64 of a subprogram) and
// "raw opcode dst src off imm" (one instruction slot, numbers in any base).

// suiteCase is one program of a data-driven suite.
type suiteCase struct {
	file, name string
	line       int
	typ        string
	want       string
	maps       []string
	unpriv     bool
	maxProc    int
	kernelSkip string
	src        []string
}

// suiteMapIDs names the maps of testMaps and the suite's extra maps.
var suiteMapIDs = map[string]uint32{
	"hash": mapHash, "array": mapArray, "ringbuf": mapRingbuf, "progs": mapProgs,
	"rdonly": mapRdOnly, "queue": mapQueue, "mapofmaps": mapOfMaps,
	"hash8": 8, "percpu": 9, "perfarray": 10, "stacktrace": 11, "hashofmaps": 12, "array1": 13,
}

// suiteExtraMaps are the maps the suite adds to testMaps.
var suiteExtraMaps = map[uint32]MapInfo{
	8:  {Type: 1, KeySize: 8, ValueSize: 8, MaxEntries: 16},                                                                     // hash, key 8, value 8
	9:  {Type: 6, KeySize: 4, ValueSize: 16, MaxEntries: 4},                                                                     // percpu_array
	10: {Type: 4, KeySize: 4, ValueSize: 4, MaxEntries: 4},                                                                      // perf_event_array
	11: {Type: 7, KeySize: 4, ValueSize: 8 * 16, MaxEntries: 16},                                                                // stack_trace
	12: {Type: 13, KeySize: 4, ValueSize: 4, MaxEntries: 2, Inner: &MapInfo{Type: 1, KeySize: 4, ValueSize: 16, MaxEntries: 4}}, // hash of maps
	13: {Type: 2, KeySize: 4, ValueSize: 8, MaxEntries: 1},                                                                      // array, one u64
}

// suiteMaps resolves the IDs of suiteMapIDs.
func suiteMaps(id uint32) (MapInfo, bool) {
	if mi, ok := suiteExtraMaps[id]; ok {
		return mi, true
	}
	return testMaps(id)
}

// parseSuiteFile reads the cases of one file.
func parseSuiteFile(path string) ([]*suiteCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*suiteCase
	var cur *suiteCase
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "==="):
			cur = &suiteCase{file: filepath.Base(path), name: strings.TrimSpace(t[3:]), line: n, typ: "xdp"}
			out = append(out, cur)
		case cur == nil:
			if t != "" && !strings.HasPrefix(t, "#") {
				return nil, fmt.Errorf("%s:%d: text before the first case", path, n)
			}
		case strings.HasPrefix(t, "@"):
			key, val, _ := strings.Cut(t[1:], " ")
			val = strings.TrimSpace(val)
			switch key {
			case "type":
				cur.typ = val
			case "want":
				cur.want = val
			case "maps":
				cur.maps = strings.Fields(val)
			case "unpriv":
				cur.unpriv = true
			case "maxproc":
				if cur.maxProc, err = strconv.Atoi(val); err != nil {
					return nil, fmt.Errorf("%s:%d: %v", path, n, err)
				}
			case "kernel-skip":
				cur.kernelSkip = val
			default:
				return nil, fmt.Errorf("%s:%d: unknown metadata @%s", path, n, key)
			}
		default:
			cur.src = append(cur.src, line)
		}
	}
	return out, sc.Err()
}

// loadSuite reads every case file matching pattern; names must be unique.
func loadSuite(t *testing.T, pattern string) []*suiteCase {
	files, _ := filepath.Glob(pattern)
	if len(files) == 0 {
		t.Fatalf("no case files match %s", pattern)
	}
	var all []*suiteCase
	seen := map[string]string{}
	for _, f := range files {
		cs, err := parseSuiteFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			where := fmt.Sprintf("%s:%d", c.file, c.line)
			if prev, dup := seen[c.name]; dup {
				t.Fatalf("%s: case name %q already used at %s", where, c.name, prev)
			}
			seen[c.name] = where
		}
		all = append(all, cs...)
	}
	return all
}

// Markers the extensions leave in the conformance assembler's output,
// replaced after assembly.
const (
	markMap    = 0x6d617000 // high word of lddw: map (low byte 0) or map value (1); low word: id | off<<8
	markFunc   = 0x5eedf00d // mov imm after a "call local": an ldfunc
	markRawLo  = 0x7a000000 // mov %r0 imm: raw instruction number imm-markRawLo
	markRawMax = 0x7a00ffff
)

// assemble assembles the case, returning the program and the IDs of the
// maps it references.
func (c *suiteCase) assemble() ([]isa.Instruction, []uint32, error) {
	var lines []conformance.Line
	var raws []isa.Instruction
	used := map[string]bool{}
	mapID := func(name string) (uint32, error) {
		id, ok := suiteMapIDs[name]
		if !ok {
			return 0, fmt.Errorf("unknown map %q", name)
		}
		used[name] = true
		return id, nil
	}
	for i, text := range c.src {
		n := c.line + 1 + i
		if j := strings.IndexByte(text, '#'); j >= 0 {
			text = text[:j]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		label := ""
		if k := strings.IndexByte(text, ':'); k >= 0 && !strings.ContainsAny(text[:k], " \t[%,") {
			label, text = text[:k+1], strings.TrimSpace(text[k+1:])
		}
		word, rest, _ := strings.Cut(text, " ")
		args := strings.Split(rest, ",")
		for k := range args {
			args[k] = strings.TrimSpace(args[k])
		}
		emit := func(s string) { lines = append(lines, conformance.Line{N: n, Text: s}) }
		switch word {
		case "ldmap", "ldmapval":
			if (word == "ldmap") != (len(args) == 2) || word == "ldmapval" && len(args) != 3 {
				return nil, nil, fmt.Errorf("line %d: bad %s operands", n, word)
			}
			id, err := mapID(args[1])
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: %v", n, err)
			}
			lo, kind := uint64(id), uint64(0)
			if word == "ldmapval" {
				off, err := strconv.ParseInt(args[2], 0, 16)
				if err != nil {
					return nil, nil, fmt.Errorf("line %d: %v", n, err)
				}
				lo |= uint64(uint16(off)) << 8
				kind = 1
			}
			emit(fmt.Sprintf("%s lddw %s, 0x%x", label, args[0], uint64(markMap|kind)<<32|lo))
		case "ldfunc":
			if len(args) != 2 {
				return nil, nil, fmt.Errorf("line %d: bad ldfunc operands", n)
			}
			emit(fmt.Sprintf("%s call local %s", label, args[1]))
			emit(fmt.Sprintf("mov %s, 0x%x", args[0], markFunc))
		case "raw":
			f := strings.Fields(rest)
			if len(f) != 5 {
				return nil, nil, fmt.Errorf("line %d: raw takes opcode dst src off imm", n)
			}
			var v [5]int64
			for k := range f {
				x, err := strconv.ParseInt(f[k], 0, 64)
				if err != nil {
					return nil, nil, fmt.Errorf("line %d: %v", n, err)
				}
				v[k] = x
			}
			raws = append(raws, isa.Instruction{Opcode: uint8(v[0]), Dst: uint8(v[1]), Src: uint8(v[2]), Offset: int16(v[3]), Imm: int32(v[4])})
			emit(fmt.Sprintf("%s mov %%r0, 0x%x", label, markRawLo+len(raws)-1))
		default:
			emit(label + " " + text)
		}
	}
	for k := range lines {
		lines[k].Text = strings.TrimSpace(lines[k].Text)
	}
	insns, err := conformance.AssembleLines(lines)
	if err != nil {
		return nil, nil, err
	}
	for pc := 0; pc < len(insns); pc++ {
		ins := &insns[pc]
		switch {
		case ins.Opcode == isa.OpLdImm64 && pc+1 < len(insns) && uint32(insns[pc+1].Imm)&^0xff == markMap:
			lo := uint32(ins.Imm)
			ins.Src = isa.PseudoMapFD
			ins.Imm = int32(lo & 0xff)
			if insns[pc+1].Imm&1 == 1 {
				ins.Src = isa.PseudoMapValue
				insns[pc+1] = isa.Instruction{Imm: int32(int16(lo >> 8))}
			} else {
				insns[pc+1] = isa.Instruction{}
			}
			pc++
		case ins.Opcode == isa.OpCall && ins.Src == isa.CallLocal && pc+1 < len(insns) &&
			insns[pc+1].Opcode == isa.ClassALU64|isa.ALUMov|isa.SrcK && uint32(insns[pc+1].Imm) == markFunc:
			*ins = isa.Instruction{Opcode: isa.OpLdImm64, Src: isa.PseudoFunc, Dst: insns[pc+1].Dst, Imm: ins.Imm}
			insns[pc+1] = isa.Instruction{}
			pc++
		case ins.Opcode == isa.ClassALU64|isa.ALUMov|isa.SrcK && ins.Dst == 0 && ins.Imm >= markRawLo && ins.Imm <= markRawMax:
			*ins = raws[ins.Imm-markRawLo]
		case ins.Opcode == isa.OpLdImm64:
			pc++
		}
	}
	var ids []uint32
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ids = append(ids, suiteMapIDs[n])
	}
	declared := append([]string(nil), c.maps...)
	sort.Strings(declared)
	if strings.Join(declared, " ") != strings.Join(names, " ") {
		return nil, nil, fmt.Errorf("@maps lists %v, the program references %v", declared, names)
	}
	return insns, ids, nil
}

// linuxPointerFields are the packet pointer fields of the Linux contexts.
func linuxPointerFields(name string) map[int32]FieldKind {
	switch name {
	case "xdp":
		return map[int32]FieldKind{0: FieldPacket, 4: FieldPacketEnd, 8: FieldPacketMeta}
	case "sched_cls", "sched_act", "lwt_in", "lwt_out", "lwt_xmit", "cgroup_skb", "socket_filter":
		return map[int32]FieldKind{76: FieldPacket, 80: FieldPacketEnd, 140: FieldPacketMeta}
	}
	return nil
}

// suiteSections picks the attach point of types whose context rules depend
// on it (the kernel loads them with the matching expected attach type).
var suiteSections = map[string]string{
	"cgroup_sock":      "cgroup/sock_create",
	"cgroup_sock_addr": "cgroup/connect4",
	"cgroup_skb":       "cgroup_skb/ingress",
}

// suiteProgType returns the progtype of a suite type name.
func suiteProgType(name string) (progtype.Type, bool) {
	if sec, ok := suiteSections[name]; ok {
		return progtype.ForSection(sec)
	}
	return progtype.ByName(name)
}

// linuxTypeInfo describes a program type in Linux's context layout (the
// form clang emits, before the loader's rewrite), from progtype.
func linuxTypeInfo(name string) (*TypeInfo, error) {
	pt, ok := suiteProgType(name)
	if !ok {
		return nil, fmt.Errorf("unknown program type %q", name)
	}
	return linuxTypeInfoFor(pt), nil
}

// linuxTypeInfoFor is linuxTypeInfo for a progtype.
func linuxTypeInfoFor(pt progtype.Type) *TypeInfo {
	name := pt.Name()
	ptrs := linuxPointerFields(name)
	ctx := ContextFunc(func(off int32, size int, write bool) (FieldKind, error) {
		if _, _, err := pt.ContextAccess(off, size, write); err != nil {
			return 0, err
		}
		return ptrs[off], nil
	})
	write := map[string]bool{"xdp": true, "sched_cls": true, "sched_act": true, "lwt_xmit": true}
	return &TypeInfo{Name: name, Context: ctx, Helpers: pt.Helpers(), PacketWrite: write[name]}
}

// suiteOptions are the verifier options of a case.
func suiteOptions(c *suiteCase) (Options, error) {
	opts := Options{ProgType: c.typ, Maps: suiteMaps, MemSize: 64, Unprivileged: c.unpriv, MaxProcessed: c.maxProc}
	if c.typ != "xdp" && c.typ != "raw" {
		ti, err := linuxTypeInfo(c.typ)
		if err != nil {
			return opts, err
		}
		opts.Type = ti
	}
	return opts, nil
}
