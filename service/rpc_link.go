package service

import (
	"context"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/ebpf/link"
	"github.com/bpfhost/bpfhost/internal/state"
)

// linkInfo describes a link. The caller holds s.mu.
func (s *Server) linkInfo(lm *state.LinkMeta) *api.LinkInfo {
	return &api.LinkInfo{Id: lm.ID, Type: lm.Type, ProgId: lm.ProgID, AttachType: lm.AttachType,
		Ifindex: lm.Ifindex, Cgroup: lm.Cgroup, CgroupId: lm.CgroupID, Hook: lm.Hook, Flags: lm.Flags,
		Held: lm.Held, Detached: lm.Detached, Pinned: s.st.PinsOf(state.KindLink, lm.ID)}
}

// linkRef resolves an ObjectRef to a live link. The caller holds s.mu.
func (s *Server) linkRef(ref *api.ObjectRef) (*state.LinkMeta, error) {
	id, err := s.refID(ref, state.KindLink)
	if err != nil {
		return nil, err
	}
	_, lm, ok := s.st.Link(id)
	if !ok {
		return nil, notFound("link %d: no such link", id)
	}
	return lm, nil
}

// LinkList describes every link, by increasing ID.
func (s *Server) LinkList(ctx context.Context, _ *api.LinkListRequest) (*api.LinkListReply, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := &api.LinkListReply{}
	for _, id := range s.st.SortedLinkIDs() {
		_, lm, _ := s.st.Link(id)
		out.Links = append(out.Links, s.linkInfo(lm))
	}
	return out, nil
}

// LinkShow describes one link.
func (s *Server) LinkShow(ctx context.Context, ref *api.ObjectRef) (*api.LinkInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	lm, err := s.linkRef(ref)
	if err != nil {
		return nil, err
	}
	return s.linkInfo(lm), nil
}

// LinkAttach creates a pinned or held link.
func (s *Server) LinkAttach(ctx context.Context, req *api.LinkAttachRequest) (*api.LinkInfo, error) {
	if req.PinPath == "" && !req.Held {
		return nil, invalid("a link needs a pin path or held: nothing would hold it after the call")
	}
	if req.PinPath != "" {
		if err := checkPath(req.PinPath); err != nil {
			return nil, err
		}
	}
	spec := link.Info{Type: link.Type(req.Type), Ifindex: req.Ifindex, Flags: req.Flags, Cgroup: req.Cgroup, Hook: req.Hook}
	if spec.Type == link.Cgroup {
		at, ok := link.CgroupAttachType(req.AttachType)
		if ok {
			spec.AttachType = at.Libbpf
		} else {
			spec.AttachType = req.AttachType
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, pm, err := s.progRef(req.Program)
	if err != nil {
		return nil, err
	}
	_, lm, err := s.st.AttachLink(pm.ID, spec, req.Held)
	if err == nil && req.PinPath != "" {
		err = s.st.Pin(req.PinPath, state.KindLink, lm.ID)
	}
	if err := s.commit(err); err != nil {
		return nil, toStatus(err)
	}
	return s.linkInfo(lm), nil
}

// LinkDetach detaches a link from its attach point.
func (s *Server) LinkDetach(ctx context.Context, ref *api.ObjectRef) (*api.LinkInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lm, err := s.linkRef(ref)
	if err != nil {
		return nil, err
	}
	if err := s.commit(s.st.DetachLink(lm.ID)); err != nil {
		return nil, toStatus(err)
	}
	return s.linkInfo(lm), nil
}
