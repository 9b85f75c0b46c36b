package maps

import (
	"strings"
	"testing"
)

func TestValidateRefusals(t *testing.T) {
	inner := &Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1}
	for _, c := range []struct {
		spec  Spec
		err   Errno
		field string
	}{
		{Spec{Type: 99, KeySize: 4, ValueSize: 4, MaxEntries: 1}, EINVAL, "type"},
		{Spec{Type: Array, KeySize: 8, ValueSize: 4, MaxEntries: 1}, EINVAL, "key_size"},
		{Spec{Type: Array, KeySize: 4, ValueSize: 0, MaxEntries: 1}, EINVAL, "value_size"},
		{Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 0}, EINVAL, "max_entries"},
		{Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc}, EINVAL, "flags"},
		{Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagRdOnlyProg | FlagWrOnlyProg}, EINVAL, "flags"},
		{Spec{Type: PerCPUArray, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagMmapable}, EINVAL, "flags"},
		{Spec{Type: PerCPUArray, KeySize: 4, ValueSize: 40000, MaxEntries: 1}, E2BIG, "value_size"},
		{Spec{Type: Hash, KeySize: 0, ValueSize: 4, MaxEntries: 1}, EINVAL, "key_size"},
		{Spec{Type: Hash, KeySize: 4, ValueSize: 0, MaxEntries: 1}, EINVAL, "value_size"},
		{Spec{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 0}, EINVAL, "max_entries"},
		{Spec{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoCommonLRU}, EINVAL, "flags"},
		{Spec{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagMmapable}, EINVAL, "flags"},
		{Spec{Type: Hash, KeySize: 4 << 20, ValueSize: 4, MaxEntries: 1}, E2BIG, "key_size+value_size"},
		{Spec{Type: LRUHash, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc}, ENOTSUPP, "flags"},
		{Spec{Type: LPMTrie, KeySize: 8, ValueSize: 4, MaxEntries: 1}, EINVAL, "flags"},
		{Spec{Type: LPMTrie, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc}, EINVAL, "key_size"},
		{Spec{Type: LPMTrie, KeySize: 261, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc}, EINVAL, "key_size"},
		{Spec{Type: LPMTrie, KeySize: 8, ValueSize: 0, MaxEntries: 1, Flags: FlagNoPrealloc}, EINVAL, "value_size"},
		{Spec{Type: LPMTrie, KeySize: 8, ValueSize: 4, MaxEntries: 0, Flags: FlagNoPrealloc}, EINVAL, "max_entries"},
		{Spec{Type: Queue, KeySize: 4, ValueSize: 4, MaxEntries: 1}, EINVAL, "key_size"},
		{Spec{Type: Stack, KeySize: 0, ValueSize: 0, MaxEntries: 1}, EINVAL, "value_size"},
		{Spec{Type: Queue, KeySize: 0, ValueSize: 4, MaxEntries: 0}, EINVAL, "max_entries"},
		{Spec{Type: Queue, KeySize: 0, ValueSize: 4, MaxEntries: 1, Flags: FlagNoPrealloc}, EINVAL, "flags"},
		{Spec{Type: RingBuf, KeySize: 4, MaxEntries: 4096}, EINVAL, "key_size"},
		{Spec{Type: RingBuf, ValueSize: 4, MaxEntries: 4096}, EINVAL, "value_size"},
		{Spec{Type: RingBuf, MaxEntries: 4096 * 3}, EINVAL, "max_entries"},
		{Spec{Type: RingBuf, MaxEntries: 2048}, EINVAL, "max_entries"},
		{Spec{Type: RingBuf, MaxEntries: 0}, EINVAL, "max_entries"},
		{Spec{Type: ProgArray, KeySize: 4, ValueSize: 8, MaxEntries: 1}, EINVAL, "value_size"},
		{Spec{Type: PerfEventArray, KeySize: 4, ValueSize: 8, MaxEntries: 1}, EINVAL, "value_size"},
		{Spec{Type: ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 1}, EINVAL, "inner map"},
		{Spec{Type: HashOfMaps, KeySize: 4, ValueSize: 8, MaxEntries: 1, InnerMap: inner}, EINVAL, "value_size"},
		{Spec{Type: HashOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 1, InnerMap: &Spec{Type: ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 1, InnerMap: inner}}, EINVAL, "nest"},
		{Spec{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1, InnerMap: inner}, EINVAL, "inner map"},
	} {
		c.spec.Name = "m"
		_, err := New(c.spec, Options{})
		wantErrno(t, c.spec.Type.String()+" "+c.field, err, c.err)
		if !strings.Contains(err.Error(), c.field) {
			t.Errorf("%v: error %q does not name %q", c.spec, err, c.field)
		}
	}
	// Accepted edge cases.
	for _, s := range []Spec{
		{Type: RingBuf, MaxEntries: 4096},
		{Type: Array, KeySize: 4, ValueSize: 1, MaxEntries: 1, Flags: FlagMmapable},
		{Type: Hash, KeySize: 1, ValueSize: 1, MaxEntries: 1, Flags: FlagNoPrealloc},
		{Type: LRUHash, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagNoCommonLRU},
		{Type: LPMTrie, KeySize: 5, ValueSize: 1, MaxEntries: 1, Flags: FlagNoPrealloc},
		{Type: PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: 1, Flags: FlagPreserveElems},
	} {
		m, err := New(s, Options{})
		if err != nil {
			t.Errorf("%+v refused: %v", s, err)
			continue
		}
		m.Close()
	}
	_, err := New(Spec{Type: Hash, KeySize: 8, ValueSize: 1 << 20, MaxEntries: 1 << 30}, Options{})
	wantErrno(t, "huge hash", err, ENOMEM)
}
