package ebpf

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/bpfhost/bpfhost/loader"
	"github.com/bpfhost/bpfhost/maps"
)

// Errors of map operations; they match with errors.Is, as do the maps.Errno
// values (maps.ENOENT, maps.EEXIST...) the operations wrap.
var (
	ErrKeyNotExist error = maps.ENOENT
	ErrKeyExist    error = maps.EEXIST
	ErrClosed            = errors.New("use of closed map or program")
)

// MapUpdateFlags control Map.Update, as BPF_ANY, BPF_NOEXIST, BPF_EXIST.
type MapUpdateFlags uint64

// Update flags.
const (
	UpdateAny     MapUpdateFlags = MapUpdateFlags(maps.UpdateAny)
	UpdateNoExist MapUpdateFlags = MapUpdateFlags(maps.UpdateNoExist)
	UpdateExist   MapUpdateFlags = MapUpdateFlags(maps.UpdateExist)
)

// MapOptions tune NewMapWithOptions.
type MapOptions struct {
	// Path keeps the map's storage in this file instead of anonymous memory.
	Path string
	// ID restores a persisted map: it is registered under this ID and, with
	// Path set, its file is opened with its contents intact rather than
	// created afresh.
	ID uint32
}

// Map is a handle to a live map. The map's memory is released when every
// handle is closed and no program (or outer map) that references it remains:
// maps are reference counted, as kernel maps are.
type Map struct {
	*mapObj
	// closed guards the handle's reference against double Close.
	closed atomic.Bool
}

// mapObj is the map itself, shared by handles and programs.
type mapObj struct {
	m    maps.Map
	spec maps.Spec
	refs atomic.Int32
	// mu keeps the map's memory alive during user-space operations: they
	// hold it for reading, freeing takes it for writing, so an operation
	// racing with the last Close fails with ErrClosed instead of touching
	// freed memory.
	mu    sync.RWMutex
	freed bool
	// inner are maps this map holds references to (map-in-map contents the
	// collection put in), released with it.
	innerMu sync.Mutex
	inner   []*mapObj
}

// wrappers finds the Map handle of a registered map ID, so that programs
// loaded from linked instructions can hold references to the maps they use.
var wrappers sync.Map // uint32 -> *Map

// NewMap creates a map.
func NewMap(spec *MapSpec) (*Map, error) { return NewMapWithOptions(spec, MapOptions{}) }

// NewMapWithOptions creates a map, optionally file-backed or under a chosen ID.
func NewMapWithOptions(spec *MapSpec, opts MapOptions) (*Map, error) {
	if spec == nil {
		return nil, fmt.Errorf("nil map spec")
	}
	s, err := mapSpecOf(spec)
	if err != nil {
		return nil, err
	}
	mo := maps.Options{Path: opts.Path}
	var m maps.Map
	if opts.ID != 0 && opts.Path != "" {
		m, err = maps.Open(s, mo)
	} else {
		m, err = maps.New(s, mo)
	}
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", spec.Name, err)
	}
	var id uint32
	if opts.ID != 0 {
		if err := maps.RegisterWithID(m, opts.ID); err != nil {
			m.Close()
			return nil, fmt.Errorf("map %s: %w", spec.Name, err)
		}
		id = opts.ID
	} else {
		id = maps.Register(m)
	}
	o := &mapObj{m: m, spec: m.Spec()}
	o.refs.Store(1)
	wrappers.Store(id, o)
	return &Map{mapObj: o}, nil
}

// mapSpecOf converts and checks a MapSpec, filling in the sizes cilium/ebpf
// and libbpf leave implicit.
func mapSpecOf(spec *MapSpec) (maps.Spec, error) {
	s := maps.Spec{
		Name: spec.Name, Type: spec.Type, KeySize: spec.KeySize, ValueSize: spec.ValueSize,
		MaxEntries: spec.MaxEntries, Flags: spec.Flags,
	}
	if !loader.KnownMapType(s.Type) {
		return s, fmt.Errorf("map %s: unsupported map type %d", spec.Name, uint32(s.Type))
	}
	switch s.Type {
	case maps.PerfEventArray:
		if s.KeySize == 0 {
			s.KeySize = 4
		}
		if s.ValueSize == 0 {
			s.ValueSize = 4
		}
		if s.MaxEntries == 0 {
			s.MaxEntries = uint32(maps.PossibleCPUs())
		}
	case maps.ArrayOfMaps, maps.HashOfMaps, maps.ProgArray:
		if s.ValueSize == 0 {
			s.ValueSize = 4
		}
	}
	if s.Type == maps.ArrayOfMaps || s.Type == maps.HashOfMaps {
		if spec.InnerMap == nil {
			return s, fmt.Errorf("map %s: %s needs an inner map template", spec.Name, s.Type)
		}
		in, err := mapSpecOf(spec.InnerMap)
		if err != nil {
			return s, fmt.Errorf("map %s: inner map: %w", spec.Name, err)
		}
		s.InnerMap = &in
	}
	return s, nil
}

// acquire takes a reference for a handle, a program or an outer map.
func (m *mapObj) acquire() { m.refs.Add(1) }

// newHandle returns another handle to the same map.
func (m *mapObj) newHandle() *Map {
	m.acquire()
	return &Map{mapObj: m}
}

// release drops a reference; the last one unregisters and frees the map.
func (m *mapObj) release() {
	if m.refs.Add(-1) != 0 {
		return
	}
	m.mu.Lock()
	m.freed = true
	m.mu.Unlock()
	id := m.m.ID()
	wrappers.CompareAndDelete(id, m)
	maps.Unregister(id)
	m.m.Close()
	m.innerMu.Lock()
	inner := m.inner
	m.inner = nil
	m.innerMu.Unlock()
	for _, in := range inner {
		in.release()
	}
}

// holdInner makes m keep in alive (an inner map the collection stored in m).
func (m *mapObj) holdInner(in *mapObj) {
	in.acquire()
	m.innerMu.Lock()
	m.inner = append(m.inner, in)
	m.innerMu.Unlock()
}

// Close drops the caller's reference. The map stays alive while programs
// that use it are loaded.
func (m *Map) Close() error {
	if m == nil || m.mapObj == nil || !m.closed.CompareAndSwap(false, true) {
		return nil
	}
	m.mapObj.release()
	return nil
}

// Internal returns the underlying map implementation.
func (m *Map) Internal() maps.Map { return m.m }

// Type returns the map type.
func (m *Map) Type() maps.Type { return m.spec.Type }

// KeySize returns the key size in bytes.
func (m *Map) KeySize() uint32 { return m.spec.KeySize }

// ValueSize returns the value size in bytes (of one CPU's value for per-CPU maps).
func (m *Map) ValueSize() uint32 { return m.spec.ValueSize }

// MaxEntries returns the capacity.
func (m *Map) MaxEntries() uint32 { return m.spec.MaxEntries }

// Flags returns the creation flags.
func (m *Map) Flags() uint32 { return m.spec.Flags }

// Name returns the map's name.
func (m *Map) Name() string { return m.spec.Name }

// ID returns the map's registry ID.
func (m *Map) ID() uint32 { return m.m.ID() }

func (m *Map) String() string {
	return fmt.Sprintf("%s(%s, id=%d)", m.spec.Type, m.spec.Name, m.ID())
}

func (m *Map) usable() error {
	if m == nil || m.mapObj == nil || m.closed.Load() {
		return ErrClosed
	}
	return nil
}

// enter starts a user-space operation; the map is not freed until exit.
func (m *Map) enter() error {
	if err := m.usable(); err != nil {
		return err
	}
	m.mu.RLock()
	if m.freed {
		m.mu.RUnlock()
		return ErrClosed
	}
	return nil
}

func (m *Map) exit() { m.mu.RUnlock() }

// keyBytes marshals a key; queues and stacks (key size 0) accept nil.
func (m *Map) keyBytes(key any) ([]byte, error) {
	if m.spec.KeySize == 0 && key == nil {
		return nil, nil
	}
	b, err := marshal(key, int(m.spec.KeySize))
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	return b, nil
}

// valueBufSize is the size of a user-space value buffer (all CPUs' values
// for per-CPU maps).
func (m *mapObj) valueBufSize() int {
	if m.spec.Type.PerCPU() {
		return int((m.spec.ValueSize+7)&^7) * maps.PossibleCPUs()
	}
	return int(m.spec.ValueSize)
}

func (m *Map) valueBytes(value any) ([]byte, error) {
	var b []byte
	var err error
	if m.spec.Type.PerCPU() {
		b, err = marshalPerCPU(value, int(m.spec.ValueSize), maps.PossibleCPUs())
	} else {
		b, err = marshal(value, int(m.spec.ValueSize))
	}
	if err != nil {
		return nil, fmt.Errorf("value: %w", err)
	}
	return b, nil
}

func (m *mapObj) decodeValue(b []byte, out any) error {
	var err error
	if m.spec.Type.PerCPU() {
		err = unmarshalPerCPU(b, out, int(m.spec.ValueSize), maps.PossibleCPUs())
	} else {
		err = unmarshal(b, out)
	}
	if err != nil {
		return fmt.Errorf("value: %w", err)
	}
	return nil
}

// Lookup copies the value stored under key into valueOut. Per-CPU maps fill
// a slice with one value per possible CPU.
func (m *Map) Lookup(key, valueOut any) error {
	if err := m.enter(); err != nil {
		return err
	}
	defer m.exit()
	k, err := m.keyBytes(key)
	if err != nil {
		return fmt.Errorf("lookup in %s: %w", m.spec.Name, err)
	}
	buf := make([]byte, m.valueBufSize())
	if err := m.m.Lookup(k, buf); err != nil {
		return fmt.Errorf("lookup in %s: %w", m.spec.Name, err)
	}
	return m.decodeValue(buf, valueOut)
}

// Update stores value under key.
func (m *Map) Update(key, value any, flags MapUpdateFlags) error {
	if err := m.enter(); err != nil {
		return err
	}
	defer m.exit()
	k, err := m.keyBytes(key)
	if err != nil {
		return fmt.Errorf("update of %s: %w", m.spec.Name, err)
	}
	v, err := m.valueBytes(value)
	if err != nil {
		return fmt.Errorf("update of %s: %w", m.spec.Name, err)
	}
	if err := m.update(k, v, uint64(flags)); err != nil {
		return fmt.Errorf("update of %s: %w", m.spec.Name, err)
	}
	return nil
}

// Put is Update with UpdateAny.
func (m *Map) Put(key, value any) error { return m.Update(key, value, UpdateAny) }

// Delete removes key.
func (m *Map) Delete(key any) error {
	if err := m.enter(); err != nil {
		return err
	}
	defer m.exit()
	k, err := m.keyBytes(key)
	if err != nil {
		return fmt.Errorf("delete from %s: %w", m.spec.Name, err)
	}
	if err := m.m.Delete(k); err != nil {
		return fmt.Errorf("delete from %s: %w", m.spec.Name, err)
	}
	return nil
}

// LookupAndDelete copies and removes an element (the next element of a
// queue or stack when key is nil).
func (m *Map) LookupAndDelete(key, valueOut any) error {
	if err := m.enter(); err != nil {
		return err
	}
	defer m.exit()
	k, err := m.keyBytes(key)
	if err != nil {
		return fmt.Errorf("lookup and delete in %s: %w", m.spec.Name, err)
	}
	buf := make([]byte, m.valueBufSize())
	if err := m.m.LookupAndDelete(k, buf); err != nil {
		return fmt.Errorf("lookup and delete in %s: %w", m.spec.Name, err)
	}
	return m.decodeValue(buf, valueOut)
}

// NextKey writes the key following key into nextKeyOut; key nil asks for the
// first key. After the last key it returns an error matching ErrKeyNotExist.
func (m *Map) NextKey(key, nextKeyOut any) error {
	if err := m.enter(); err != nil {
		return err
	}
	defer m.exit()
	var k []byte
	if key != nil {
		var err error
		if k, err = m.keyBytes(key); err != nil {
			return fmt.Errorf("next key in %s: %w", m.spec.Name, err)
		}
	}
	next := make([]byte, m.spec.KeySize)
	if err := m.m.NextKey(k, next); err != nil {
		return fmt.Errorf("next key in %s: %w", m.spec.Name, err)
	}
	if err := unmarshal(next, nextKeyOut); err != nil {
		return fmt.Errorf("next key in %s: key: %w", m.spec.Name, err)
	}
	return nil
}

// Iterate returns an iterator over the map's keys and values.
func (m *Map) Iterate() *MapIterator { return &MapIterator{m: m} }

// MapIterator walks a map with NextKey and Lookup. Elements deleted during
// the walk are skipped; like the kernel's, a walk of a hash map that is
// modified concurrently may see an element twice or not at all.
type MapIterator struct {
	m     *Map
	cur   []byte
	next  []byte
	done  bool
	err   error
	count uint64
}

// Next copies the next key and value into keyOut and valueOut; false at the
// end or on error (see Err).
func (it *MapIterator) Next(keyOut, valueOut any) bool {
	if it.done || it.err != nil {
		return false
	}
	if err := it.m.enter(); err != nil {
		it.err = err
		return false
	}
	defer it.m.exit()
	if it.next == nil {
		it.next = make([]byte, it.m.spec.KeySize)
	}
	buf := make([]byte, it.m.valueBufSize())
	// A bound on skipped (deleted) elements keeps a pathological concurrent
	// writer from making the walk spin forever.
	for skips := 0; skips <= int(it.m.spec.MaxEntries)+1; skips++ {
		if err := it.m.m.NextKey(it.cur, it.next); err != nil {
			if errors.Is(err, maps.ENOENT) {
				it.done = true
			} else {
				it.err = fmt.Errorf("iterating %s: %w", it.m.spec.Name, err)
			}
			return false
		}
		it.cur = append(it.cur[:0], it.next...)
		if err := it.m.m.Lookup(it.cur, buf); err != nil {
			if errors.Is(err, maps.ENOENT) {
				continue
			}
			it.err = fmt.Errorf("iterating %s: %w", it.m.spec.Name, err)
			return false
		}
		if err := unmarshal(it.cur, keyOut); err != nil {
			it.err = fmt.Errorf("iterating %s: key: %w", it.m.spec.Name, err)
			return false
		}
		if err := it.m.decodeValue(buf, valueOut); err != nil {
			it.err = fmt.Errorf("iterating %s: %w", it.m.spec.Name, err)
			return false
		}
		it.count++
		return true
	}
	it.err = fmt.Errorf("iterating %s: too many elements vanished during the walk", it.m.spec.Name)
	return false
}

// Err returns the error that ended the walk, if any.
func (it *MapIterator) Err() error { return it.err }
