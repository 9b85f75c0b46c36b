package ebpf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// fuzzMapBytes bounds the memory a fuzzed object's maps may ask for: a
// mutated max_entries of 2^31 is a legitimate request the maps package would
// try to honour, which would make the fuzzer measure the machine's memory
// rather than the loader's robustness.
const fuzzMapBytes = 16 << 20

// FuzzLoadCollectionSpec feeds malformed objects (the test objects, mutated)
// through LoadCollectionSpecFromReader and NewCollection: every input must
// give an error or a collection, never a panic or a hang.
func FuzzLoadCollectionSpec(f *testing.F) {
	objs, _ := filepath.Glob(objPath("*.o"))
	if len(objs) == 0 {
		f.Fatal("no test objects in ../loader/testdata")
	}
	for _, obj := range objs {
		b, err := os.ReadFile(obj)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		// Hand-made damage the mutator takes a while to find: truncation
		// and a corrupted section header table offset.
		f.Add(b[:len(b)/2])
		if len(b) > 0x30 {
			c := bytes.Clone(b)
			c[0x28] ^= 0x40
			f.Add(c)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := LoadCollectionSpecFromReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, ms := range spec.Maps {
			if mapBytes(ms) > fuzzMapBytes {
				return
			}
		}
		coll, err := NewCollection(spec)
		if err != nil {
			return
		}
		coll.Close()
	})
}

func mapBytes(ms *MapSpec) uint64 {
	if ms == nil {
		return 0
	}
	n := uint64(ms.MaxEntries) * (uint64(ms.KeySize) + uint64(ms.ValueSize) + 64)
	return n + mapBytes(ms.InnerMap)
}
