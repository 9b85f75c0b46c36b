package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/internal/state"
	"github.com/bpfhost/bpfhost/maps"
)

// mapInfo describes a map. The caller holds s.mu.
func (s *Server) mapInfo(m *ebpf.Map, mm *state.MapMeta) *api.MapInfo {
	return &api.MapInfo{Id: mm.ID, Type: mm.Spec.Type, TypeName: maps.Type(mm.Spec.Type).String(), Name: mm.Spec.Name,
		KeySize: mm.Spec.KeySize, ValueSize: mm.Spec.ValueSize, MaxEntries: mm.Spec.MaxEntries, Flags: mm.Spec.Flags,
		Frozen: mm.Frozen, Pinned: s.st.PinsOf(state.KindMap, mm.ID), BtfId: mm.BTFID}
}

// MapList describes every map, by increasing ID.
func (s *Server) MapList(ctx context.Context, _ *api.MapListRequest) (*api.MapListReply, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := &api.MapListReply{}
	for _, id := range s.st.SortedMapIDs() {
		m, mm, _ := s.st.Map(id)
		out.Maps = append(out.Maps, s.mapInfo(m, mm))
	}
	return out, nil
}

// MapShow describes one map.
func (s *Server) MapShow(ctx context.Context, ref *api.ObjectRef) (*api.MapInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, mm, err := s.mapRef(ref)
	if err != nil {
		return nil, err
	}
	return s.mapInfo(m, mm), nil
}

// valueSize is the size of a user-space value: all CPUs' values, each
// rounded up to 8 bytes, for per-CPU maps (as bpf()).
func valueSize(m *ebpf.Map) int {
	if m.Type().PerCPU() {
		return int((m.ValueSize()+7)&^7) * maps.PossibleCPUs()
	}
	return int(m.ValueSize())
}

// checkKey refuses a key of the wrong size with the map's numbers.
func checkKey(m *ebpf.Map, key []byte, what string) error {
	if len(key) != int(m.KeySize()) {
		return invalid("%s of map %d (%s): key is %d bytes, the map's keys are %d", what, m.ID(), m.Name(), len(key), m.KeySize())
	}
	return nil
}

// MapLookup returns the value under key (queues and stacks: the head, as peek).
func (s *Server) MapLookup(ctx context.Context, req *api.MapElemRequest) (*api.MapElemReply, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, _, err := s.mapRef(req.GetMap())
	if err != nil {
		return nil, err
	}
	if err := checkKey(m, req.Key, "lookup"); err != nil {
		return nil, err
	}
	v := make([]byte, valueSize(m))
	var key []byte
	if len(req.Key) > 0 {
		key = req.Key
	}
	if err := m.Internal().Lookup(key, v); err != nil {
		return nil, toStatus(err)
	}
	return &api.MapElemReply{Value: v}, nil
}

// MapUpdate stores value under key. The store lands in the map's shared
// file mapping before the reply, so it survives a kill of the service.
func (s *Server) MapUpdate(ctx context.Context, req *api.MapElemRequest) (*api.MapElemReply, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, mm, err := s.mapRef(req.GetMap())
	if err != nil {
		return nil, err
	}
	if mm.Frozen {
		return nil, toStatus(maps.EPERM)
	}
	if err := checkKey(m, req.Key, "update"); err != nil {
		return nil, err
	}
	if len(req.Value) != valueSize(m) {
		return nil, invalid("update of map %d (%s): value is %d bytes, the map takes %d", m.ID(), m.Name(), len(req.Value), valueSize(m))
	}
	if req.Flags > 2 {
		return nil, invalid("update of map %d: unknown flags %#x", m.ID(), req.Flags)
	}
	var key []byte
	if len(req.Key) > 0 {
		key = req.Key
	}
	if err := m.Internal().Update(key, req.Value, req.Flags); err != nil {
		return nil, toStatus(err)
	}
	return &api.MapElemReply{}, nil
}

// MapDelete removes key.
func (s *Server) MapDelete(ctx context.Context, req *api.MapElemRequest) (*api.MapElemReply, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, mm, err := s.mapRef(req.GetMap())
	if err != nil {
		return nil, err
	}
	if mm.Frozen {
		return nil, toStatus(maps.EPERM)
	}
	if err := checkKey(m, req.Key, "delete"); err != nil {
		return nil, err
	}
	if err := m.Internal().Delete(req.Key); err != nil {
		return nil, toStatus(err)
	}
	return &api.MapElemReply{}, nil
}

// MapNextKey returns the key after req.Key (none: the first key).
func (s *Server) MapNextKey(ctx context.Context, req *api.MapElemRequest) (*api.MapElemReply, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, _, err := s.mapRef(req.GetMap())
	if err != nil {
		return nil, err
	}
	var key []byte
	if len(req.Key) > 0 {
		if err := checkKey(m, req.Key, "next key"); err != nil {
			return nil, err
		}
		key = req.Key
	}
	next := make([]byte, m.KeySize())
	if err := m.Internal().NextKey(key, next); err != nil {
		return nil, toStatus(err)
	}
	return &api.MapElemReply{NextKey: next}, nil
}

// maxDump bounds a dump reply (gRPC messages are bounded too).
const maxDump = 32 << 20

// MapDump returns every element, in the map's iteration order.
func (s *Server) MapDump(ctx context.Context, ref *api.ObjectRef) (*api.MapDumpReply, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, _, err := s.mapRef(ref)
	if err != nil {
		return nil, err
	}
	if m.KeySize() == 0 {
		return nil, invalid("map %d (%s) is a %s: it has no keys to dump", m.ID(), m.Name(), m.Type())
	}
	out := &api.MapDumpReply{}
	var key []byte
	size := 0
	for {
		next := make([]byte, m.KeySize())
		if err := m.Internal().NextKey(key, next); err != nil {
			if err == maps.ENOENT || maps.ErrnoOf(err) == maps.ENOENT {
				return out, nil
			}
			return nil, toStatus(err)
		}
		v := make([]byte, valueSize(m))
		if err := m.Internal().Lookup(next, v); err != nil {
			if maps.ErrnoOf(err) != maps.ENOENT { // deleted meanwhile
				return nil, toStatus(err)
			}
		} else {
			out.Entries = append(out.Entries, &api.MapEntry{Key: next, Value: v})
			size += len(next) + len(v)
		}
		if size > maxDump {
			return nil, toStatus(maps.E2BIG)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		key = next
	}
}

// specOf checks and converts a MapCreateRequest.
func specOf(req *api.MapCreateRequest, depth int) (*ebpf.MapSpec, error) {
	if req == nil {
		return nil, nil
	}
	if depth > 1 {
		return nil, invalid("map-in-map nested too deep")
	}
	if len(req.Name) > 15 {
		return nil, invalid("map name %q is longer than 15 bytes", req.Name)
	}
	inner, err := specOf(req.Inner, depth+1)
	if err != nil {
		return nil, err
	}
	return &ebpf.MapSpec{Name: req.Name, Type: maps.Type(req.Type), KeySize: req.KeySize, ValueSize: req.ValueSize,
		MaxEntries: req.MaxEntries, Flags: req.Flags, InnerMap: inner}, nil
}

// MapCreate creates a map and pins it; the pin is what keeps it alive.
func (s *Server) MapCreate(ctx context.Context, req *api.MapCreateRequest) (*api.MapInfo, error) {
	if err := checkPath(req.Pin); err != nil {
		return nil, err
	}
	spec, err := specOf(req, 0)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, mm, err := s.st.CreateMap(spec, 0, "")
	if err != nil && !errors.As(err, new(maps.Errno)) {
		// A spec the maps package refuses: the request is at fault.
		err = fmt.Errorf("%w: %v", maps.EINVAL, err)
	}
	if err == nil {
		err = s.st.Pin(req.Pin, state.KindMap, m.ID())
	}
	if err = s.commit(err); err != nil {
		return nil, toStatus(err)
	}
	return s.mapInfo(m, mm), nil
}

// Pin pins an object at a further path.
func (s *Server) Pin(ctx context.Context, req *api.PinRequest) (*api.PinReply, error) {
	if req.Kind != state.KindMap && req.Kind != state.KindProg && req.Kind != state.KindLink {
		return nil, invalid("kind %q: want %q, %q or %q", req.Kind, state.KindMap, state.KindProg, state.KindLink)
	}
	if err := checkPath(req.Path); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.refID(req.Object, req.Kind)
	if err != nil {
		return nil, err
	}
	if req.Kind == state.KindMap {
		_, _, ok := s.st.Map(id)
		if !ok {
			return nil, notFound("map %d: no such map", id)
		}
	} else if req.Kind == state.KindLink {
		if _, _, ok := s.st.Link(id); !ok {
			return nil, notFound("link %d: no such link", id)
		}
	} else if _, _, ok := s.st.Program(id); !ok {
		return nil, notFound("program %d: no such program", id)
	}
	if err := s.commit(s.st.Pin(req.Path, req.Kind, id)); err != nil {
		return nil, toStatus(err)
	}
	return &api.PinReply{}, nil
}

// Unpin removes a pin (recursive: and every pin below it); objects no pin
// reaches any more are destroyed.
func (s *Server) Unpin(ctx context.Context, req *api.UnpinRequest) (*api.PinReply, error) {
	if err := checkPath(req.Path); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 1
	var err error
	if req.Recursive {
		n, err = s.st.UnpinTree(req.Path)
		if err == nil && n == 0 {
			err = state.ErrPinNotFound
		}
	} else {
		err = s.st.Unpin(req.Path)
	}
	if err := s.commit(err); err != nil {
		return nil, toStatus(err)
	}
	return &api.PinReply{Removed: uint32(n)}, nil
}
