package maps

import (
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

// TestOpenDamagedFile scribbles over everything after the header of map
// files and checks that Open and every operation afterwards fail cleanly or
// succeed, but never crash: nothing read back from a file is trusted.
func TestOpenDamagedFile(t *testing.T) {
	specs := []Spec{
		{Name: "h", Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 32},
		{Name: "l", Type: LRUHash, KeySize: 4, ValueSize: 8, MaxEntries: 32},
		{Name: "t", Type: LPMTrie, KeySize: 6, ValueSize: 4, MaxEntries: 32, Flags: FlagNoPrealloc},
		{Name: "q", Type: Stack, ValueSize: 4, MaxEntries: 32},
		{Name: "r", Type: RingBuf, MaxEntries: 4096},
		{Name: "p", Type: PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: 2},
		{Name: "pa", Type: ProgArray, KeySize: 4, ValueSize: 4, MaxEntries: 4},
	}
	rng := rand.New(rand.NewSource(7))
	for _, spec := range specs {
		for round := 0; round < 20; round++ {
			path := filepath.Join(t.TempDir(), spec.Name)
			m, err := New(spec, Options{Path: path})
			if err != nil {
				t.Fatal(err)
			}
			m.Close()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// Damage state words and metadata; sometimes only a few bytes.
			for i := hdrState; i < len(data); i++ {
				if round%2 == 0 || rng.Intn(16) == 0 {
					data[i] = byte(rng.Intn(4)) // small values hit "used" states and short lengths
				}
			}
			os.WriteFile(path, data, 0o600)
			m, err = Open(spec, Options{Path: path})
			if err != nil {
				t.Fatalf("%s round %d: Open: %v", spec.Type, round, err)
			}
			exercise(t, m, rng)
			m.Close()
		}
	}
}

// exercise runs a mix of operations whose results are not checked.
func exercise(t *testing.T, m Map, rng *rand.Rand) {
	s := m.Spec()
	key := make([]byte, s.KeySize)
	next := make([]byte, s.KeySize)
	val := make([]byte, m.(interface{ userValueSize() int }).userValueSize())
	for i := 0; i < 200; i++ {
		rng.Read(key)
		if s.Type == LPMTrie {
			key[0] = byte(rng.Intn(20))
			key[1], key[2], key[3] = 0, 0, 0
		}
		switch i % 6 {
		case 0:
			m.Update(key, val, uint64(rng.Intn(3)))
		case 1:
			m.Lookup(key, val)
			m.LookupElem(key, 0)
		case 2:
			m.Delete(key)
		case 3:
			var cur []byte
			for n := 0; n < 100 && m.NextKey(cur, next) == nil; n++ {
				cur = append(cur[:0], next...)
			}
		case 4:
			switch x := m.(type) {
			case RingBufMap:
				x.Output(val, 0)
				x.Read()
			case PerfEventArrayMap:
				x.Output(rng.Intn(2), []byte("sample"))
				x.Read()
			case QueueMap:
				x.Push(val, 2)
				x.Pop(val)
			}
		case 5:
			m.LookupAndDelete(key, val)
		}
	}
	if rb, ok := m.(RingBufMap); ok {
		for n := 0; n < 1000; n++ {
			if _, ok := rb.Read(); !ok {
				break
			}
		}
	}
}
