package service

import (
	"path/filepath"
	"strings"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/internal/state"
)

// checkPath refuses relative pin paths: the service's directory means
// nothing to a client (the Go client makes paths absolute first).
func checkPath(p string) error {
	if p == "" {
		return invalid("empty pin path")
	}
	if strings.ContainsRune(p, 0) {
		return invalid("invalid pin path %q", p)
	}
	if !filepath.IsAbs(p) && !strings.HasPrefix(filepath.ToSlash(p), "/") {
		return invalid("pin path %q is relative; the service needs an absolute path", p)
	}
	return nil
}

// refID resolves an ObjectRef to an object ID of kind. The caller holds s.mu.
func (s *Server) refID(ref *api.ObjectRef, kind string) (uint32, error) {
	switch {
	case ref == nil || (ref.Id == 0 && ref.Pinned == ""):
		return 0, invalid("no %s given (id or pinned path)", kind)
	case ref.Id != 0 && ref.Pinned != "":
		return 0, invalid("both id %d and pinned path %q given", ref.Id, ref.Pinned)
	case ref.Id != 0:
		return ref.Id, nil
	}
	if err := checkPath(ref.Pinned); err != nil {
		return 0, err
	}
	pin, err := s.st.Lookup(ref.Pinned)
	if err != nil {
		return 0, notFound("%s: %v", ref.Pinned, err)
	}
	if pin.Kind != kind {
		return 0, invalid("%s is a pinned %s, not a %s", ref.Pinned, pin.Kind, kind)
	}
	return pin.ID, nil
}

// mapRef resolves an ObjectRef to a live map. The caller holds s.mu.
func (s *Server) mapRef(ref *api.ObjectRef) (*ebpf.Map, *state.MapMeta, error) {
	id, err := s.refID(ref, state.KindMap)
	if err != nil {
		return nil, nil, err
	}
	m, mm, ok := s.st.Map(id)
	if !ok {
		return nil, nil, notFound("map %d: no such map", id)
	}
	return m, mm, nil
}

// progRef resolves an ObjectRef to a live program. The caller holds s.mu.
func (s *Server) progRef(ref *api.ObjectRef) (*ebpf.Program, *state.ProgMeta, error) {
	id, err := s.refID(ref, state.KindProg)
	if err != nil {
		return nil, nil, err
	}
	p, pm, ok := s.st.Program(id)
	if !ok {
		return nil, nil, notFound("program %d: no such program", id)
	}
	return p, pm, nil
}

// commit makes the changes of a call durable before it is acknowledged,
// or undoes them when the call failed. The caller holds s.mu exclusively.
func (s *Server) commit(err error) error {
	if err == nil {
		if err = s.st.Commit(); err == nil {
			return nil
		}
	}
	if rerr := s.st.Rollback(); rerr != nil {
		s.log.Error("rollback failed", "error", rerr)
	}
	return err
}
