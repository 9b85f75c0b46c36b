package ebpf

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/bpfhost/bpfhost/internal/kernel"
	"github.com/bpfhost/bpfhost/maps"
)

// TestAgainstKernel loads every test object into the running kernel (through
// cilium/ebpf) and into bpfhost, runs each program three times on the same
// frame and compares return values, output frames and the final contents of
// every map.
func TestAgainstKernel(t *testing.T) {
	if err := kernel.Available(); err != nil {
		t.Skip(err)
	}
	vars := map[string]any{"cfg_ret": uint32(9), "cfg_add": uint64(1000)}
	for _, obj := range []string{"btfmaps.o", "legacy.o", "globals.o", "calls.o", "multi.o", "mapinmap.o", "xdpctx.o", "tailcall.o", "rodata.o"} {
		t.Run(obj, func(t *testing.T) {
			spec, err := LoadCollectionSpec(objPath(obj))
			if err != nil {
				t.Fatal(err)
			}
			kvars := map[string]any{}
			for name, v := range vars {
				if vs := spec.Variables[name]; vs != nil {
					if err := vs.Set(v); err != nil {
						t.Fatal(err)
					}
					kvars[name] = v
				}
			}
			kc, err := kernel.Load(objPath(obj), kvars)
			if err != nil {
				t.Fatal(err)
			}
			defer kc.Close()
			coll, err := NewCollection(spec)
			if err != nil {
				t.Fatal(err)
			}
			defer coll.Close()

			frame := packet(60)
			for _, name := range sortedKeys(coll.Programs) {
				for i := 0; i < 3; i++ {
					kret, kout, err := kc.Run(name, frame, nil)
					if err != nil {
						t.Fatal(err)
					}
					opts := RunOptions{Data: frame, DataOut: make([]byte, len(frame)+4096)}
					ret, err := coll.Programs[name].Run(&opts)
					if err != nil {
						t.Fatal(err)
					}
					if ret != kret || !bytes.Equal(opts.DataOut, kout) {
						t.Fatalf("%s run %d: bpfhost %d (%d bytes out), kernel %d (%d bytes out)", name, i, ret, len(opts.DataOut), kret, len(kout))
					}
				}
			}
			for _, name := range sortedKeys(coll.Maps) {
				m := coll.Maps[name]
				if m.Type() == maps.ArrayOfMaps || m.Type() == maps.HashOfMaps || m.Type() == maps.ProgArray {
					continue // values are IDs, which differ
				}
				want, err := kc.Dump(name)
				if err != nil {
					t.Fatal(err)
				}
				got := dumpMap(t, m)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("map %s: bpfhost %x, kernel %x", name, got, want)
				}
			}
		})
	}
}

func dumpMap(t *testing.T, m *Map) []kernel.Entry {
	t.Helper()
	var es []kernel.Entry
	var k, v []byte
	it := m.Iterate()
	for it.Next(&k, &v) {
		es = append(es, kernel.Entry{Key: bytes.Clone(k), Value: bytes.Clone(v)})
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	kernel.SortEntries(es)
	return es
}
