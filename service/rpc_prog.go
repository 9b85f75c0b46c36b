package service

import (
	"context"
	"errors"

	"github.com/bpfhost/bpfhost/api"
	"github.com/bpfhost/bpfhost/ebpf"
	"github.com/bpfhost/bpfhost/internal/state"
	"github.com/bpfhost/bpfhost/isa"
	"github.com/bpfhost/bpfhost/maps"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// progInfo describes a program. The caller holds s.mu.
func (s *Server) progInfo(pm *state.ProgMeta) *api.ProgInfo {
	pi := &api.ProgInfo{Id: pm.ID, Type: pm.Type, Name: pm.Name, Tag: pm.Tag, GplCompatible: pm.GPL,
		LoadedAtUnixNano: pm.LoadedAt, Uid: pm.UID, BytesXlated: uint32(len(pm.Insns)),
		MapIds: append([]uint32(nil), pm.MapIDs...), BtfId: pm.BTFID, Pinned: s.st.PinsOf(state.KindProg, pm.ID)}
	pi.RunCnt, pi.RunTimeNs = s.st.RunStats(pm.ID)
	return pi
}

// ProgList describes every program, by increasing ID.
func (s *Server) ProgList(ctx context.Context, _ *api.ProgListRequest) (*api.ProgListReply, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := &api.ProgListReply{}
	for _, id := range s.st.SortedProgIDs() {
		_, pm, _ := s.st.Program(id)
		out.Progs = append(out.Progs, s.progInfo(pm))
	}
	return out, nil
}

// ProgShow describes one program.
func (s *Server) ProgShow(ctx context.Context, ref *api.ObjectRef) (*api.ProgInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, pm, err := s.progRef(ref)
	if err != nil {
		return nil, err
	}
	return s.progInfo(pm), nil
}

// ProgXlated returns a program's linked instructions and their text.
func (s *Server) ProgXlated(ctx context.Context, ref *api.ObjectRef) (*api.ProgXlatedReply, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, pm, err := s.progRef(ref)
	if err != nil {
		return nil, err
	}
	insns := p.Xlated()
	out := &api.ProgXlatedReply{Insns: append([]byte(nil), pm.Insns...), Text: make([]string, 0, len(insns))}
	for i := range insns {
		if line := isa.Format(insns, i, isa.DisasmOptions{Xlated: true}); line != "" {
			out.Text = append(out.Text, line)
		}
	}
	return out, nil
}

// Limits of a test run, as the kernel's.
const (
	maxRunInput      = 1 << 24
	defaultRunOutput = 1 << 16
)

// ProgRun runs a program as BPF_PROG_TEST_RUN.
func (s *Server) ProgRun(ctx context.Context, req *api.ProgRunRequest) (*api.ProgRunReply, error) {
	if len(req.DataIn) > maxRunInput || len(req.CtxIn) > maxRunInput {
		return nil, invalid("run input larger than %d bytes", maxRunInput)
	}
	if req.DataSizeOut > maxRunInput || req.CtxSizeOut > maxRunInput {
		return nil, invalid("run output size larger than %d bytes", maxRunInput)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, pm, err := s.progRef(req.GetProg())
	if err != nil {
		return nil, err
	}
	opts := ebpf.RunOptions{Data: req.DataIn, Repeat: req.Repeat}
	if len(req.CtxIn) > 0 {
		opts.Context = req.CtxIn
	}
	if req.WantDataOut {
		opts.DataOut = make([]byte, 0, outSize(req.DataSizeOut, len(req.DataIn)))
	}
	if req.WantCtxOut {
		opts.ContextOut = make([]byte, 0, outSize(req.CtxSizeOut, len(req.CtxIn)))
	}
	ret, err := p.Run(&opts)
	s.st.CountRun(pm.ID, req.Repeat, opts.Duration)
	if err != nil {
		if errors.As(err, new(maps.Errno)) {
			return nil, toStatus(err)
		}
		// A program fault found by checked mode: the request was well
		// formed, the program is not.
		return nil, status.Errorf(codes.Aborted, "run of program %d (%s): %v", pm.ID, pm.Name, err)
	}
	return &api.ProgRunReply{Retval: ret, DataOut: opts.DataOut, CtxOut: opts.ContextOut,
		DurationNs: uint64(opts.Duration)}, nil
}

func outSize(asked uint32, in int) int {
	if asked != 0 {
		return int(asked)
	}
	return max(defaultRunOutput, in)
}
