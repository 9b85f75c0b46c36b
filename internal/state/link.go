package state

import (
	"fmt"

	"github.com/bpfhost/bpfhost/ebpf/link"
	"github.com/bpfhost/bpfhost/maps"
)

// LinkMeta is a persisted link: enough to re-establish it (same ID, same
// program, same attach point) when the directory is opened again.
type LinkMeta struct {
	ID     uint32 `json:"id"`
	Type   string `json:"type"`
	ProgID uint32 `json:"prog_id"`
	// AttachType is libbpf's attach type name ("xdp", "cgroup_inet_ingress").
	AttachType string `json:"attach_type,omitempty"`
	Ifindex    uint32 `json:"ifindex,omitempty"`
	Cgroup     string `json:"cgroup,omitempty"`
	CgroupID   uint64 `json:"cgroup_id,omitempty"`
	Hook       string `json:"hook,omitempty"`
	Flags      uint32 `json:"flags,omitempty"`
	// Held links are held by their attach point, like the kernel's netlink
	// XDP and BPF_PROG_ATTACH cgroup attachments: they live without a pin
	// until detached. Other links live while pinned, as a kernel link
	// lives while a file descriptor or pin holds it.
	Held bool `json:"held,omitempty"`
	// Detached links are attached to nothing but still hold their program.
	Detached bool `json:"detached,omitempty"`
}

// info is the link package's description of lm.
func (lm *LinkMeta) info() link.Info {
	return link.Info{ID: lm.ID, Type: link.Type(lm.Type), Program: lm.ProgID, AttachType: lm.AttachType,
		Ifindex: lm.Ifindex, Cgroup: lm.Cgroup, CgroupID: lm.CgroupID, Hook: lm.Hook, Flags: lm.Flags,
		Detached: lm.Detached}
}

// restoreLinks re-establishes the persisted links with their IDs, after
// the programs. A link to an application hook the process has not defined
// defines it with the program's type, so the application finds its links
// when it defines the hook.
func (s *State) restoreLinks() error {
	s.links = map[uint32]*link.Link{}
	for _, id := range sortedIDs(s.Meta.Links) {
		lm := s.Meta.Links[id]
		p := s.progs[lm.ProgID]
		if p == nil {
			return fmt.Errorf("restoring link %d: its program %d is missing", id, lm.ProgID)
		}
		if lm.Type == string(link.RawTracepoint) && !lm.Detached {
			if _, err := link.DefineHook(lm.Hook, p.Type()); err != nil {
				return fmt.Errorf("restoring link %d: %w", id, err)
			}
		}
		l, err := link.Attach(p, lm.info())
		if err != nil {
			return fmt.Errorf("restoring link %d (%s, program %d): %w", id, lm.Type, lm.ProgID, err)
		}
		s.links[id] = l
	}
	return nil
}

// AttachLink links the program progID to the attach point spec describes
// (see link.Attach; spec.ID is ignored). held makes the attach point hold
// the link (see LinkMeta.Held); otherwise it dies at the next commit
// unless pinned.
func (s *State) AttachLink(progID uint32, spec link.Info, held bool) (*link.Link, *LinkMeta, error) {
	p := s.progs[progID]
	if p == nil {
		return nil, nil, fmt.Errorf("program %d: %w", progID, maps.ENOENT)
	}
	spec.ID, spec.Detached = 0, false
	l, err := link.Attach(p, spec)
	if err != nil {
		return nil, nil, err
	}
	info, _ := l.Info()
	lm := &LinkMeta{ID: info.ID, Type: string(info.Type), ProgID: progID, AttachType: info.AttachType,
		Ifindex: info.Ifindex, Cgroup: info.Cgroup, CgroupID: info.CgroupID, Hook: info.Hook, Flags: info.Flags, Held: held}
	if s.links == nil {
		s.links = map[uint32]*link.Link{}
	}
	if s.Meta.Links == nil {
		s.Meta.Links = map[uint32]*LinkMeta{}
	}
	s.links[lm.ID] = l
	s.Meta.Links[lm.ID] = lm
	return l, lm, nil
}

// Link returns the live link with the given ID.
func (s *State) Link(id uint32) (*link.Link, *LinkMeta, bool) {
	l, ok := s.links[id]
	if !ok {
		return nil, nil, false
	}
	return l, s.Meta.Links[id], true
}

// SortedLinkIDs returns the IDs of the live links in increasing order.
func (s *State) SortedLinkIDs() []uint32 { return sortedIDs(s.Meta.Links) }

// DetachLink detaches a link from its attach point: its program stays
// (held by the link), and the link lives on while pinned.
func (s *State) DetachLink(id uint32) error {
	l, lm, ok := s.Link(id)
	if !ok {
		return fmt.Errorf("link %d: %w", id, maps.ENOENT)
	}
	if err := l.Detach(); err != nil {
		return err
	}
	lm.Detached, lm.Held = true, false
	lm.Ifindex, lm.Cgroup, lm.CgroupID = 0, "", 0
	return nil
}

func (s *State) lastLinkID() uint32 { return link.LastID() }

// closeLinks releases the live links (their metadata stays).
func (s *State) closeLinks() {
	for _, l := range s.links {
		l.Close()
	}
	s.links = map[uint32]*link.Link{}
}

// collectLinks destroys the links nothing holds (no pin, not held by their
// attach point) and returns the programs the others hold.
func (s *State) collectLinks() []uint32 {
	pinned := map[uint32]bool{}
	for _, p := range s.Meta.Pins {
		if p.Kind == KindLink {
			pinned[p.ID] = true
		}
	}
	var progs []uint32
	for id, lm := range s.Meta.Links {
		if pinned[id] || lm.Held {
			progs = append(progs, lm.ProgID)
			continue
		}
		if l := s.links[id]; l != nil {
			l.Close()
		}
		delete(s.links, id)
		delete(s.Meta.Links, id)
	}
	return progs
}
