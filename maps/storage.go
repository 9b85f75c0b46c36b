package maps

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"unsafe"

	"github.com/bpfhost/bpfhost/internal/offheap"
)

// Options control how a map's memory is obtained.
type Options struct {
	// Path names a file to keep the map's storage in ("" = anonymous memory).
	// New overwrites it; Open maps an existing one and keeps its contents.
	Path string
	// NumCPU is the number of CPUs per-CPU maps hold values for (0 = PossibleCPUs()).
	NumCPU int
	// PerfRingBytes is the capacity of each ring of a perf event array
	// (0 = 64 KiB); it is rounded up to a multiple of 8.
	PerfRingBytes int
}

// Layout of a map's off-heap block:
//
//	[private part: header (storageHeader bytes), type metadata] [value part]
//
// Both parts start on a page boundary. The value part is what programs may
// address (Regions); the private part holds keys, occupancy and positions
// and is never handed out, so a program writing wildly through a value
// pointer cannot corrupt what the host uses to find things.
const (
	storageMagic  = "bpfhmap\x01"
	storageHeader = 128
	// hdrState is where the per-type state words (u64) start in the header.
	hdrState      = 64
	hdrStateWords = (storageHeader - hdrState) / 8
)

var hostPage = os.Getpagesize()

func pageRound(n uint64) uint64 {
	p := uint64(hostPage)
	return (n + p - 1) &^ (p - 1)
}

func round8(n uint64) uint64 { return (n + 7) &^ 7 }

// maxStorage bounds the memory one map may preallocate, so that absurd
// max_entries fail cleanly with ENOMEM instead of overflowing sizes.
const maxStorage = 1 << 38

// storage is a map's off-heap block split into its private and value parts.
type storage struct {
	blk  *offheap.Block
	meta []byte // private part, header first
	vals []byte // value part (may be empty)
}

// layoutError reports a size computation that overflowed maxStorage.
func layoutError(spec Spec, what string) error {
	return fmt.Errorf("%w: %s map %q: %s needs more than %d bytes", ENOMEM, spec.Type, spec.Name, what, uint64(maxStorage))
}

// newStorage creates (Path == "": anonymous; else a fresh file) or, with
// reopen, maps an existing file and checks that its header matches spec.
func newStorage(spec Spec, opts Options, ncpu int, metaSize, valsSize uint64, reopen bool) (*storage, error) {
	metaSize = pageRound(metaSize + storageHeader)
	valsSize = pageRound(valsSize)
	if metaSize > maxStorage || valsSize > maxStorage || metaSize+valsSize > min(maxStorage, math.MaxInt) {
		return nil, layoutError(spec, "storage")
	}
	total := int(metaSize + valsSize)
	if !spec.Type.PerCPU() {
		ncpu = 0 // only per-CPU layouts depend on it: reopen under any CPU count
	}
	want := encodeHeader(spec, ncpu, metaSize, valsSize)
	var blk *offheap.Block
	var err error
	switch {
	case opts.Path == "" && reopen:
		return nil, fmt.Errorf("%w: reopening map %q needs a file path", EINVAL, spec.Name)
	case opts.Path == "":
		blk, err = offheap.Alloc(total)
	case reopen:
		if err := checkFile(opts.Path, spec, want, total); err != nil {
			return nil, err
		}
		blk, err = offheap.MapFile(opts.Path, total)
	default:
		// A new map starts from zeroed storage whatever the file held.
		if rerr := os.Remove(opts.Path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			return nil, fmt.Errorf("creating map %q: %w", spec.Name, rerr)
		}
		blk, err = offheap.MapFile(opts.Path, total)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: allocating %d bytes for map %q: %v", ENOMEM, total, spec.Name, err)
	}
	mem := blk.Bytes()
	s := &storage{blk: blk, meta: mem[:metaSize:metaSize], vals: mem[metaSize:total:total]}
	if !reopen {
		copy(s.meta, want)
	}
	return s, nil
}

// checkFile tests, before mapping it, that the file at path holds a map
// with the header want and at least total bytes.
func checkFile(path string, spec Spec, want []byte, total int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reopening map %q: %w", spec.Name, err)
	}
	defer f.Close()
	got := make([]byte, len(want))
	if _, err := f.ReadAt(got, 0); err != nil {
		return fmt.Errorf("%w: map file %s: reading header: %v", EINVAL, path, err)
	}
	if string(got) != string(want) {
		return fmt.Errorf("%w: map file %s was not written for map %q (%s)", EINVAL, path, spec.Name, describeHeader(got, want))
	}
	if st, err := f.Stat(); err != nil {
		return err
	} else if st.Size() < int64(total) {
		return fmt.Errorf("%w: map file %s holds %d bytes, the map needs %d", EINVAL, path, st.Size(), total)
	}
	return nil
}

// encodeHeader encodes what identifies a map's layout, checked on reopen.
func encodeHeader(spec Spec, ncpu int, metaSize, valsSize uint64) []byte {
	h := make([]byte, hdrState)
	copy(h, storageMagic)
	le := binary.LittleEndian
	le.PutUint32(h[8:], uint32(spec.Type))
	le.PutUint32(h[12:], spec.KeySize)
	le.PutUint32(h[16:], spec.ValueSize)
	le.PutUint32(h[20:], spec.MaxEntries)
	le.PutUint32(h[24:], spec.Flags)
	le.PutUint32(h[28:], uint32(ncpu))
	le.PutUint64(h[32:], metaSize)
	le.PutUint64(h[40:], valsSize)
	return h
}

func describeHeader(got, want []byte) string {
	if string(got[:8]) != storageMagic {
		return "bad magic"
	}
	names := []string{"type", "key size", "value size", "max entries", "flags", "CPU count"}
	le := binary.LittleEndian
	for i, n := range names {
		g, w := le.Uint32(got[8+4*i:]), le.Uint32(want[8+4*i:])
		if g != w {
			return fmt.Sprintf("file has %s %d, spec %d", n, g, w)
		}
	}
	return "layout differs"
}

// word returns state word i of the header (u64, native endian, atomically
// accessible).
func (s *storage) word(i int) *uint64 {
	if i < 0 || i >= hdrStateWords {
		panic("maps: state word out of range")
	}
	return (*uint64)(unsafe.Pointer(&s.meta[hdrState+8*i]))
}

// valsAddr returns the address of the value part.
func (s *storage) valsAddr() uintptr {
	if len(s.vals) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(unsafe.SliceData(s.vals)))
}

// metaAddr returns the address of the private part (its header first).
func (s *storage) metaAddr() uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(s.meta))) }

// free unmaps the block. This is what Close does with a map's memory, and
// it is safe with native routes for the same reason it is with the Go
// route: nothing that can still run holds the map.
//   - A program holds every map its instructions name (ebpf.Program takes a
//     reference per map at load and drops it at Close, after waiting for
//     runs in progress), so a map a descriptor address was compiled into
//     (NativeDescOf) outlives the code.
//   - Inner maps are reached through the global table by ID. An inner map
//     stays alive while its outer map does (ebpf's holdInner for a
//     collection's contents, mapObj.update for user-space updates), and the
//     outer map while a program naming it is loaded; the last reference
//     unregisters the map and only then calls Close.
//   - Close retires the descriptor (RouteNone, ID 0, table entry cleared)
//     before unmapping, so code that looks the map up afterwards takes the
//     Go route and misses. The descriptor itself is never freed.
//
// Keeping the memory mapped after Close instead (to tolerate a run racing
// the last reference, which the rules above exclude) would cost every
// closed map's memory, or, remapped to fresh pages, its address space and
// one kernel mapping each for the life of the process. Maps used without
// the ebpf package must follow the Map.Close contract: no program that can
// reach the map may run.
func (s *storage) free() error {
	if s == nil {
		return nil
	}
	err := s.blk.Free()
	s.meta, s.vals = nil, nil
	return err
}

// u32at returns the u32 at off of b for atomic access (off is 4-aligned).
func u32at(b []byte, off uint64) *uint32 { return (*uint32)(unsafe.Pointer(&b[off])) }

// u64at returns the u64 at off of b for atomic access (off is 8-aligned).
func u64at(b []byte, off uint64) *uint64 { return (*uint64)(unsafe.Pointer(&b[off])) }
