package kernel

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"
)

// Entry is one element of a canonical map dump (see the package comment).
// Key is nil for queues, stacks and ring buffers.
type Entry struct {
	Key, Value []byte
}

// SortEntries orders keyed entries by key bytes, the canonical order.
func SortEntries(es []Entry) {
	sort.Slice(es, func(i, j int) bool { return bytes.Compare(es[i].Key, es[j].Key) < 0 })
}

// SumPerCPU adds up per-CPU values lane by lane as little-endian u64s. vals
// holds one value per CPU, each valueSize bytes.
func SumPerCPU(vals [][]byte, valueSize int) ([]byte, error) {
	if valueSize%8 != 0 {
		return nil, fmt.Errorf("per-CPU value size %d is not a multiple of 8: cannot sum", valueSize)
	}
	sum := make([]byte, valueSize)
	for _, v := range vals {
		for off := 0; off < valueSize; off += 8 {
			s := binary.LittleEndian.Uint64(sum[off:]) + binary.LittleEndian.Uint64(v[off:])
			binary.LittleEndian.PutUint64(sum[off:], s)
		}
	}
	return sum, nil
}

// Dump returns the canonical dump of map m.
func (c *Collection) Dump(m string) ([]Entry, error) {
	mp, err := c.m(m)
	if err != nil {
		return nil, err
	}
	var es []Entry
	if rd := c.perf[m]; rd != nil {
		es, err = rd.drain()
	} else {
		es, err = dump(mp)
	}
	if err != nil {
		return nil, fmt.Errorf("kernel: dumping %s: %w", m, err)
	}
	return es, nil
}

func dump(mp *ebpf.Map) ([]Entry, error) {
	switch mp.Type() {
	case ebpf.Queue, ebpf.Stack:
		var es []Entry
		for {
			v := make([]byte, mp.ValueSize())
			if err := mp.LookupAndDelete(nil, &v); err != nil {
				if errors.Is(err, ebpf.ErrKeyNotExist) {
					return es, nil
				}
				return nil, err
			}
			es = append(es, Entry{Value: v})
		}
	case ebpf.RingBuf:
		rd, err := ringbuf.NewReader(mp)
		if err != nil {
			return nil, err
		}
		defer rd.Close()
		rd.SetDeadline(time.Now())
		var es []Entry
		for {
			rec, err := rd.Read()
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return es, nil
			}
			if err != nil {
				return nil, err
			}
			es = append(es, Entry{Value: rec.RawSample})
		}
	case ebpf.ProgramArray, ebpf.ArrayOfMaps, ebpf.HashOfMaps:
		return nil, fmt.Errorf("%s maps hold kernel object references: not dumpable", mp.Type())
	}
	var es []Entry
	it := mp.Iterate()
	key := make([]byte, mp.KeySize())
	if isPerCPU(mp.Type()) {
		var vals [][]byte
		for it.Next(&key, &vals) {
			sum, err := SumPerCPU(vals, int(mp.ValueSize()))
			if err != nil {
				return nil, err
			}
			es = append(es, Entry{Key: bytes.Clone(key), Value: sum})
		}
	} else {
		var val []byte
		for it.Next(&key, &val) {
			es = append(es, Entry{Key: bytes.Clone(key), Value: bytes.Clone(val)})
		}
	}
	if err := it.Err(); err != nil {
		return nil, err
	}
	SortEntries(es)
	return es, nil
}

// MapNames lists the collection's maps that Dump accepts, sorted.
func (c *Collection) MapNames() []string {
	var names []string
	for name, m := range c.coll.Maps {
		switch m.Type() {
		case ebpf.ProgramArray, ebpf.ArrayOfMaps, ebpf.HashOfMaps:
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// SortValues orders unkeyed entries by value bytes (perf samples).
func SortValues(es []Entry) {
	sort.Slice(es, func(i, j int) bool { return bytes.Compare(es[i].Value, es[j].Value) < 0 })
}
