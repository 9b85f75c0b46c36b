package ebpf

import (
	"encoding/binary"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
)

// XDP return codes.
const (
	xdpAborted = 0
	xdpDrop    = 1
	xdpPass    = 2
	xdpTX      = 3
)

func objPath(name string) string { return filepath.Join("..", "loader", "testdata", name) }

func loadColl(t *testing.T, obj string, edit func(*CollectionSpec)) *Collection {
	t.Helper()
	spec, err := LoadCollectionSpec(objPath(obj))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(spec)
	}
	coll, err := NewCollection(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(coll.Close)
	return coll
}

func run(t *testing.T, p *Program, data []byte) uint32 {
	t.Helper()
	if p == nil {
		t.Fatal("missing program")
	}
	ret, err := p.Run(&RunOptions{Data: data})
	if err != nil {
		t.Fatalf("%s: %v", p.Name(), err)
	}
	return ret
}

func packet(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i + 1)
	}
	return b
}

func TestBTFMaps(t *testing.T) {
	coll := loadColl(t, "btfmaps.o", nil)
	p := coll.Programs["count"]
	if p.Type() != "xdp" {
		t.Fatalf("type %q, want xdp", p.Type())
	}
	if got := run(t, p, packet(64)); got != xdpPass {
		t.Fatalf("returned %d, want XDP_PASS", got)
	}
	if _, err := p.Run(&RunOptions{Data: packet(40), Repeat: 3}); err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := coll.Maps["counters"].Lookup(uint32(1), &n); err != nil || n != 4 {
		t.Fatalf("counters[1] = %d, %v; want 4", n, err)
	}
	var l uint32
	if err := coll.Maps["lengths"].Lookup(uint32(7), &l); err != nil || l != 40 {
		t.Fatalf("lengths[7] = %d, %v; want 40", l, err)
	}
	if m := coll.Maps["lengths"]; m.Type() != maps.Hash || m.KeySize() != 4 || m.ValueSize() != 4 || m.MaxEntries() != 16 {
		t.Fatalf("lengths map is %v %d/%d/%d", m.Type(), m.KeySize(), m.ValueSize(), m.MaxEntries())
	}
}

func TestLegacyMaps(t *testing.T) {
	coll := loadColl(t, "legacy.o", nil)
	p := coll.Programs["legacy"]
	for i := 0; i < 2; i++ {
		if got := run(t, p, packet(20)); got != xdpDrop {
			t.Fatalf("returned %d, want XDP_DROP", got)
		}
	}
	var v uint32
	if err := coll.Maps["legacy_array"].Lookup(uint32(0), &v); err != nil || v != 80 {
		t.Fatalf("legacy_array[0] = %d, %v; want 80", v, err)
	}
}

func TestGlobalData(t *testing.T) {
	coll := loadColl(t, "globals.o", func(spec *CollectionSpec) {
		if err := spec.Variables["cfg_ret"].Set(uint32(7)); err != nil {
			t.Fatal(err)
		}
		if err := spec.Variables["cfg_add"].Set(uint64(100)); err != nil {
			t.Fatal(err)
		}
		if err := spec.Variables["cfg_add"].Set(uint32(1)); err == nil {
			t.Fatal("setting an 8-byte variable to 4 bytes succeeded")
		}
		if !spec.Variables["cfg_ret"].Constant() || spec.Variables["dval"].Constant() {
			t.Fatal("Constant() wrong")
		}
	})
	p := coll.Programs["globals"]
	for i := 0; i < 2; i++ {
		if got := run(t, p, packet(14)); got != 7 {
			t.Fatalf("returned %d, want cfg_ret 7", got)
		}
	}
	section := func(name string) []byte {
		m := coll.Maps[name]
		if m == nil {
			t.Fatalf("no map for section %s", name)
		}
		b := make([]byte, m.ValueSize())
		if err := m.Lookup(uint32(0), b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	// Run 1: bcount = 5 + 100, dval = 6, custom = 6; run 2: bcount += 6 + 100.
	if got := binary.NativeEndian.Uint64(section(".bss")); got != 211 {
		t.Errorf("bcount = %d, want 211", got)
	}
	if got := binary.NativeEndian.Uint64(section(".data")); got != 7 {
		t.Errorf("dval = %d, want 7", got)
	}
	if got := binary.NativeEndian.Uint32(section(".data.custom")); got != 12 {
		t.Errorf("custom = %d, want 12", got)
	}
	if got := section(".rodata"); binary.NativeEndian.Uint32(got) != 7 || binary.NativeEndian.Uint64(got[8:]) != 100 {
		t.Errorf(".rodata = %x, want cfg_ret 7, cfg_add 100", got)
	}
}

func TestBPFToBPFCalls(t *testing.T) {
	coll := loadColl(t, "calls.o", nil)
	if got := run(t, coll.Programs["calls"], packet(20)); got != 45 {
		t.Fatalf("calls returned %d, want 2*20+5", got)
	}
	if got := run(t, coll.Programs["looper"], packet(14)); got != 10 {
		t.Fatalf("looper returned %d, want 0+1+2+3+4", got)
	}
}

func TestSeveralPrograms(t *testing.T) {
	coll := loadColl(t, "multi.o", nil)
	want := map[string]uint32{"prog_pass": xdpPass, "prog_drop": xdpDrop, "prog_tx": xdpTX}
	if len(coll.Programs) != len(want) {
		t.Fatalf("%d programs, want %d", len(coll.Programs), len(want))
	}
	ids := map[uint32]bool{}
	for name, ret := range want {
		p := coll.Programs[name]
		if got := run(t, p, packet(14)); got != ret {
			t.Errorf("%s returned %d, want %d", name, got, ret)
		}
		if p.ID() == 0 || ids[p.ID()] {
			t.Errorf("%s has ID %d (duplicate or zero)", name, p.ID())
		}
		ids[p.ID()] = true
	}
}

func TestMapInMap(t *testing.T) {
	coll := loadColl(t, "mapinmap.o", nil)
	p := coll.Programs["mim"]
	for want := uint32(1); want <= 2; want++ {
		if got := run(t, p, packet(14)); got != want {
			t.Fatalf("run %d returned %d", want, got)
		}
	}
	var id uint32
	if err := coll.Maps["outer"].Lookup(uint32(0), &id); err != nil || id != coll.Maps["inner_a"].ID() {
		t.Fatalf("outer[0] = %d, %v; want inner_a's ID %d", id, err, coll.Maps["inner_a"].ID())
	}
	var v uint32
	if err := coll.Maps["inner_a"].Lookup(uint32(0), &v); err != nil || v != 2 {
		t.Fatalf("inner_a[0] = %d, %v; want 2", v, err)
	}
}

func TestXDPContextFields(t *testing.T) {
	coll := loadColl(t, "xdpctx.o", nil)
	p := coll.Programs["xdpctx"]
	seen := coll.Maps["seen"]
	check := func(what []uint64) {
		t.Helper()
		for i, want := range what {
			var got uint64
			if err := seen.Lookup(uint32(i), &got); err != nil || got != want {
				t.Errorf("seen[%d] = %d, %v; want %d", i, got, err, want)
			}
		}
	}
	data := packet(20)
	data[0] = 0xab
	if got := run(t, p, data); got != 0xab {
		t.Fatalf("returned %#x, want the first packet byte 0xab", got)
	}
	// data_end - data, data - data_meta, ingress_ifindex (loopback), rx queue.
	check([]uint64{20, 0, 1, 0})

	// With a ctx_in: 8 bytes of metadata, ingress_ifindex 5, rx queue 3.
	md := make([]byte, 24)
	binary.NativeEndian.PutUint32(md[0:], 8)
	binary.NativeEndian.PutUint32(md[4:], 20)
	binary.NativeEndian.PutUint32(md[12:], 5)
	binary.NativeEndian.PutUint32(md[16:], 3)
	opts := RunOptions{Data: data, Context: md, ContextOut: make([]byte, 24)}
	ret, err := p.Run(&opts)
	if err != nil {
		t.Fatal(err)
	}
	if ret != uint32(data[8]) {
		t.Fatalf("returned %#x, want the first byte after the metadata %#x", ret, data[8])
	}
	check([]uint64{12, 8, 5, 3})
	if string(opts.ContextOut) != string(md) {
		t.Errorf("ContextOut = %x, want %x", opts.ContextOut, md)
	}
}

func TestRunDataOut(t *testing.T) {
	coll := loadColl(t, "multi.o", nil)
	p := coll.Programs["prog_pass"]
	in := packet(30)
	opts := RunOptions{Data: in, DataOut: make([]byte, 64), Repeat: 5}
	if _, err := p.Run(&opts); err != nil {
		t.Fatal(err)
	}
	if string(opts.DataOut) != string(in) {
		t.Fatalf("DataOut = %x, want %x", opts.DataOut, in)
	}
	if opts.Duration <= 0 {
		t.Errorf("Duration = %v", opts.Duration)
	}
	small := RunOptions{Data: in, DataOut: make([]byte, 10)}
	_, err := p.Run(&small)
	if !errors.Is(err, maps.ENOSPC) {
		t.Fatalf("small DataOut: err %v, want ENOSPC", err)
	}
	if len(small.DataOut) != 10 || string(small.DataOut) != string(in[:10]) {
		t.Fatalf("small DataOut = %x", small.DataOut)
	}
	ret, d, err := p.Benchmark(in, 100, nil)
	if err != nil || ret != xdpPass || d <= 0 {
		t.Fatalf("Benchmark = %d, %v, %v", ret, d, err)
	}
}

func TestXlatedRoundTrip(t *testing.T) {
	coll := loadColl(t, "btfmaps.o", nil)
	orig := coll.Programs["count"]
	// The linked form names maps by ID in ld_imm64 pseudo map fd slots.
	refs := map[int32]int{}
	for _, ins := range orig.Xlated() {
		if ins.IsLdImm64() && ins.Src == isa.PseudoMapFD {
			refs[ins.Imm]++
		}
	}
	if refs[int32(coll.Maps["counters"].ID())] != 1 || refs[int32(coll.Maps["lengths"].ID())] != 1 || len(refs) != 2 {
		t.Fatalf("xlated map references %v, want counters %d and lengths %d once each", refs, coll.Maps["counters"].ID(), coll.Maps["lengths"].ID())
	}
	p, err := NewProgramFromXlated("count2", orig.Type(), orig.Xlated(), ProgramOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if got := run(t, p, packet(33)); got != xdpPass {
		t.Fatalf("returned %d", got)
	}
	var l uint32
	if err := coll.Maps["lengths"].Lookup(uint32(7), &l); err != nil || l != 33 {
		t.Fatalf("lengths[7] = %d, %v; want 33 (written by the reloaded program)", l, err)
	}
}

func TestEngineSelection(t *testing.T) {
	spec, err := LoadCollectionSpec(objPath("multi.o"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"interpreter", "jit", "auto"} {
		coll, err := NewCollectionWithOptions(spec, CollectionOptions{Engine: e})
		if err != nil {
			t.Fatalf("engine %s: %v", e, err)
		}
		coll.Close()
	}
	if _, err := NewCollectionWithOptions(spec, CollectionOptions{Engine: "quantum"}); err == nil {
		t.Fatal("unknown engine accepted")
	}
	t.Setenv(EngineEnv, "bogus")
	if _, err := NewCollection(spec); err == nil {
		t.Fatal("unknown engine in the environment accepted")
	}
	t.Setenv(EngineEnv, "interpreter")
	coll, err := NewCollection(spec)
	if err != nil {
		t.Fatal(err)
	}
	coll.Close()
}

func TestMapReferenceCounting(t *testing.T) {
	spec, err := LoadCollectionSpec(objPath("btfmaps.o"))
	if err != nil {
		t.Fatal(err)
	}
	coll, err := NewCollection(spec)
	if err != nil {
		t.Fatal(err)
	}
	prog := coll.Programs["count"]
	id := coll.Maps["counters"].ID()
	// Keep the program, close everything else: the maps must survive.
	delete(coll.Programs, "count")
	coll.Close()
	if maps.ByID(id) == nil {
		t.Fatal("map freed while a program uses it")
	}
	if got := run(t, prog, packet(14)); got != xdpPass {
		t.Fatalf("returned %d", got)
	}
	prog.Close()
	if maps.ByID(id) != nil {
		t.Fatal("map still registered after its last user closed")
	}
}

func TestMapReplacement(t *testing.T) {
	spec, err := LoadCollectionSpec(objPath("btfmaps.o"))
	if err != nil {
		t.Fatal(err)
	}
	counters, err := NewMap(spec.Maps["counters"])
	if err != nil {
		t.Fatal(err)
	}
	defer counters.Close()
	coll, err := NewCollectionWithOptions(spec, CollectionOptions{MapReplacements: map[string]*Map{"counters": counters}})
	if err != nil {
		t.Fatal(err)
	}
	run(t, coll.Programs["count"], packet(14))
	coll.Close()

	wrong, err := NewMap(&MapSpec{Name: "w", Type: maps.Array, KeySize: 4, ValueSize: 4, MaxEntries: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer wrong.Close()
	_, err = NewCollectionWithOptions(spec, CollectionOptions{MapReplacements: map[string]*Map{"counters": wrong}})
	if err == nil || !strings.Contains(err.Error(), "map counters replacement: value size 4, want 8") {
		t.Fatalf("incompatible replacement: %v", err)
	}
	var n uint64
	if err := counters.Lookup(uint32(1), &n); err != nil || n != 1 {
		t.Fatalf("replacement counters[1] = %d, %v; want 1 and the map still open", n, err)
	}
}

func TestProgArrayContents(t *testing.T) {
	coll := loadColl(t, "tailcall.o", nil)
	entry, target := coll.Programs["tc_entry"], coll.Programs["tc_target"]
	var id uint32
	if err := coll.Maps["jmp_table"].Lookup(uint32(1), &id); err != nil || id != target.ID() {
		t.Fatalf("jmp_table[1] = %d, %v; want tc_target's ID %d", id, err, target.ID())
	}
	if got := run(t, entry, packet(14)); got != 42 {
		t.Fatalf("tail call returned %d, want 42", got)
	}
	if err := coll.Maps["jmp_table"].Delete(uint32(1)); err != nil {
		t.Fatal(err)
	}
	if got := run(t, entry, packet(14)); got != 7 {
		t.Fatalf("empty slot returned %d, want 7", got)
	}
}

func TestLoadErrorsNameObjectAndSection(t *testing.T) {
	spec, err := LoadCollectionSpec(objPath("core.o"))
	if err != nil {
		t.Fatalf("the spec of an object with a CO-RE program must load: %v", err)
	}
	_, err = NewCollection(spec)
	if err == nil || !strings.Contains(err.Error(), "object core.o: section xdp: program core:") || !strings.Contains(err.Error(), "CO-RE") {
		t.Fatalf("error %v does not name object, section, program and reason", err)
	}

	spec, err = LoadCollectionSpec(objPath("btfmaps.o"))
	if err != nil {
		t.Fatal(err)
	}
	spec.Maps["lengths"].Type = maps.Type(99)
	_, err = NewCollection(spec)
	if err == nil || !strings.Contains(err.Error(), "object btfmaps.o: map lengths: unsupported map type 99") {
		t.Fatalf("unknown map type: %v", err)
	}

	spec, err = LoadCollectionSpec(objPath("multi.o"))
	if err != nil {
		t.Fatal(err)
	}
	spec.Programs["prog_tx"].SectionName = "kprobe/foo"
	spec.Programs["prog_tx"].Type = ""
	_, err = NewCollection(spec)
	if err == nil || !strings.Contains(err.Error(), `program prog_tx: unsupported program type for section "kprobe/foo"`) {
		t.Fatalf("unknown section: %v", err)
	}

	if _, err := LoadCollectionSpecFromReader(strings.NewReader("\x7fELF garbage")); err == nil {
		t.Fatal("garbage accepted")
	}
}

func TestConcurrentRuns(t *testing.T) {
	coll := loadColl(t, "btfmaps.o", nil)
	p := coll.Programs["count"]
	const workers, runs = 8, 200
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func() {
			var err error
			for i := 0; i < runs && err == nil; i++ {
				_, err = p.Run(&RunOptions{Data: packet(14 + i%50)})
			}
			errs <- err
		}()
	}
	var seen uint64
	for w := 0; w < workers; w++ {
		// User-space reads race with the programs' atomic adds, as in the kernel.
		_ = coll.Maps["counters"].Lookup(uint32(1), &seen)
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var n uint64
	if err := coll.Maps["counters"].Lookup(uint32(1), &n); err != nil || n != workers*runs {
		t.Fatalf("counters[1] = %d, %v; want %d", n, err, workers*runs)
	}
}

func TestRunDoesNotAllocate(t *testing.T) {
	coll := loadColl(t, "btfmaps.o", nil)
	p := coll.Programs["count"]
	opts := RunOptions{Data: packet(64), DataOut: make([]byte, 128)}
	if _, err := p.Run(&opts); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		opts.DataOut = opts.DataOut[:cap(opts.DataOut)]
		if _, err := p.Run(&opts); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per Run", allocs)
	}
}

func TestCustomDataSections(t *testing.T) {
	coll := loadColl(t, "rodata.o", nil)
	p := coll.Programs["rodata"]
	if got := run(t, p, packet(14)); got != 'e'+'o' {
		t.Fatalf("returned %d, want %d", got, 'e'+'o')
	}
	coll2 := loadColl(t, "rodata.o", func(spec *CollectionSpec) {
		if err := spec.Variables["greet"].Set([]byte("HELLO\x00\x00\x00")); err != nil {
			t.Fatal(err)
		}
	})
	p2 := coll2.Programs["rodata"]
	run(t, p2, packet(14))
	if got := run(t, p2, packet(14)); got != 'E'+'O' {
		t.Fatalf("after Set: returned %d, want %d", got, 'E'+'O')
	}
	var n uint32
	if err := coll2.Maps[".data.counters"].Lookup(uint32(0), &n); err != nil || n != 2 {
		t.Fatalf("counter = %d, %v; want 2", n, err)
	}
	if ms := coll.Maps[".rodata.greet"]; ms == nil || ms.Flags()&maps.FlagRdOnlyProg == 0 {
		t.Fatalf(".rodata.greet map %v is not read-only for programs", ms)
	}
}
