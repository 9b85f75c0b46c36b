package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	cilium "github.com/cilium/ebpf"
)

// ErrLocked is returned by Open with Options.NoWait when another process
// holds the state directory.
var ErrLocked = errors.New("another process holds the state directory")

// Dirty reports whether the objects or the metadata changed since the last
// commit (or the opening).
func (s *State) Dirty() bool {
	if len(s.newFiles) > 0 {
		return true
	}
	b, err := json.MarshalIndent(s.Meta, "", " ")
	return err != nil || !bytes.Equal(b, s.written)
}

// Rollback returns a long-lived State (a service's) to its last commit
// after a failed command: what a failing command-line process gets by
// exiting without committing. The objects are recreated from the directory
// (map contents live in their files), keeping the lock. A clean state is
// left as it is, so failing read-only commands cost nothing.
func (s *State) Rollback() error {
	if !s.Dirty() {
		return nil
	}
	cpus := s.Meta.CPUs
	s.Abort()
	s.btf = map[uint32]*cilium.CollectionSpec{}
	if err := s.readMeta(); err != nil {
		return err
	}
	if s.Meta.CPUs == 0 {
		s.Meta.CPUs = cpus
	}
	if err := s.restore(); err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}
